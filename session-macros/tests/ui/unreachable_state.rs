// A state no transition leads to.
session_macros::state_machine!("tables/unreachable_state.yaml");

fn main() {}
