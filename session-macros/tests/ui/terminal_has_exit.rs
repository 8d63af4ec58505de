// A transition leaves a terminal state.
session_macros::state_machine!("tables/terminal_has_exit.yaml");

fn main() {}
