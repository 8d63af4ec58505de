// A subject that does not read as lowercase words in "while the … is Idle".
session_macros::state_machine!("tables/subject_not_lowercase.yaml");

fn main() {}
