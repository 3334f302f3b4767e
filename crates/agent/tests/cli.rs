//! The `signet-agent` binary: its flags, and the errors it stops with before serving.
//! (The agent at work, with SoftHSM2 tokens beside a server, is `crates/server/tests/agent.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn agent() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signet-agent"))
}

#[test]
fn the_origin_is_required_and_the_flags_are_documented() {
    let out = agent().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--origin"));
    let help = agent().arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in ["--module", "--origin", "--listen"] {
        assert!(text.contains(flag), "{flag} in {text}");
    }
}

#[test]
fn a_missing_module_stops_it_with_the_module_named() {
    let out = agent()
        .args(["--module", "/nonexistent/libpkcs11.so"])
        .args([
            "--origin",
            "https://sign.example.com",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("signet-agent: /nonexistent/libpkcs11.so"),
        "{err}"
    );
}

#[test]
fn it_listens_on_loopback_only() {
    let module = "/usr/lib/softhsm/libsofthsm2.so";
    if !signet_testkit::require("SoftHSM2", std::path::Path::new(module).exists()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::create_dir_all(dir.path().join("tokens")).unwrap();
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\n",
            dir.path().join("tokens").display()
        ),
    )
    .unwrap();
    let out = agent()
        .env("SOFTHSM2_CONF", &conf)
        .args(["--module", module, "--origin", "https://sign.example.com"])
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("loopback addresses only"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
