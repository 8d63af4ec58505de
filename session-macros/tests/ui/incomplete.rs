// A state that does not say what happens on some events.
session_macros::state_machine!("tables/incomplete.yaml");

fn main() {}
