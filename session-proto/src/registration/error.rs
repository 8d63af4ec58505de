//! Why a registration failed.

use crate::sip::write::reason_phrase;

/// Why a registration ended in `Failed`, carried by [`crate::Event::Registration`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// The registrar refused our credentials: a second challenge after we answered one
    /// (401/407), or 403 Forbidden.
    #[error("wrong user or password ({code} from the registrar): check the user and password")]
    WrongCredentials {
        /// The status that said so (401, 403 or 407).
        code: u16,
    },
    /// The registrar refused the registration for another reason.
    #[error("the registrar rejected the registration with {code} {}", reason_phrase(*code))]
    Rejected {
        /// Its status code.
        code: u16,
    },
    /// The registrar did not answer in time (Timer F, 32 s by default).
    #[error("the registrar did not answer in time; check its address and that it is running")]
    Timeout,
    /// The registrar could not be reached (its name not found, say).
    #[error("cannot reach the registrar: {0}")]
    Transport(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrong_credentials_message_says_what_to_check() {
        let text = RegistrationError::WrongCredentials { code: 401 }.to_string();
        assert!(text.contains("401") && text.contains("check the user and password"), "{text}");
        let rejected = RegistrationError::Rejected { code: 404 }.to_string();
        assert!(rejected.contains("404 Not Found"), "{rejected}");
    }
}
