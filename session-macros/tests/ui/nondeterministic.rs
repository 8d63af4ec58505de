// Two unguarded transitions for the same state and event.
session_macros::state_machine!("tables/nondeterministic.yaml");

fn main() {}
