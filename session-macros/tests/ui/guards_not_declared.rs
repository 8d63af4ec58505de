// A table without guards takes no guard function.
session_macros::state_machine!("tables/phone.yaml", guards = holds);

fn holds(_: Guard, _: &Event) -> bool {
    false
}

fn main() {}
