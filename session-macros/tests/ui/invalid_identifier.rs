// A state name that cannot be a Rust enum variant.
session_macros::state_machine!("tables/invalid_identifier.yaml");

fn main() {}
