// A misspelt target state; the error suggests the right one.
session_macros::state_machine!("tables/unknown_state.yaml");

fn main() {}
