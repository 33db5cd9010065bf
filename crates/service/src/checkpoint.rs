//! Checkpoints of the audit chain kept outside the server (domain §10): the head as a short
//! line to mail or print, and a verification that the log still holds that exact entry at that
//! sequence number — which catches a log rewritten and re-chained by someone holding the key
//! file, where replaying the chain alone cannot.

use crate::directory::ChainState;
use crate::error::{DENIED_VERIFY, ServiceError};
use crate::{Service, Session};
use insats_domain::checkpoint::Checkpoint;
use insats_domain::user::Role;
use insats_store::audit;

impl Service {
    /// The chain's head now (`None` while the log is empty). For the server's daily log line.
    pub fn checkpoint(&self) -> Result<Option<Checkpoint>, ServiceError> {
        let tx = self.store().read()?;
        let (seq, _) = audit::head(&*tx)?;
        if seq == 0 {
            return Ok(None);
        }
        Ok(audit::entry(&*tx, seq)?.map(|e| Checkpoint {
            seq: e.seq,
            at_ms: Some(e.at_ms),
            mac: e.mac.to_vec(),
        }))
    }
}

impl Session {
    /// The chain's head as a checkpoint (system administrator or log reviewer).
    pub fn audit_checkpoint(&self) -> Result<Option<Checkpoint>, ServiceError> {
        self.require_verifier()?;
        self.service.checkpoint()
    }

    /// Replays the chain and proves that it still holds each checkpoint's entry: the same MAC
    /// (and time) at the same sequence number. The first checkpoint that fails breaks it.
    pub fn verify_audit_against(
        &self,
        checkpoints: &[Checkpoint],
    ) -> Result<ChainState, ServiceError> {
        let chain = self.verify_audit()?;
        if matches!(chain, ChainState::Broken(_)) {
            return Ok(chain);
        }
        let tx = self.service.store().read()?;
        for c in checkpoints {
            let held = audit::entry(&*tx, c.seq)?;
            let found = held
                .as_ref()
                .is_some_and(|e| c.matches(e.seq, e.at_ms, &e.mac));
            if !found {
                let why = if held.is_none() {
                    format!("the log has no entry {} (it was cut short)", c.seq)
                } else {
                    format!(
                        "entry {} is not the one checkpointed: the log was rewritten at or before it",
                        c.seq
                    )
                };
                return Ok(ChainState::Broken(why));
            }
        }
        Ok(chain)
    }

    fn require_verifier(&self) -> Result<(), ServiceError> {
        if matches!(self.role(), Role::SystemAdmin | Role::LogReviewer) {
            Ok(())
        } else {
            Err(ServiceError::Denied(DENIED_VERIFY))
        }
    }
}
