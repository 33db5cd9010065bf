//! The database's storage failing under a running server (issue 15 item 1). After an I/O error
//! (a full disk, a failing device) redb fails every later read and write of the file until it is
//! opened again, so a server that stayed up would refuse every sign-in as if the key were wrong.
//! Instead the server stops, with the cause in its log, and the service manager starts it again
//! (systemd: `Restart=on-failure`); it starts once there is room, and every commit is durable.

use std::time::Duration;

/// How often the server looks.
const EVERY: Duration = Duration::from_millis(200);

/// Waits until the store has failed; returns the cause in the operating system's words.
pub async fn failed() -> &'static str {
    loop {
        if let Some(cause) = crate::service::storage_failure() {
            return cause;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Whether the store has failed (a sign-in is then not refused as a wrong key: the connection
/// is closed instead, and the server is about to stop).
pub fn has_failed() -> bool {
    crate::service::storage_failure().is_some()
}
