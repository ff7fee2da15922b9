//! The `warta` binary: its commands live in [`warta_cli::cli`].

fn main() -> std::process::ExitCode {
    warta_cli::cli::main()
}
