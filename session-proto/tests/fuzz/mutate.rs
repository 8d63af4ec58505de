//! The byte-level mutator: what is done to a valid message to make it a test input.

use rand::Rng;
use rand::rngs::StdRng;

use super::pick;

/// Numbers at the edges of what a parser reads: the u32/u64 limits and one past them,
/// signs, leading zeros, other bases, nothing at all.
const EDGE_NUMBERS: [&str; 16] = [
    "0",
    "1",
    "-1",
    "4294967295",
    "4294967296",
    "2147483647",
    "2147483648",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "00000000000000000001",
    "1e9",
    "0x10",
    "+5",
    " ",
    "",
];

/// Bytes that end, split or break lines and encodings.
const SPECIALS: [&[u8]; 14] = [
    b"\r",
    b"\n",
    b"\0",
    b"\r\n",
    b"\r\n\r\n",
    b"\t",
    b"\r\n ",
    "é".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{10ffff}".as_bytes(),
    "日本".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
];

/// Pieces of SIP syntax, for insertion and for the token soup of arbitrary inputs.
const TOKENS: [&str; 36] = [
    "SIP/2.0",
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "REGISTER",
    "sip:",
    "sips:",
    "tel:",
    "<",
    ">",
    ";",
    ",",
    "=",
    "@",
    ":",
    "\"",
    "\\",
    ";tag=",
    ";branch=z9hG4bK",
    ";lr",
    ";rport",
    ";received=",
    "[::1]",
    "0.0.0.0",
    "%00",
    "%",
    "Via: ",
    "To: ",
    "From: ",
    "Call-ID: ",
    "CSeq: ",
    "Content-Length: ",
    "Contact: *",
    "\r\n",
    " ",
];

/// Characters a long value is made of.
const LONG_UNITS: [&str; 10] = ["a", ";", ",", "<", "\"", " ", "%", "1", ";tag=x", "sip:a@"];

/// Methods and status codes a start line may name, known, unknown and odd.
const METHODS: [&str; 12] = [
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "PUBLISH", "invite", "FOO", "",
    "INV ITE",
];
const CODES: [&str; 12] =
    ["0", "99", "100", "199", "200", "299", "302", "699", "700", "999", "1000", "2000000000"];

/// A seeded mutator over a corpus of valid messages.
pub struct Mutator {
    corpus: Vec<Vec<u8>>,
    mutate: bool,
}

impl Mutator {
    /// A mutator over `corpus`; with `mutate` false, [`Mutator::input`] hands out the
    /// corpus unchanged.
    pub fn new(corpus: Vec<Vec<u8>>, mutate: bool) -> Self {
        Self { corpus, mutate }
    }

    /// One corpus message, unchanged.
    pub fn pick(&self, rng: &mut StdRng) -> Vec<u8> {
        pick(rng, &self.corpus).clone()
    }

    /// One input: a corpus message, [varied](Mutator::vary).
    pub fn input(&self, rng: &mut StdRng) -> Vec<u8> {
        let message = self.pick(rng);
        self.vary(rng, message)
    }

    /// `message` as an input: with mutation on, a tenth of the time arbitrary bytes
    /// instead, otherwise `message` with one to eight mutations (fewer more often);
    /// with mutation off, `message` unchanged.
    pub fn vary(&self, rng: &mut StdRng, mut message: Vec<u8>) -> Vec<u8> {
        if !self.mutate {
            return message;
        }
        if rng.random_ratio(1, 10) {
            return arbitrary(rng);
        }
        let rounds = 1 + rng.random_range(0..8u32).min(rng.random_range(0..8));
        self.mutate(rng, &mut message, rounds);
        message
    }

    /// Applies `rounds` random mutations to `data` (none when mutation is off).
    pub fn mutate(&self, rng: &mut StdRng, data: &mut Vec<u8>, rounds: u32) {
        if !self.mutate {
            return;
        }
        for _ in 0..rounds {
            self.mutate_once(rng, data);
        }
    }

    fn mutate_once(&self, rng: &mut StdRng, data: &mut Vec<u8>) {
        let at = |rng: &mut StdRng, data: &[u8]| rng.random_range(0..=data.len());
        match rng.random_range(0..18) {
            0 => {
                for _ in 0..rng.random_range(1..=8) {
                    if !data.is_empty() {
                        let i = rng.random_range(0..data.len());
                        data[i] ^= 1 << rng.random_range(0..8);
                    }
                }
            }
            1 => {
                let i = at(rng, data);
                data.insert(i, rng.random());
            }
            2 => {
                let i = at(rng, data);
                let end = (i + rng.random_range(1..=16)).min(data.len());
                data.drain(i..end);
            }
            3 => {
                let i = at(rng, data);
                let end = (i + rng.random_range(1..=64)).min(data.len());
                let copy = data[i..end].to_vec();
                let to = at(rng, data);
                data.splice(to..to, copy);
            }
            4 => {
                // A line of another message, inserted or in place of one of ours.
                let other = self.pick(rng);
                let theirs = lines(&other);
                let (start, end) = *pick(rng, &theirs);
                let line = other[start..end].to_vec();
                let ours = lines(data);
                let (from, to) = *pick(rng, &ours);
                let to = if rng.random() { to } else { from };
                data.splice(from..to, line);
            }
            5 | 6 => {
                let head = header_lines(data);
                if head.is_empty() {
                    return;
                }
                let (start, end) = *pick(rng, &head);
                if rng.random() {
                    let line = data[start..end].to_vec();
                    data.splice(start..start, line);
                } else {
                    data.drain(start..end);
                }
            }
            7 => {
                let runs = digit_runs(data);
                if !runs.is_empty() {
                    let (start, end) = *pick(rng, &runs);
                    data.splice(start..end, pick(rng, &EDGE_NUMBERS).bytes());
                }
            }
            8 => content_length(rng, data),
            9 => {
                let value = format!("{} {}", pick(rng, &EDGE_NUMBERS), pick(rng, &METHODS));
                set_header(data, &["cseq"], &value);
            }
            10 => data.truncate(at(rng, data)),
            11 => {
                let i = at(rng, data);
                data.splice(i..i, pick(rng, &SPECIALS).iter().copied());
            }
            12 => {
                let unit = pick(rng, &LONG_UNITS);
                let long = unit.repeat(10_000 / unit.len());
                let i = at(rng, data);
                data.splice(i..i, long.into_bytes());
            }
            13 => {
                let i = at(rng, data);
                data.splice(i..i, pick(rng, &TOKENS).bytes());
            }
            14 => {
                // Another start line: a method or status code, known or not.
                let end = memchr::memmem::find(data, b"\r\n").unwrap_or(data.len());
                let line = if rng.random() {
                    format!("{} sip:bob@example.com SIP/2.0", pick(rng, &METHODS))
                } else {
                    format!("SIP/2.0 {} Whatever", pick(rng, &CODES))
                };
                data.splice(0..end, line.into_bytes());
            }
            15 => {
                let i = at(rng, data);
                let end = (i + rng.random_range(1..=32)).min(data.len());
                for b in &mut data[i..end] {
                    *b = if b.is_ascii_lowercase() { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() };
                }
            }
            16 => {
                // A body of a different size or kind than the headers say.
                let head_end = memchr::memmem::find(data, b"\r\n\r\n").map_or(data.len(), |i| i + 4);
                data.truncate(head_end);
                let bodies: [&[u8]; 4] =
                    [b"v=0\r\nm=audio banana\r\n", b"", b"\0\0\0\xff", b"v=0\r\nc=IN IP4 0.0.0.0\r\n"];
                let body = *pick(rng, &bodies);
                data.extend_from_slice(body);
            }
            _ => {
                // Whitespace and folding around a header's colon.
                let spots: Vec<usize> = memchr::memchr_iter(b':', data).collect();
                if !spots.is_empty() {
                    let i = *pick(rng, &spots);
                    let pads: [&[u8]; 4] = [b" :", b" :  ", b":\r\n ", b":\t\t"];
                    data.splice(i..=i, pick(rng, &pads).iter().copied());
                }
            }
        }
    }
}

/// Purely arbitrary input: random bytes, or a soup of SIP tokens and special bytes.
pub fn arbitrary(rng: &mut StdRng) -> Vec<u8> {
    if rng.random() {
        let len =
            if rng.random_ratio(1, 50) { rng.random_range(0..70_000) } else { rng.random_range(0..1_500) };
        (0..len).map(|_| rng.random()).collect()
    } else {
        let mut out = Vec::new();
        for _ in 0..rng.random_range(1..=80) {
            if rng.random_ratio(1, 4) {
                let special = *pick(rng, &SPECIALS);
                out.extend_from_slice(special);
            } else {
                out.extend_from_slice(pick(rng, &TOKENS).as_bytes());
            }
        }
        out
    }
}

/// The byte ranges of the lines of `data`, each with its line end.
fn lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', data) {
        out.push((start, end + 1));
        start = end + 1;
    }
    if start < data.len() || out.is_empty() {
        out.push((start, data.len()));
    }
    out
}

/// The lines of the header section, start line and blank line excluded.
fn header_lines(data: &[u8]) -> Vec<(usize, usize)> {
    let head_end = memchr::memmem::find(data, b"\r\n\r\n").map_or(data.len(), |i| i + 2);
    lines(&data[..head_end]).into_iter().skip(1).filter(|&(_, end)| end <= head_end).collect()
}

/// The byte ranges of the runs of ASCII digits.
fn digit_runs(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        if data[i].is_ascii_digit() {
            let start = i;
            while i < data.len() && data[i].is_ascii_digit() {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Content-Length larger or smaller than the body, negative, huge, not a number, or gone.
fn content_length(rng: &mut StdRng, data: &mut Vec<u8>) {
    let body = memchr::memmem::find(data, b"\r\n\r\n").map_or(0, |i| data.len() - i - 4);
    let value = match rng.random_range(0..8) {
        0 => (body + 1).to_string(),
        1 => body.saturating_sub(1).to_string(),
        2 => (body + 1000).to_string(),
        3 => "0".into(),
        4 => "-1".into(),
        5 => "18446744073709551616".into(),
        6 => "abc".into(),
        _ => {
            remove_header(data, &["content-length", "l"]);
            return;
        }
    };
    set_header(data, &["content-length", "l"], &value);
}

/// The range of the value of the first header named one of `names` (lowercase).
fn header_value(data: &[u8], names: &[&str]) -> Option<(usize, usize, usize)> {
    header_lines(data).into_iter().find_map(|(start, end)| {
        let line = &data[start..end];
        let colon = memchr::memchr(b':', line)?;
        let name = String::from_utf8_lossy(&line[..colon]).trim().to_ascii_lowercase();
        let value_end = end - line.iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        names.contains(&name.as_str()).then_some((start, start + colon + 1, value_end.max(start + colon + 1)))
    })
}

/// Replaces the value of the first header named one of `names`.
fn set_header(data: &mut Vec<u8>, names: &[&str], value: &str) {
    if let Some((_, from, to)) = header_value(data, names) {
        data.splice(from..to, format!(" {value}").into_bytes());
    }
}

fn remove_header(data: &mut Vec<u8>, names: &[&str]) {
    if let Some((start, _, value_end)) = header_value(data, names) {
        let end = (value_end + 2).min(data.len());
        data.drain(start..end);
    }
}
