// An event, an action and a guard that no transition uses.
session_macros::state_machine!("tables/unused_declarations.yaml");

fn main() {}
