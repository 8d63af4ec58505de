//! The location store that several nodes share: bindings and nonce counts in Redis, each
//! job one Lua script, so that it is atomic across nodes.
//!
//! # Keys
//!
//! - `loc:{aor}` — a hash per address of record: field = the contact URI, value = the
//!   rest of the binding, `expires_at \n source \n cseq \n call_id` (Unix seconds, a
//!   socket address, a decimal, then the Call-ID, last so that it may hold anything).
//!   Redis has no expiry per field (before 7.4), so each job drops the fields whose
//!   `expires_at` is not after its `now`, and sets the key's TTL to the longest binding's
//!   remaining time: an AoR nobody asks for again goes away on its own.
//! - `nc:{nonce}` — the highest `nc` seen for a digest nonce, with a TTL up to the
//!   nonce's `expires_at`.
//!
//! TTLs are computed from the job's `now`, not from Redis's clock; the nodes' clocks are
//! what must agree (NTP). Every key of a job is named in the script's `KEYS`; a job
//! touches its AoR's key and its nonce's, which a Redis Cluster would need in one slot,
//! so this store is for one Redis (or a primary with replicas), not a cluster.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script, Value};

use super::{Binding, BindingChange, LocationAnswer, LocationFuture, LocationJob, LocationStore};

/// How long one attempt to connect, and one command, may take before the job fails.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Reconnection attempts after a lost connection, before commands fail at once.
const RETRIES: usize = 3;

/// One job: KEYS[1] the AoR's hash, KEYS[2] (when there is a nonce) its count.
/// ARGV[1] now, ARGV[2] nc, ARGV[3] the nonce record's TTL, then the changes: `U`
/// contact value, `R` contact, `A`. Answers `{0}` for a replay, else `{1, contact,
/// value, …}` with the bindings that have not expired.
const JOB: &str = r"
local now = tonumber(ARGV[1])
if #KEYS > 1 then
  local last = redis.call('GET', KEYS[2])
  if last and tonumber(ARGV[2]) <= tonumber(last) then
    return {0}
  end
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
local i = 4
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'U' then
    redis.call('HSET', KEYS[1], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'R' then
    redis.call('HDEL', KEYS[1], ARGV[i + 1])
    i = i + 2
  else
    redis.call('DEL', KEYS[1])
    i = i + 1
  end
end
local all = redis.call('HGETALL', KEYS[1])
local out = {1}
local latest = 0
for j = 1, #all, 2 do
  local expires = tonumber(string.match(all[j + 1], '^(%d+)\n'))
  if expires and expires > now then
    out[#out + 1] = all[j]
    out[#out + 1] = all[j + 1]
    if expires > latest then latest = expires end
  else
    redis.call('HDEL', KEYS[1], all[j])
  end
end
if latest > now then
  redis.call('EXPIRE', KEYS[1], latest - now)
end
return out
";

/// The script, hashed once (it is sent by its SHA1, loaded on the first `NOSCRIPT`).
static SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(JOB));

/// Where the nodes' shared nonce secret is kept (64 hex digits).
const SECRET_KEY: &str = "simplepeer:nonce-secret";

/// 64 hex digits as 32 bytes.
fn decode_secret(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut secret = [0u8; 32];
    for (byte, pair) in secret.iter_mut().zip(digits.chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(secret)
}

/// Why a [`RedisStore`] could not be made, or could not give the shared secret.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The URL is not one of Redis's (`redis://host:port/db`).
    #[error("not a Redis URL (want redis://host:port): {0}")]
    Url(#[source] redis::RedisError),
    /// Redis did not answer.
    #[error("cannot reach Redis at {addr} (is redis-server running there?): {source}")]
    Connect {
        /// Where (host and port; never the URL, which may hold a password).
        addr: String,
        /// What went wrong.
        #[source]
        source: redis::RedisError,
    },
    /// The key `simplepeer:nonce-secret` holds something else than 64 hex digits.
    #[error(
        "Redis at {addr} holds a malformed simplepeer:nonce-secret; delete the key and restart the nodes"
    )]
    BadSecret {
        /// Where.
        addr: String,
    },
}

/// Bindings and nonce counts in Redis, shared by every node that uses the same Redis.
///
/// Cheap to clone: the clones share one connection, which reconnects by itself after a
/// failure. A job that fails (Redis down, a timeout) answers
/// [`LocationAnswer::Failed`] with a message that names Redis.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    /// Host and port, for messages.
    addr: Arc<str>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://127.0.0.1:6379`, `redis://:password@host/2`).
    ///
    /// # Errors
    ///
    /// The URL is not a Redis one, or Redis does not answer.
    pub async fn connect(url: &str) -> Result<Self, RedisError> {
        let client = Client::open(url).map_err(RedisError::Url)?;
        let addr: Arc<str> = client.get_connection_info().addr().to_string().into();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(RETRIES);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|source| RedisError::Connect { addr: addr.to_string(), source })?;
        Ok(Self { connection, addr })
    }

    /// The secret that signs digest nonces, the same for every node on this Redis: the
    /// first node to ask stores a random one (`SET NX`), the others read it. Nodes that
    /// share bindings must share it, or a nonce from one fails at the other.
    ///
    /// # Errors
    ///
    /// Redis did not answer, or holds something under the key that is not a secret.
    pub async fn shared_secret(&self) -> Result<[u8; 32], RedisError> {
        let fresh: [u8; 32] = rand::random();
        let fresh: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        let failed = |source| RedisError::Connect { addr: self.addr.to_string(), source };
        let mut connection = self.connection.clone();
        let _: Option<String> = redis::cmd("SET")
            .arg(SECRET_KEY)
            .arg(&fresh)
            .arg("NX")
            .query_async(&mut connection)
            .await
            .map_err(failed)?;
        let stored: String =
            redis::cmd("GET").arg(SECRET_KEY).query_async(&mut connection).await.map_err(failed)?;
        decode_secret(&stored).ok_or_else(|| RedisError::BadSecret { addr: self.addr.to_string() })
    }

    /// Runs `job` to its answer.
    pub async fn answer(&self, job: &LocationJob) -> LocationAnswer {
        let (aor, nonce, now) = super::parts(job);
        let mut invocation = SCRIPT.key(format!("loc:{aor}"));
        if let Some(nonce) = nonce {
            let ttl = nonce.expires_at.saturating_sub(now).max(1);
            invocation.key(format!("nc:{}", nonce.nonce)).arg(now).arg(nonce.nc).arg(ttl);
        } else {
            invocation.arg(now).arg("").arg("");
        }
        for change in super::changes(job) {
            match change {
                BindingChange::Upsert(binding) => {
                    invocation.arg("U").arg(&binding.contact).arg(encode(binding));
                }
                BindingChange::Remove { contact } => {
                    invocation.arg("R").arg(contact);
                }
                BindingChange::RemoveAll => {
                    invocation.arg("A");
                }
            }
        }
        let mut connection = self.connection.clone();
        match invocation.invoke_async::<Vec<Value>>(&mut connection).await {
            Ok(reply) => self.read(aor, &reply),
            Err(error) => {
                tracing::warn!(addr = %self.addr, %error, "a location job failed in Redis");
                LocationAnswer::Failed(format!("Redis at {}: {error}", self.addr))
            }
        }
    }

    /// The answer in the script's reply.
    fn read(&self, aor: &str, reply: &[Value]) -> LocationAnswer {
        match reply.first() {
            Some(Value::Int(0)) => return LocationAnswer::Replayed,
            Some(Value::Int(1)) => {}
            _ => {
                return LocationAnswer::Failed(format!(
                    "Redis at {}: unexpected reply to the location script",
                    self.addr
                ));
            }
        }
        let mut bindings: Vec<Binding> = reply[1..]
            .chunks_exact(2)
            .filter_map(|pair| {
                let (Value::BulkString(contact), Value::BulkString(value)) = (&pair[0], &pair[1]) else {
                    return None;
                };
                let decoded =
                    String::from_utf8(contact.clone()).ok().and_then(|contact| decode(contact, value));
                if decoded.is_none() {
                    tracing::warn!(aor, addr = %self.addr, "a binding in Redis cannot be read; skipped");
                }
                decoded
            })
            .collect();
        bindings.sort_by(|a, b| a.contact.cmp(&b.contact));
        LocationAnswer::Bindings(bindings)
    }
}

impl LocationStore for RedisStore {
    fn run(&self, job: LocationJob) -> LocationFuture {
        let store = self.clone();
        Box::pin(async move { store.answer(&job).await })
    }
}

/// A binding's hash value: everything but the contact, which is the field.
fn encode(binding: &Binding) -> String {
    format!("{}\n{}\n{}\n{}", binding.expires_at, binding.source, binding.cseq, binding.call_id)
}

/// The binding of `contact` from its hash value, if it is one [`encode`] wrote.
fn decode(contact: String, value: &[u8]) -> Option<Binding> {
    let value = std::str::from_utf8(value).ok()?;
    let mut fields = value.splitn(4, '\n');
    let expires_at = fields.next()?.parse().ok()?;
    let source: SocketAddr = fields.next()?.parse().ok()?;
    let cseq = fields.next()?.parse().ok()?;
    let call_id = fields.next()?.to_owned();
    Some(Binding { contact, source, expires_at, call_id, cseq })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_survives_its_encoding_whatever_its_call_id_holds() {
        let binding = Binding {
            contact: "sip:alice@[2001:db8::4]:5062;transport=udp".into(),
            source: "[2001:db8::4]:5062".parse().unwrap(),
            expires_at: 1_700_000_000,
            call_id: "odd\nid\n with separators@host".into(),
            cseq: u32::MAX,
        };
        let value = encode(&binding);
        assert_eq!(decode(binding.contact.clone(), value.as_bytes()), Some(binding));
    }

    #[test]
    fn values_it_did_not_write_are_refused_not_guessed() {
        for value in
            ["", "12", "12\nnot-an-address\n1\nc", "x\n127.0.0.1:5060\n1\nc", "12\n127.0.0.1:5060\n-1\nc"]
        {
            assert_eq!(decode("sip:a@h".into(), value.as_bytes()), None, "{value:?}");
        }
    }
}
