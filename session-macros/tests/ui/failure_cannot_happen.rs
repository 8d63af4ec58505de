// A transition on a failure event in a state where it cannot happen.
session_macros::state_machine!("tables/failure_cannot_happen.yaml");

fn main() {}
