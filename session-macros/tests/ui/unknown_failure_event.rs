// An action fails with a misspelt event.
session_macros::state_machine!("tables/unknown_failure_event.yaml");

fn main() {}
