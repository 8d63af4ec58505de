// Two states are marked initial.
session_macros::state_machine!("tables/several_initial_states.yaml");

fn main() {}
