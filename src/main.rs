//! The `warta` binary: everything lives in the library; see `warta::cli`.

fn main() -> std::process::ExitCode {
    warta::cli::main()
}
