//! A small jitter buffer keyed on 16-bit RTP sequence numbers.
//!
//! Packets are pushed as they arrive, in any order; the caller pops one frame
//! per 20 ms tick with [`JitterBuffer::pop_frame`]. The buffer reorders,
//! drops duplicates and packets that arrive behind the playout point, and
//! reports a missing frame as [`Playout::Lost`] so the caller can insert
//! silence (or concealment) and the loss is counted.
//!
//! Sequence numbers are extended to 64 bits relative to the highest one seen
//! (RFC 3550 appendix A.1), so the wrap from 65535 to 0 is seamless. A jump of
//! more than [`MAX_DROPOUT`] either way is taken as a restarted stream: the
//! buffer resynchronises on the new packet without counting loss.
//!
//! Playout starts (and restarts after an underrun) once `depth` frames are
//! buffered, or after `depth + 1` ticks with at least one frame waiting, so a
//! short burst is still played. An empty buffer with nothing newer is an
//! underrun, reported as [`Playout::Buffering`] and *not* counted as loss: a
//! peer that stops sending (hold, silence suppression) is not losing packets.
//!
//! Packets of the same stream that carry no audio (RFC 4733 telephone-events,
//! comfort noise) still use sequence numbers; mark them with
//! [`JitterBuffer::skip`] so playout passes over them without a tick and
//! without counting a loss.
//!
//! ```
//! use session_media::jitter::{JitterBuffer, Playout};
//! let mut jb = JitterBuffer::new(2);
//! jb.push(11, "b");
//! jb.push(10, "a"); // reordered
//! assert_eq!(jb.pop_frame(), Playout::Frame { seq: 10, item: "a" });
//! assert_eq!(jb.pop_frame(), Playout::Frame { seq: 11, item: "b" });
//! assert_eq!(jb.pop_frame(), Playout::Buffering);
//! ```

// Handles network input: no indexing that could panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::BTreeMap;

/// Default depth: 3 frames = 60 ms.
pub const DEFAULT_DEPTH: usize = 3;
/// A sequence jump larger than this (either way) restarts the stream.
pub const MAX_DROPOUT: i64 = 3000;
/// How far ahead of the playout point, in multiples of the depth, a packet
/// may be before the playout point is pulled forward (bounds memory).
const CAPACITY_FACTOR: usize = 4;
/// Offset for the first extended sequence number, keeping them positive.
const EXT_BASE: i64 = 1 << 20;

/// What one tick of playout yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout<T> {
    /// The frame due now.
    Frame {
        /// Its RTP sequence number.
        seq: u16,
        /// The buffered item (usually a decoded [`AudioFrame`](crate::AudioFrame)).
        item: T,
    },
    /// The frame due now never arrived; it has been counted as lost.
    Lost {
        /// The missing RTP sequence number.
        seq: u16,
    },
    /// Nothing to play yet: starting up, refilling after an underrun, or the
    /// peer is not sending. Not counted as loss.
    Buffering,
}

impl<T> Playout<T> {
    /// The item, if this tick yields one.
    pub fn into_item(self) -> Option<T> {
        match self {
            Playout::Frame { item, .. } => Some(item),
            _ => None,
        }
    }

    /// `true` for [`Playout::Lost`].
    pub fn is_lost(&self) -> bool {
        matches!(self, Playout::Lost { .. })
    }
}

/// What happened to a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Buffered for playout.
    Queued,
    /// Already buffered or already played: dropped.
    Duplicate,
    /// Behind the playout point: dropped.
    Late,
    /// A sequence jump beyond [`MAX_DROPOUT`]: the buffer restarted on it.
    Resynced,
}

/// Counters kept by a [`JitterBuffer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Packets accepted into the buffer.
    pub received: u64,
    /// Frames that were due but missing.
    pub lost: u64,
    /// Packets that arrived behind the playout point, or were pushed out
    /// unplayed because the buffer overflowed.
    pub late: u64,
    /// Packets received twice.
    pub duplicate: u64,
}

/// One buffered sequence number.
#[derive(Debug, Clone)]
enum Slot<T> {
    Item(T),
    /// A packet without audio: passed over at playout.
    Skip,
}

/// Reorders packets by sequence number and releases them at playout cadence.
#[derive(Debug, Clone)]
pub struct JitterBuffer<T> {
    depth: usize,
    slots: BTreeMap<i64, Slot<T>>,
    /// Extended sequence number of the next frame to play (valid once `started`).
    next: i64,
    /// Highest extended sequence number accepted.
    highest: i64,
    started: bool,
    playing: bool,
    played_any: bool,
    /// Ticks spent buffering with at least one frame waiting.
    waited: usize,
    /// Bit `i` set: extended sequence `next - 1 - i` was played.
    history: u128,
    stats: JitterStats,
}

impl<T> Default for JitterBuffer<T> {
    fn default() -> Self {
        Self::new(DEFAULT_DEPTH)
    }
}

impl<T> JitterBuffer<T> {
    /// A buffer that holds `depth` frames before playout starts (minimum 1).
    pub fn new(depth: usize) -> Self {
        Self {
            depth: depth.max(1),
            slots: BTreeMap::new(),
            next: 0,
            highest: 0,
            started: false,
            playing: false,
            played_any: false,
            waited: 0,
            history: 0,
            stats: JitterStats::default(),
        }
    }

    /// The configured depth in frames.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Frames currently buffered.
    pub fn len(&self) -> usize {
        self.slots.values().filter(|s| matches!(s, Slot::Item(_))).count()
    }

    /// `true` when no frame is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` while frames are being released (not buffering).
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// The counters so far.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Forgets every buffered frame and the sequence state (counters are kept).
    /// Use when the remote stream changes (new SSRC, re-INVITE).
    pub fn reset(&mut self) {
        self.slots.clear();
        self.started = false;
        self.playing = false;
        self.played_any = false;
        self.waited = 0;
        self.history = 0;
    }

    fn capacity(&self) -> i64 {
        (self.depth * CAPACITY_FACTOR) as i64
    }

    fn extend(&self, seq: u16) -> i64 {
        // Truncating `as` casts keep the low 16 bits; the i16 cast makes the
        // difference signed so that 65535 → 0 is a step of +1.
        let delta = seq.wrapping_sub(self.highest as u16) as i16;
        self.highest + i64::from(delta)
    }

    fn restart_at(&mut self, ext: i64) {
        self.reset();
        self.started = true;
        self.next = ext;
        self.highest = ext;
    }

    /// Offers one packet's item with its RTP sequence number.
    pub fn push(&mut self, seq: u16, item: T) -> PushOutcome {
        self.insert(seq, Slot::Item(item))
    }

    /// Marks a sequence number whose packet carries no audio (a DTMF event,
    /// comfort noise), so that playout passes over it instead of reporting
    /// it lost. Duplicate and late marks are reported like packets, but only
    /// audio packets count in [`JitterStats::received`].
    pub fn skip(&mut self, seq: u16) -> PushOutcome {
        self.insert(seq, Slot::Skip)
    }

    fn insert(&mut self, seq: u16, slot: Slot<T>) -> PushOutcome {
        let mut outcome = PushOutcome::Queued;
        let ext = if self.started {
            self.extend(seq)
        } else {
            self.restart_at(EXT_BASE + i64::from(seq));
            EXT_BASE + i64::from(seq)
        };
        if (ext - self.highest).abs() > MAX_DROPOUT {
            self.restart_at(ext);
            outcome = PushOutcome::Resynced;
        }
        if ext < self.next {
            let reordered_start = !self.played_any && !self.playing && self.next - ext < self.capacity();
            if reordered_start {
                self.next = ext;
            } else {
                let back = self.next - 1 - ext;
                let played = back < 128 && (self.history >> back) & 1 == 1;
                return if played {
                    self.stats.duplicate += 1;
                    PushOutcome::Duplicate
                } else {
                    self.stats.late += 1;
                    PushOutcome::Late
                };
            }
        }
        if self.slots.contains_key(&ext) {
            self.stats.duplicate += 1;
            return PushOutcome::Duplicate;
        }
        if matches!(slot, Slot::Item(_)) {
            self.stats.received += 1;
        }
        self.slots.insert(ext, slot);
        self.highest = self.highest.max(ext);
        if ext - self.next >= self.capacity() {
            // Far ahead of playout: pull the playout point forward so that
            // latency and memory stay bounded.
            self.advance_to(ext - self.depth as i64 + 1);
        }
        outcome
    }

    /// Moves the playout point to `target`, discarding what it passes.
    fn advance_to(&mut self, target: i64) {
        while self.next < target {
            match self.slots.remove(&self.next) {
                Some(Slot::Item(_)) => self.stats.late += 1,
                Some(Slot::Skip) => {}
                None => self.stats.lost += 1,
            }
            self.history <<= 1;
            self.next += 1;
        }
    }

    /// Releases the frame due at this 20 ms tick.
    pub fn pop_frame(&mut self) -> Playout<T> {
        if !self.started || self.slots.is_empty() && !self.playing {
            self.waited = 0;
            return Playout::Buffering;
        }
        if !self.playing {
            self.waited += 1;
            if self.len() < self.depth && self.waited <= self.depth {
                return Playout::Buffering;
            }
            self.playing = true;
        }
        while let Some(Slot::Skip) = self.slots.get(&self.next) {
            self.slots.remove(&self.next);
            self.next += 1;
            self.history = (self.history << 1) | 1;
        }
        let seq = self.next as u16;
        if let Some(Slot::Item(item)) = self.slots.remove(&self.next) {
            self.next += 1;
            self.history = (self.history << 1) | 1;
            self.played_any = true;
            Playout::Frame { seq, item }
        } else if self.highest >= self.next {
            self.next += 1;
            self.history <<= 1;
            self.stats.lost += 1;
            Playout::Lost { seq }
        } else {
            // Underrun: nothing newer has arrived. Refill before playing on.
            self.playing = false;
            self.waited = 0;
            Playout::Buffering
        }
    }
}
