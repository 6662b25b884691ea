//! Entry point: hand the command line to the library, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    grade::main()
}
