//! Snapshots of what the compiler produces: the project table's graph and listing, and
//! the generated code of a small fixture table. A table change shows up as a reviewed diff.

use session_codegen::generate::{Origin, Supplied, generate};

fn compile(path: &str) -> session_codegen::Machine {
    let source = std::fs::read_to_string(path).expect("table readable");
    session_codegen::compile(&source)
        .unwrap_or_else(|errors| panic!("{}", session_codegen::diagnostic::render_all(&errors, path)))
}

#[test]
fn project_table_mermaid() {
    let machine = compile("../state_table.yaml");
    insta::assert_snapshot!(session_codegen::render::mermaid(&machine));
}

#[test]
fn project_table_listing() {
    let machine = compile("../state_table.yaml");
    insta::assert_snapshot!(session_codegen::render::listing(&machine));
}

#[test]
fn fixture_generated_code() {
    let machine = compile("tests/fixtures/door.yaml");
    let origin = Origin { display: "door.yaml".into(), tracked: None };
    let supplied = Supplied { guards: Some(syn::parse_quote!(guards::holds)) };
    let file = syn::parse2(generate(&machine, &origin, &supplied)).expect("generated code parses");
    insta::assert_snapshot!(prettyplease::unparse(&file));
}
