// A failure event that no action fails with.
session_macros::state_machine!("tables/unused_failure_event.yaml");

fn main() {}
