//! A scripted registrar (and, for the outbound proxy test, a proxy that refuses calls):
//! challenges every REGISTER without credentials, checks answers with `auth::Verifier`
//! against alice/secret, and keeps the bindings it granted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

use session_proto::auth::{Users, Verdict, Verifier};

use crate::net::script::{Replies, header, headers, respond};

pub const REALM: &str = "test.invalid";

/// The registrar, shared between its script and the test that inspects it.
pub type Shared = Rc<RefCell<Registrar>>;

pub struct Registrar {
    verifier: Verifier,
    users: Users,
    start: Instant,
    /// The longest expiry granted.
    pub grant: u32,
    /// 403 to every REGISTER.
    pub forbid: bool,
    /// How long its nonces last, in seconds.
    pub nonce_lifetime: u64,
    /// Puts `received`/`rport` for this address in the Via of its responses, as a
    /// registrar behind which the client's NAT shows another address would.
    pub seen_at: Option<SocketAddr>,
    /// 423 Interval Too Brief below this.
    pub min_expires: Option<u32>,
    /// Never answers.
    pub silent: bool,
    /// Answers every REGISTER with this status and, when given, Retry-After.
    pub refuse: Option<(&'static str, Option<u32>)>,
    /// Answers INVITEs 486 Busy Here.
    pub busy_invites: bool,
    /// Contact URI → seconds granted.
    bindings: HashMap<String, u32>,
    /// The verdict on every answer it checked.
    pub verdicts: Vec<Verdict>,
    tags: u32,
}

impl Registrar {
    pub fn new(start: Instant, configure: impl FnOnce(&mut Registrar)) -> Shared {
        let mut users = Users::new();
        users.insert("alice", "secret", REALM);
        let mut registrar = Registrar {
            verifier: Verifier::new(REALM.into(), [7; 32], 3600),
            users,
            start,
            grant: 3600,
            forbid: false,
            nonce_lifetime: 3600,
            seen_at: None,
            min_expires: None,
            silent: false,
            refuse: None,
            busy_invites: false,
            bindings: HashMap::new(),
            verdicts: Vec::new(),
            tags: 0,
        };
        configure(&mut registrar);
        registrar.verifier = Verifier::new(REALM.into(), [7; 32], registrar.nonce_lifetime);
        Rc::new(RefCell::new(registrar))
    }

    /// What a contact is bound for, if it is.
    pub fn bound(&self, contact: &str) -> Option<u32> {
        self.bindings.get(contact).copied()
    }

    /// The verifier's clock: Unix seconds that follow virtual time.
    fn unix(&self, now: Instant) -> u64 {
        1_700_000_000 + (now - self.start).as_secs()
    }

    fn handle(&mut self, now: Instant, from: SocketAddr, message: &str) -> Replies {
        if self.silent {
            return Vec::new();
        }
        let method = message.split(' ').next().unwrap_or_default();
        self.tags += 1;
        let tag = format!("r{}", self.tags);
        let reply = |status: &str, extra: &[String]| vec![(from, respond(message, status, &tag, extra, ""))];
        match method {
            "REGISTER" => {}
            "INVITE" if self.busy_invites => return reply("486 Busy Here", &[]),
            _ => return Vec::new(),
        }
        if self.forbid {
            return reply("403 Forbidden", &[]);
        }
        if let Some((status, retry_after)) = self.refuse {
            let extra: Vec<String> =
                retry_after.map(|secs| format!("Retry-After: {secs}")).into_iter().collect();
            return reply(status, &extra);
        }
        let unix = self.unix(now);
        let challenge = |stale: bool| {
            let values = self.verifier.challenges(unix, u64::from(self.tags), stale);
            values.iter().map(|c| format!("WWW-Authenticate: {c}")).collect::<Vec<_>>()
        };
        let Some(authorization) = header(message, "Authorization") else {
            return reply("401 Unauthorized", &challenge(false));
        };
        let verdict = self.verifier.verify(authorization, "REGISTER", &self.users, unix);
        self.verdicts.push(verdict.clone());
        match verdict {
            Verdict::Valid { .. } => {}
            Verdict::Stale => return reply("401 Unauthorized", &challenge(true)),
            Verdict::Invalid { .. } => return reply("401 Unauthorized", &challenge(false)),
        }
        let asked: u32 = header(message, "Expires").and_then(|e| e.parse().ok()).unwrap_or(3600);
        if let Some(min) = self.min_expires.filter(|min| asked != 0 && asked < *min) {
            return reply("423 Interval Too Brief", &[format!("Min-Expires: {min}")]);
        }
        for contact in headers(message, "Contact").flat_map(|v| v.split(", ")) {
            let uri = contact.trim_start_matches('<').split('>').next().unwrap_or_default().to_owned();
            let expires = param(contact, "expires").map_or(asked, |e| e.parse().unwrap_or(asked));
            if expires == 0 {
                self.bindings.remove(&uri);
            } else {
                self.bindings.insert(uri, expires.min(self.grant));
            }
        }
        let mut extra: Vec<String> = self
            .bindings
            .iter()
            .map(|(uri, expires)| format!("Contact: <{uri}>;expires={expires}"))
            .collect();
        extra.sort();
        let mut response = respond(message, "200 OK", &tag, &extra, "");
        if let Some(seen) = self.seen_at {
            let via = header(message, "Via").unwrap_or_default();
            let marked = via.replacen(";rport", &format!(";received={};rport={}", seen.ip(), seen.port()), 1);
            response = response.replacen(via, &marked, 1);
        }
        vec![(from, response)]
    }
}

/// The script that runs `registrar`.
pub fn handler(registrar: &Shared) -> impl FnMut(Instant, SocketAddr, &str) -> Replies + 'static {
    let registrar = Rc::clone(registrar);
    move |now, from, message| registrar.borrow_mut().handle(now, from, message)
}

/// The value of `name=value` (quotes dropped) in a header value.
pub fn param(value: &str, name: &str) -> Option<String> {
    value.split([';', ',']).find_map(|p| {
        let (key, val) = p.trim().trim_start_matches("Digest ").split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| val.trim().trim_matches('"').to_owned())
    })
}
