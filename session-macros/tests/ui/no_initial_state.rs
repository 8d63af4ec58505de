// No state is marked initial.
session_macros::state_machine!("tables/no_initial_state.yaml");

fn main() {}
