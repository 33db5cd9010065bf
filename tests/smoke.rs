#![allow(clippy::unwrap_used)]
mod common;
use common::*;

#[test]
fn a_handler_registers_in_and_out_and_the_chain_verifies() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        "Åsa Öberg",
        "2026-06-10",
    );
    let cat = f.service.catalogue().clone();
    f.handler
        .register_out(
            p,
            "2026-06-14",
            insats::domain::questionnaire::EndReason::Employment,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let tx = f.service.store().read().unwrap();
    assert_eq!(
        insats_store::audit::verify(&*tx, f.service.store().crypto()).unwrap(),
        Ok(17)
    );
    assert!(insats_store::check::check(&tx).unwrap().is_empty());
}

#[test]
fn a_change_notice_is_published_after_each_commit() {
    let f = Fixture::new();
    let mut notices = f.service.subscribe();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1991, 1, 2), 982),
        "Nils Notis",
        "2026-06-10",
    );
    let mut seen = Vec::new();
    while let Ok(n) = notices.try_recv() {
        seen.push(n);
    }
    let actions: Vec<_> = seen.iter().map(|n| n.action).collect();
    assert_eq!(
        actions,
        vec![
            insats::domain::audit::Action::RecordConsent,
            insats::domain::audit::Action::RegisterIn
        ]
    );
    // Each says who sent it and what it touches; the sender's screen has reloaded already, a
    // screen showing the intervention must, and one showing another need not.
    let me = f.handler.session_id();
    let elsewhere = insats::domain::ids::InterventionId(f.intervention.0 + 1_000);
    for n in &seen {
        assert_eq!(n.sender, me);
        assert_eq!(
            n.scope,
            insats::service::NoticeScope::Intervention(f.intervention)
        );
        assert!(!n.concerns(me, Some(f.intervention)));
        assert!(n.concerns(me ^ 1, Some(f.intervention)));
        assert!(n.concerns(me ^ 1, None));
        assert!(!n.concerns(me ^ 1, Some(elsewhere)));
    }
    // A refused command publishes nothing.
    let r = f.handler.register_out(
        p,
        "2026-06-01",
        insats::domain::questionnaire::EndReason::Moved,
        None,
    );
    assert!(r.is_err());
    assert!(notices.try_recv().is_err());
}
