// A command listed as ignored, and a request answered 2xx.
session_macros::state_machine!("tables/wrong_disposition.yaml");

fn main() {}
