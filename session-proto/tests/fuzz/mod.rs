//! Fuzzing on the stable toolchain, shared by `fuzz_parser` and `fuzz_endpoint`: a
//! seeded byte-level mutator over a corpus of valid SIP messages ([`corpus`]), purely
//! arbitrary bytes, and a runner that catches panics, keeps the first inputs that
//! failed and reports what it ran.
//!
//! Settings come from the environment:
//! * `FUZZ_CASES`: how many inputs each target runs (each target has a small default
//!   for CI);
//! * `FUZZ_SEED`: the seed (default [`DEFAULT_SEED`]); a failure names it, with the
//!   case number;
//! * `FUZZ_ONLY`: `fuzz_endpoint` replays that one case alone (with the same
//!   `FUZZ_SEED`), showing what was fed and sent, and what a node kept;
//! * `FUZZ_MUTATE=0`: corpus messages go in unmutated and no arbitrary bytes are made,
//!   the reference of `bench/fuzz.sh`;
//! * `FUZZ_FINDINGS`: where failing inputs are written (default: a `session-proto-fuzz`
//!   directory in the temp directory).
//!
//! The parser's inputs that once failed live in `tests/fuzz/regressions/` (kept byte
//! for byte: their `.gitattributes` says `-text`) and run first, each time; the
//! endpoint's are scripted tests in `fuzz_endpoint.rs`, their sessions being long.

#![allow(dead_code)] // each target uses a different part

pub mod corpus;
mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use session_proto::sip::inbound::{MAX_HEADER_BYTES, parse};

pub use self::mutate::Mutator;

/// The seed when `FUZZ_SEED` is not set.
pub const DEFAULT_SEED: u64 = 0x5ee0_f022;

/// How many inputs to run: `FUZZ_CASES`, or `default`.
pub fn cases(default: u64) -> u64 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

/// The seed: `FUZZ_SEED`, or [`DEFAULT_SEED`].
pub fn seed() -> u64 {
    std::env::var("FUZZ_SEED").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_SEED)
}

/// `FUZZ_ONLY`: the one case to replay, when set.
pub fn only() -> Option<u64> {
    std::env::var("FUZZ_ONLY").ok().and_then(|v| v.trim().parse().ok())
}

/// Whether inputs are mutated (`FUZZ_MUTATE` is not `0`).
pub fn mutating() -> bool {
    std::env::var("FUZZ_MUTATE").map_or(true, |v| v.trim() != "0")
}

/// A generator for case `case` of a run seeded with `seed`: each case has its own
/// stream, so one case is replayed alone from the two numbers.
pub fn case_rng(seed: u64, case: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The inputs kept in `tests/fuzz/regressions/` whose file names start with `prefix`,
/// by name.
pub fn regressions(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path()).ok()?;
            name.starts_with(prefix).then_some((name, bytes))
        })
        .collect();
    found.sort();
    found
}

/// Runs `f`, turning a panic into its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// One failing input: the case it came from, its bytes (a whole session's datagrams
/// for the endpoint target), and what went wrong.
#[derive(Debug)]
pub struct Finding {
    pub case: u64,
    pub input: Vec<u8>,
    pub what: String,
}

/// What a target ran, and what it found.
#[derive(Debug)]
pub struct Report {
    pub target: &'static str,
    pub seed: u64,
    pub inputs: u64,
    /// Panics.
    pub crashes: Vec<Finding>,
    /// Properties that did not hold.
    pub violations: Vec<Finding>,
    /// Named counts of what the inputs did (accepted, refused, …), for the summary.
    pub tally: std::collections::BTreeMap<&'static str, u64>,
}

impl Report {
    pub fn new(target: &'static str, seed: u64) -> Self {
        Self {
            target,
            seed,
            inputs: 0,
            crashes: Vec::new(),
            violations: Vec::new(),
            tally: Default::default(),
        }
    }

    /// Counts one occurrence of `what`.
    pub fn count(&mut self, what: &'static str) {
        self.add(what, 1);
    }

    /// Keeps the largest `n` seen as `what`.
    pub fn max(&mut self, what: &'static str, n: usize) {
        let largest = self.tally.entry(what).or_default();
        *largest = (*largest).max(n as u64);
    }

    /// Counts `n` occurrences of `what`.
    pub fn add(&mut self, what: &'static str, n: usize) {
        *self.tally.entry(what).or_default() += n as u64;
    }

    /// Records the outcome of case `case` over `input`: a panic (`Err`), a property
    /// that did not hold (`Ok(Err)`), or nothing. The first findings of each kind are
    /// written to `FUZZ_FINDINGS`; every one is counted.
    pub fn record(&mut self, case: u64, input: &[u8], outcome: Result<Result<(), String>, String>) {
        let (kind, what) = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(what)) => ("violation", what),
            Err(what) => ("crash", what),
        };
        let list = if kind == "crash" { &mut self.crashes } else { &mut self.violations };
        if list.len() < KEPT {
            let dir = findings_dir();
            let path = dir.join(format!("{}-{kind}-{:x}-{case}.bin", self.target, self.seed));
            if std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, input)).is_ok() {
                eprintln!(
                    "{}: {kind} in case {case} (seed {}), input kept in {}",
                    self.target,
                    self.seed,
                    path.display()
                );
            }
        }
        list.push(Finding { case, input: input.to_vec(), what });
    }

    /// Prints the summary line `bench/fuzz.sh` reads, then fails when anything was
    /// found, showing the first findings.
    pub fn finish(self) {
        let tally: Vec<String> = self.tally.iter().map(|(k, v)| format!("{k}={v}")).collect();
        eprintln!(
            "FUZZ target={} seed={} inputs={} crashes={} violations={} {}",
            self.target,
            self.seed,
            self.inputs,
            self.crashes.len(),
            self.violations.len(),
            tally.join(" ")
        );
        let shown: Vec<String> = self
            .crashes
            .iter()
            .map(|f| ("panic", f))
            .chain(self.violations.iter().map(|f| ("property", f)))
            .take(KEPT)
            .map(|(kind, f)| format!("{kind} in case {}: {}\n  input: {}", f.case, f.what, escaped(&f.input)))
            .collect();
        assert!(
            shown.is_empty(),
            "{}: {} panics and {} broken properties in {} inputs (seed {}):\n{}",
            self.target,
            self.crashes.len(),
            self.violations.len(),
            self.inputs,
            self.seed,
            shown.join("\n")
        );
    }
}

/// How many findings of each kind are written out and shown.
const KEPT: usize = 5;

fn findings_dir() -> PathBuf {
    std::env::var_os("FUZZ_FINDINGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("session-proto-fuzz"))
}

/// `bytes` as printable ASCII (escapes for the rest), clipped to 600 characters.
pub fn escaped(bytes: &[u8]) -> String {
    let text = bytes.escape_ascii().to_string();
    match text.char_indices().nth(600) {
        Some((at, _)) => format!("{}… ({} bytes)", &text[..at], bytes.len()),
        None => text,
    }
}

/// The length of a datagram's header section (the whole datagram without a blank line).
pub fn head_len(datagram: &[u8]) -> usize {
    memchr::memmem::find(datagram, b"\r\n\r\n").unwrap_or(datagram.len())
}

/// The most the stack adds of its own to what it copies from a peer into one message.
const OWN_LINES: usize = 4096;

/// Whether a datagram the stack sent is excused for a header section past its parser's
/// 16 KiB limit: the stack copies what a peer sent (Via, From, To, Record-Route, a
/// Contact as the Request-URI: up to 16 KiB of it) into its answers and requests and
/// adds lines of its own, so it may pass the limit when `largest_input_head`, the
/// largest header section it was sent, came near it. A known limit; larger still is
/// not excused.
pub fn oversized_excused(sent: &[u8], largest_input_head: usize) -> bool {
    let head = head_len(sent);
    head > MAX_HEADER_BYTES && head <= largest_input_head + OWN_LINES
}

/// Whether an error response that does not parse is excused. The stack answers a
/// request it refuses by copying the request's Via, From, To, Call-ID and CSeq lines
/// (`write::raw_error_response`), so an answer to a request whose lines are unsound is
/// unsound too. Excused: an answer whose copied lines, under a sound request line,
/// make no request that parses either (they are picked here as the stack picks them:
/// by long or compact name, up to the first empty line of the first 16 KiB). A status
/// below 400 is never excused.
pub fn answer_may_not_parse(request: &[u8], answer: &[u8]) -> bool {
    let is_error = answer.starts_with(b"SIP/2.0 4") || answer.starts_with(b"SIP/2.0 5");
    if !is_error {
        return false;
    }
    let text = String::from_utf8_lossy(&request[..request.len().min(MAX_HEADER_BYTES)]);
    let (mut lines, mut method) = (String::new(), "OPTIONS".to_owned());
    for raw in text.lines().skip(1).take_while(|l| !l.is_empty()) {
        let Some((name, value)) = raw.split_once(':') else { continue };
        let name = name.trim().to_ascii_lowercase();
        if ["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"].contains(&name.as_str()) {
            lines.push_str(&format!("{name}: {}\r\n", value.trim()));
        }
        if name == "cseq" {
            method = value.split_whitespace().nth(1).unwrap_or_default().to_owned();
        }
    }
    let probe = format!("{method} sip:probe@example.com SIP/2.0\r\n{lines}Content-Length: 0\r\n\r\n");
    parse(probe.as_bytes(), "").is_err()
}

/// A uniformly drawn element of `items`.
pub fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}
