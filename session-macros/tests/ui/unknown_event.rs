// A misspelt event.
session_macros::state_machine!("tables/unknown_event.yaml");

fn main() {}
