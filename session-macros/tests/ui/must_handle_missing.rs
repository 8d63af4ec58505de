// A live state that ignores a must-handle event instead of handling it.
session_macros::state_machine!("tables/must_handle_missing.yaml");

fn main() {}
