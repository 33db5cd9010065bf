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
        insats::store::audit::verify(&*tx, f.service.store().crypto()).unwrap(),
        Ok(17)
    );
    assert!(insats::store::check::check(&*tx).unwrap().is_empty());
}
