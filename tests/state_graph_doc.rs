//! `docs/state-graph.md` is what `build.rs` renders from `state_table.yaml`.

#[test]
fn state_graph_doc_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/state-graph.md");
    if std::env::var_os("UPDATE_STATE_GRAPH").is_some() {
        std::fs::write(path, session_core::STATE_GRAPH_PAGE).expect("write docs/state-graph.md");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == session_core::STATE_GRAPH_PAGE,
        "docs/state-graph.md is out of date with state_table.yaml; \
         run `UPDATE_STATE_GRAPH=1 cargo test --test state_graph_doc` and commit it"
    );
}

#[test]
fn the_page_and_the_compiled_machine_show_the_same_graph() {
    assert!(session_core::STATE_GRAPH_PAGE.contains(session_core::machine::MERMAID));
}
