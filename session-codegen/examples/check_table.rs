//! Checks a state table without building anything and prints its transition listing.
//!
//! ```text
//! cargo run -p session-codegen --example check_table -- state_table.yaml
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check_table PATH/TO/state_table.yaml");
        return ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    match session_codegen::compile(&source) {
        Ok(machine) => {
            print!("{}", session_codegen::render::listing(&machine));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!(
                "{}",
                session_codegen::diagnostic::render_all(&errors, &path)
            );
            ExitCode::FAILURE
        }
    }
}
