// Broken YAML: the parser's position is reported.
session_macros::state_machine!("tables/yaml_syntax.yaml");

fn main() {}
