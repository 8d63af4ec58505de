// A failure event listed under `unhandled`.
session_macros::state_machine!("tables/failure_listed_unhandled.yaml");

fn main() {}
