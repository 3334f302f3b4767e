//! `signet`: one binary for the server and its tools (the command line is `signet_server::cli`).

fn main() -> std::process::ExitCode {
    signet_server::cli::main()
}
