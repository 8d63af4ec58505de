// The macro takes the table's path and `guards = PATH`, nothing else.
session_macros::state_machine!("tables/phone.yaml", guard = holds);

fn main() {}
