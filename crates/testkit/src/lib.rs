//! The one rule for tests that need something from outside the repository (a tool such as
//! `pyhanko`, `pdftotext` or `openssl`, a font, `../shared`): outside CI such a test may skip
//! with a printed reason; in CI (`CI=true` or `CI=1`, as `.ci/run` sets) a missing piece fails
//! the test, because `make test` installs everything. And [`openssl`]: a test PKI made with
//! the openssl CLI, for every crate whose tests need certificates that Signet did not make.

use std::path::Path;

pub mod openssl;

/// Whether the tests run in CI.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `true` when `present`; otherwise skips (prints `what` and returns `false`) outside CI and
/// panics in CI.
pub fn require(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(!in_ci(), "CI needs {what} (make test installs it)");
    eprintln!("skipping: {what} is not available (make test installs it)");
    false
}

/// Whether a command is on the `PATH`.
pub fn have_command(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let candidate = dir.join(name);
            candidate.is_file()
        })
    })
}

/// [`require`] for commands on the `PATH`.
pub fn require_commands(names: &[&str]) -> bool {
    let missing: Vec<&str> = names.iter().copied().filter(|n| !have_command(n)).collect();
    require(&format!("{missing:?}"), missing.is_empty())
}

/// [`require`] for a file.
pub fn require_file(path: &Path) -> bool {
    require(&path.display().to_string(), path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_found_on_the_path() {
        assert!(have_command("sh"));
        assert!(!have_command("no-such-command-signet"));
        assert!(require("something present", true));
    }
}
