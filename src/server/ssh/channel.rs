//! What goes out on a session channel: a session's frames in order, a command's output, and
//! the end (exit status, EOF, close).

use super::backend::Out;
use crate::service::Session;
use russh::ChannelId;
use russh::server::Handle;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// What a command run over `ssh host COMMAND` printed, and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// Bytes, not text: a report can be an Excel workbook.
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub status: u32,
}

/// Runs one exec command for a signed-in session (given by the command line layer).
pub type Exec = Arc<dyn Fn(&Session, &str) -> ExecOutput + Send + Sync>;

/// Sends a session's frames to its channel in order, waiting whenever the client's window is
/// used up (the session thread then waits on its full queue); closes the channel at the end.
pub async fn pump(handle: Handle, id: ChannelId, mut rx: mpsc::Receiver<Out>) {
    let mut status = 1;
    while let Some(o) = rx.recv().await {
        match o {
            Out::Bytes(b) => {
                if handle.data(id, b).await.is_err() {
                    return;
                }
            }
            Out::Exit(s) => {
                status = s;
                break;
            }
        }
    }
    finish(&handle, id, status).await;
}

async fn finish(handle: &Handle, id: ChannelId, status: u32) {
    let _ = handle.exit_status_request(id, status).await;
    let _ = handle.eof(id).await;
    let _ = handle.close(id).await;
}

/// Writes one message to the client's stderr and ends the channel with `status`.
pub async fn refuse(handle: Handle, id: ChannelId, text: String, status: u32) {
    let _ = handle.extended_data(id, 1, text.into_bytes()).await;
    finish(&handle, id, status).await;
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Runs one exec command off the async threads and sends its output, stderr and status.
pub async fn exec(
    handle: Handle,
    channel: ChannelId,
    exec: Exec,
    session: Session,
    command: String,
    pty: bool,
    permit: OwnedSemaphorePermit,
) {
    let ran = tokio::task::spawn_blocking(move || {
        let out = exec(&session, &command);
        drop(permit);
        out
    })
    .await;
    let out = ran.unwrap_or_else(|_| {
        tracing::error!("a command panicked; only its connection was affected");
        ExecOutput {
            stdout: Vec::new(),
            stderr: "insats: internal error\n".into(),
            status: 1,
        }
    });
    // The command line itself is never logged (it may hold a personnummer).
    tracing::info!(status = out.status, "command finished");
    // On a terminal, text gets carriage returns; bytes that are not text (a workbook) go as
    // they are.
    let (stdout, stderr) = if pty {
        let stdout = match String::from_utf8(out.stdout) {
            Ok(text) => crlf(&text).into_bytes(),
            Err(bytes) => bytes.into_bytes(),
        };
        (stdout, crlf(&out.stderr))
    } else {
        (out.stdout, out.stderr)
    };
    if !stdout.is_empty() {
        let _ = handle.data(channel, stdout).await;
    }
    if !stderr.is_empty() {
        let _ = handle.extended_data(channel, 1, stderr.into_bytes()).await;
    }
    finish(&handle, channel, out.status).await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn output_for_a_pty_gets_carriage_returns_once() {
        assert_eq!(super::crlf("a\nb\r\nc"), "a\r\nb\r\nc");
    }
}
