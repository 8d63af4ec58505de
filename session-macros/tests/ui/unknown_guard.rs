// A misspelt guard.
session_macros::state_machine!("tables/unknown_guard.yaml");

fn main() {}
