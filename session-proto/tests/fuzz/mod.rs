//! Fuzzing on the stable toolchain, shared by `fuzz_parser` and `fuzz_endpoint`: a
//! seeded byte-level mutator over a corpus of valid SIP messages ([`corpus`]), purely
//! arbitrary bytes, and a runner that catches panics, keeps every input that failed
//! and reports what it ran.
//!
//! Settings come from the environment:
//! * `FUZZ_CASES`: how many inputs each target runs (each target has a small default
//!   for CI);
//! * `FUZZ_SEED`: the seed (default [`DEFAULT_SEED`]); a failure names it, with the
//!   case number;
//! * `FUZZ_MUTATE=0`: corpus messages go in unmutated and no arbitrary bytes are made,
//!   the reference of `bench/fuzz.sh`;
//! * `FUZZ_FINDINGS`: where failing inputs are written (default: a `session-proto-fuzz`
//!   directory in the temp directory).
//!
//! Inputs that once failed live in `tests/fuzz/regressions/` and run first, each time.

#![allow(dead_code)] // each target uses a different part

pub mod corpus;
mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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
        *self.tally.entry(what).or_default() += 1;
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
                eprintln!("{}: {kind} in case {case} (seed {}), input kept in {}", self.target, self.seed, path.display());
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

/// A uniformly drawn element of `items`.
pub fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}
