//! Entry point: hand the command line to the library, map the outcome to an exit code.

// Functions stay short (threshold in harness/clippy.toml).
#![warn(clippy::too_many_lines)]

fn main() -> std::process::ExitCode {
    grade::main()
}
