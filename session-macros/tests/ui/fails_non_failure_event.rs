// An action fails with an event that does not come from a failure.
session_macros::state_machine!("tables/fails_non_failure_event.yaml");

fn main() {}
