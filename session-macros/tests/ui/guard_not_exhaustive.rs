// A guarded transition with no fallback: some cases fall through.
session_macros::state_machine!("tables/guard_not_exhaustive.yaml");

fn main() {}
