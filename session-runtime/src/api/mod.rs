//! The public API: sessions, calls and the peer that places and answers them.

mod session_manager;

pub use session_manager::{Lifecycle, Processed, SessionError, SessionManager};
