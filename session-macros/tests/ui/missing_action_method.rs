// An action the table declares and uses must be implemented: the generated trait has
// one required method per action and no default bodies, so leaving `hang` out is an
// error in the implementing crate.
session_macros::state_machine!("tables/phone.yaml");

struct Bell;

impl PhoneActions for Bell {
    type Error = std::convert::Infallible;

    async fn ring(&mut self, _to: &str) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn main() {}
