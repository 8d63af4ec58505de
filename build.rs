//! Renders the state table's graph for the docs, and stops the build with located
//! errors when the table is invalid.
//!
//! Writes `$OUT_DIR/state-graph.md` (the Markdown page with the Mermaid diagram, which
//! `docs/state-graph.md` must equal; a test checks it) and `$OUT_DIR/state-graph.dot`.

use std::path::Path;

fn main() {
    let table = "state_table.yaml";
    println!("cargo::rerun-if-changed={table}");
    let source = std::fs::read_to_string(table).unwrap_or_else(|e| panic!("{table}: {e}"));
    let machine = match session_codegen::compile(&source) {
        Ok(machine) => machine,
        Err(errors) => {
            for line in session_codegen::diagnostic::render_all(&errors, table).lines() {
                println!("cargo::error={line}");
            }
            return;
        }
    };
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir);
    let page = session_codegen::render::graph_page(&machine, table);
    std::fs::write(out.join("state-graph.md"), page).expect("write state-graph.md");
    let dot = session_codegen::render::dot(&machine);
    std::fs::write(out.join("state-graph.dot"), dot).expect("write state-graph.dot");
}
