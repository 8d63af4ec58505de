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

/// 1-based line and column of the first occurrence of `needle` in `table`.
fn position(table: &str, needle: &str) -> (usize, usize) {
    let (index, line) = table.lines().enumerate().find(|(_, l)| l.contains(needle)).expect("needle in table");
    (index + 1, 1 + line.find(needle).unwrap())
}

#[test]
fn misspelt_failure_event_is_located_and_corrected() {
    let table = door_with("fails: Stuck }", "fails: Stuk }");
    let (line, column) = position(&table, "Stuk }");
    assert_eq!(
        errors_of(&table),
        format!("door.yaml:{line}:{column}: unknown event `Stuk` (help: did you mean `Stuck`?)")
    );
}

#[test]
fn failure_raised_where_no_transition_handles_it_names_the_state_and_the_transition() {
    let table = door_with(
        "{ from: Open, on: Push, actions: [Swing]",
        "{ from: Open, on: Push, actions: [Unlatch, Swing]",
    );
    let (state_line, state_column) = position(&table, "Open: {}");
    let (transition_line, _) = position(&table, "actions: [Unlatch, Swing], to: Closed");
    assert_eq!(
        errors_of(&table),
        format!(
            "door.yaml:{state_line}:{state_column}: `Unlatch` can fail with `Stuck` in `Open` \
             (line {transition_line}), but `Open` has no transition on `Stuck` (help: add \
             `{{ from: Open, on: Stuck, ... }}`: when the action fails the session stays in `Open` \
             and handles `Stuck` there)"
        )
    );
}

#[test]
fn failure_event_cannot_be_must_handle() {
    let table = door_with("must_handle: [Remove]", "must_handle: [Remove, Stuck]");
    let (line, column) = position(&table, "Stuck]");
    let message = errors_of(&table);
    assert!(
        message
            .starts_with(&format!("door.yaml:{line}:{column}: failure event `Stuck` cannot be must-handle")),
        "{message}"
    );
}

#[test]
fn subject_must_be_lowercase_words_and_gets_a_suggestion() {
    let table = door_with("machine: Door", "machine: Door\nsubject: Front Door");
    let (line, column) = position(&table, "Front Door");
    assert_eq!(
        errors_of(&table),
        format!(
            "door.yaml:{line}:{column}: subject `Front Door` is not lowercase words (help: messages \
             read \"while the <subject> is <State>\"; write it like `front door`)"
        )
    );
}

#[test]
fn subject_must_not_start_with_an_article() {
    let table = door_with("machine: Door", "machine: Door\nsubject: the door");
    let (line, column) = position(&table, "the door");
    let message = errors_of(&table);
    assert!(
        message.starts_with(&format!("door.yaml:{line}:{column}: subject `the door` starts with an article")),
        "{message}"
    );
    assert!(message.contains("write it like `door`"), "{message}");
}

#[test]
fn subject_is_the_written_one_or_the_machine_name_in_lower_case() {
    let compile = |table: &str| session_codegen::compile(table).expect("valid table");
    let written = door_with("machine: Door", "machine: Door\nsubject: barn-door hinge2");
    assert_eq!(compile(&written).subject, "barn-door hinge2");
    let renamed = door_with("machine: Door", "machine: BarnDoor");
    assert_eq!(compile(&renamed).subject, "barn door");
}
