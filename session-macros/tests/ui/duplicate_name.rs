// A state declared twice.
session_macros::state_machine!("tables/duplicate_name.yaml");

fn main() {}
