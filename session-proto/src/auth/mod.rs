//! Digest access authentication for SIP (RFC 3261 section 22, RFC 7616, RFC 8760),
//! compatible with RFC 2617 and RFC 2069 peers, without I/O.
//!
//! * A client keeps a [`DigestClient`] for one set of [`Credentials`] and answers the
//!   [`Challenge`] of a 401/407 (pick it with [`Challenge::best`]) with an
//!   `Authorization` / `Proxy-Authorization` value.
//! * A server keeps a [`Verifier`] for its realm and a [`Users`] table of HA1 hashes,
//!   sends [`Verifier::challenges`], and checks answers with [`Verifier::verify`].
//!   Its nonces are stateless (issue time, a per-challenge random part and an HMAC
//!   over both), so any node with the same secret checks them; replay of a nonce count
//!   is refused per nonce by the location store with the [`Verdict::Valid`] fields.
//!
//! Time (Unix seconds), the random part of server nonces and client nonces are
//! arguments: the caller draws them from its seeded generator. Passwords, HA1 hashes,
//! the secret and digest responses never reach a log or a `Debug` output.

mod challenge;
mod client;
mod digest;
mod params;
mod server;
mod users;

pub use challenge::Challenge;
pub use client::{Credentials, DigestClient};
pub use digest::Algorithm;
pub use server::{Verdict, Verifier};
pub use users::{Users, UsersError};

/// Why a challenge cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A header we cannot parse. The text says what is wrong, without the header.
    #[error("malformed authentication header: {0}")]
    Malformed(String),
    /// The challenge asks for an algorithm other than `MD5` or `SHA-256` (its name,
    /// cut to 32 characters).
    #[error("unsupported digest algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The server refused the answer to this realm's nonce (a second 401/407 that is not stale).
    #[error("wrong user or password")]
    Rejected,
}
