//! The SIP session runtime.
pub mod machine;
pub mod types;
