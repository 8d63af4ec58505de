//! # session-core
//!
//! A SIP session core whose call behaviour is written once, as data, in
//! `state_table.yaml`, and compiled into typed Rust at build time.
//!
//! This crate is the facade: it re-exports [`session_runtime`] and hosts the
//! `simplepeer` command-line tool.

#![warn(missing_docs)]

pub use session_runtime::*;

/// The Markdown page with the state graph, rendered by `build.rs` from the table.
/// `docs/state-graph.md` must equal it.
pub const STATE_GRAPH_PAGE: &str = include_str!(concat!(env!("OUT_DIR"), "/state-graph.md"));
