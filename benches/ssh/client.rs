//! A scripted SSH terminal for the benchmark: russh's client, a pty, the screen kept by vt100.

use russh::ChannelMsg;
use russh::client::{self, Handle};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// One signed-in terminal session.
pub struct Term {
    _handle: Handle<Trusting>,
    write: russh::ChannelWriteHalf<client::Msg>,
    screen: Arc<Mutex<vt100::Parser>>,
    changed: Arc<Notify>,
}

impl Term {
    /// Connects, signs in as `user` with `key`, asks for a `cols`×`rows` pty and the UI.
    pub async fn open(port: u16, user: &str, key: Arc<PrivateKey>, cols: u16, rows: u16) -> Term {
        let config = Arc::new(client::Config {
            nodelay: true,
            ..Default::default()
        });
        let mut handle = client::connect(config, ("127.0.0.1", port), Trusting)
            .await
            .unwrap();
        let auth = handle
            .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key, None))
            .await
            .unwrap();
        assert!(auth.success(), "sign-in refused");
        let channel = handle.channel_open_session().await.unwrap();
        channel
            .request_pty(
                false,
                "xterm-256color",
                u32::from(cols),
                u32::from(rows),
                0,
                0,
                &[],
            )
            .await
            .unwrap();
        channel.request_shell(false).await.unwrap();
        let (mut read, write) = channel.split();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let changed = Arc::new(Notify::new());
        let term = Term {
            _handle: handle,
            write,
            screen: screen.clone(),
            changed: changed.clone(),
        };
        tokio::spawn(async move {
            while let Some(msg) = read.wait().await {
                if let ChannelMsg::Data { data } = msg {
                    screen.lock().unwrap().process(&data);
                    changed.notify_waiters();
                }
            }
        });
        term.wait_for("Interventions", Duration::from_secs(30))
            .await;
        term
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub async fn send(&self, bytes: &[u8]) {
        self.write.data_bytes(bytes.to_vec()).await.unwrap();
    }

    /// Waits until the screen shows (or, with `gone`, no longer shows) `text`.
    async fn wait(&self, text: &str, gone: bool, limit: Duration) -> Option<Duration> {
        self.wait_until(|s| s.contains(text) != gone, limit).await
    }

    /// Waits until the screen's text passes `done`.
    pub async fn wait_until(
        &self,
        done: impl Fn(&str) -> bool,
        limit: Duration,
    ) -> Option<Duration> {
        let started = Instant::now();
        loop {
            let notified = self.changed.notified();
            if done(&self.text()) {
                return Some(started.elapsed());
            }
            let left = limit.checked_sub(started.elapsed())?;
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    pub async fn wait_for(&self, text: &str, limit: Duration) -> Option<Duration> {
        self.wait(text, false, limit).await
    }

    /// Presses `key` and times until the frame showing its effect (`text` appears, or goes
    /// with `gone`) has arrived.
    pub async fn press(&self, key: &[u8], text: &str, gone: bool) -> Option<Duration> {
        let started = Instant::now();
        self.send(key).await;
        self.wait(text, gone, Duration::from_secs(10)).await?;
        Some(started.elapsed())
    }
}

/// A TCP relay to the server whose server-to-client direction stops when `stall` is set: the
/// server's socket fills as with a client that stops reading, whatever the client buffers.
pub struct Relay {
    pub port: u16,
    pub stall: Arc<std::sync::atomic::AtomicBool>,
    pub forwarded: Arc<AtomicU64>,
}

impl Relay {
    pub async fn start(server: u16) -> Relay {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let stall = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let forwarded = Arc::new(AtomicU64::new(0));
        let (s, f) = (stall.clone(), forwarded.clone());
        tokio::spawn(async move {
            let (client, _) = listener.accept().await.unwrap();
            let upstream = tokio::net::TcpStream::connect(("127.0.0.1", server))
                .await
                .unwrap();
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = upstream.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut cr, &mut sw).await;
            });
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                if s.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                match sr.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        f.fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
            }
        });
        Relay {
            port,
            stall,
            forwarded,
        }
    }
}
