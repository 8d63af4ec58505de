// A non-terminal state from which no terminal state can be reached.
session_macros::state_machine!("tables/no_way_to_terminal.yaml");

fn main() {}
