// A table with guards needs the function that evaluates them.
session_macros::state_machine!("tables/kettle.yaml");

fn main() {}
