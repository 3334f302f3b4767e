//! The cost of one PIN check: argon2id with `keywrap::PIN_PARAMS` plus both AES-256-GCM
//! layers and parsing the PKCS#8 key, as a signing request pays it (`make bench-pki`).
//! Target (issue 6): about 5–10 ms on the CI machine.

use criterion::{Criterion, criterion_group, criterion_main};
use signet_pki::MasterKey;
use signet_pki::keywrap;
use signet_pki::sign::{KeyAlgorithm, SigningKey};
use std::hint::black_box;

fn pin_check(c: &mut Criterion) {
    let master = MasterKey::generate();
    let Ok(key) = SigningKey::generate(KeyAlgorithm::EcdsaP256) else {
        return;
    };
    let Ok(pkcs8) = key.to_pkcs8_der() else {
        return;
    };
    let Ok(wrapped) = keywrap::wrap_with_pin(&master, "key_bench", "246810", &pkcs8) else {
        return;
    };
    c.bench_function("pin check + key unwrap (P-256)", |b| {
        b.iter(|| {
            let pkcs8 =
                keywrap::unwrap_with_pin(&master, "key_bench", black_box("246810"), &wrapped);
            black_box(pkcs8.ok().and_then(|p| SigningKey::from_pkcs8(&p).ok()))
        })
    });
    c.bench_function("wrong PIN (P-256)", |b| {
        b.iter(|| {
            black_box(keywrap::unwrap_with_pin(
                &master,
                "key_bench",
                black_box("135790"),
                &wrapped,
            ))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = pin_check
}
criterion_main!(benches);
