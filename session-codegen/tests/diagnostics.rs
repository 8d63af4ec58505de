//! The messages a user meets when editing a table: each names the line and column and
//! says what to do next.

/// The door fixture with one line replaced.
fn door_with(from: &str, to: &str) -> String {
    let source = std::fs::read_to_string("tests/fixtures/door.yaml").expect("fixture readable");
    assert!(source.contains(from), "fixture no longer contains {from:?}");
    source.replacen(from, to, 1)
}

fn errors_of(source: &str) -> String {
    match session_codegen::compile(source) {
        Ok(_) => panic!("the table should not compile"),
        Err(errors) => session_codegen::diagnostic::render_all(&errors, "door.yaml"),
    }
}

#[test]
fn misspelt_target_state_is_located_and_corrected() {
    let table = door_with("to: Closed }", "to: Closd }");
    let line = 1 + table.lines().position(|l| l.contains("Closd")).expect("edited line");
    let column = 1 + table.lines().nth(line - 1).unwrap().find("Closd").unwrap();
    assert_eq!(
        errors_of(&table),
        format!("door.yaml:{line}:{column}: unknown state `Closd` (help: did you mean `Closed`?)")
    );
}

#[test]
fn new_undeclared_action_names_the_trait_method_it_will_need() {
    let table = door_with("actions: [Greet]", "actions: [Greet, PlayHoldMusic]");
    let message = errors_of(&table);
    assert!(message.contains("unknown action `PlayHoldMusic`"), "{message}");
    assert!(message.contains("declare it under `actions:`"), "{message}");
    assert!(message.contains("requires a method `play_hold_music`"), "{message}");
}
