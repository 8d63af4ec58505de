//! Helpers shared by the runtime's integration tests.

#![allow(dead_code)] // each test file uses a different part

pub mod redis_server;
pub mod servers;
pub mod tones;
