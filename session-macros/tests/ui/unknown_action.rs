// A misspelt action.
session_macros::state_machine!("tables/unknown_action.yaml");

fn main() {}
