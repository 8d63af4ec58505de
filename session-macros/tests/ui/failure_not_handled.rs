// An action that can fail runs in a state with no transition on its failure.
session_macros::state_machine!("tables/failure_not_handled.yaml");

fn main() {}
