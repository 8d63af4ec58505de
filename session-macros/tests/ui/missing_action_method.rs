// An action the table declares and uses must be implemented: the generated trait has
// one required method per action and no default bodies, so leaving `hang` out is an
// error in the implementing crate.
session_macros::state_machine!("tables/phone.yaml");

struct Bell;

impl PhoneActions for Bell {
    fn dial(&mut self, _to: &str) -> Result<(), failure::NoLine> {
        Ok(())
    }

    fn ring(&mut self, _to: &str) {}

    fn beep(&mut self, _why: &str) {}
}

fn main() {}
