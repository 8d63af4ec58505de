//! One call's session: the sans-IO core that implements the table's actions, and the
//! outputs it hands to the adapters that own the sockets.

pub mod core;
pub mod output;

pub use self::core::SessionCore;
pub use output::Output;
