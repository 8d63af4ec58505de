//! The largest conference one core mixes in real time with half the core left free:
//! the largest N whose tick (N pushes, the tick, a read of every output) takes at
//! most 10 ms, half of the 20 ms frame.
//!
//! N doubles from 256 until a tick takes longer, then a bisection narrows the
//! crossing to 1%. Each N is timed by the median of its ticks, after a warm-up, so
//! that another process on the shared cores moves the answer little. The inputs come
//! from a pool of 64 frames, as the real inputs of 100 000 calls would not fit in any
//! cache either way; the bus's own buffers (320 bytes a participant) are all distinct.
//!
//! Prints one `n=… tick_ms=…` line per N tried, then `largest_n=… tick_ms=…`.
//!
//! `cargo bench -p session-media --bench mixer_capacity`

use std::hint::black_box;
use std::time::{Duration, Instant};

use session_media::{AudioFrame, MixBus};

mod common;

/// Half of a 20 ms tick.
const BUDGET: Duration = Duration::from_millis(10);
/// Where the search gives up (about 330 MB of frame buffers).
const MAX_N: usize = 1 << 20;
/// Ticks timed per N (after as many warm-up ticks).
const TICKS: usize = 21;

/// Median time of one tick of an `n`-participant conference where everyone talks.
fn tick_time(n: usize, pool: &[AudioFrame]) -> Duration {
    let mut bus = MixBus::with_capacity(n);
    let ids: Vec<_> = (0..n).map(|_| bus.add()).collect();
    let mut one_tick = || {
        let start = Instant::now();
        for (&id, frame) in ids.iter().zip(pool.iter().cycle()) {
            bus.push(id, frame).expect("a participant of this bus");
        }
        let tick = bus.tick();
        for (_, out) in tick.outputs() {
            black_box(out);
        }
        black_box(tick.mix());
        start.elapsed()
    };
    for _ in 0..TICKS {
        one_tick();
    }
    let mut times: Vec<Duration> = (0..TICKS).map(|_| one_tick()).collect();
    times.sort();
    times[TICKS / 2]
}

fn report(n: usize, time: Duration) {
    println!("n={n} tick_ms={:.3}", time.as_secs_f64() * 1e3);
}

fn main() {
    let pool = common::frames(64);
    let fits = |n: usize| {
        let time = tick_time(n, &pool);
        report(n, time);
        (time <= BUDGET, time)
    };
    let (mut lo, mut lo_time) = (0, Duration::ZERO);
    let mut hi = 256;
    loop {
        match fits(hi) {
            (true, time) if hi >= MAX_N => {
                println!("largest_n>={hi} tick_ms={:.3}", time.as_secs_f64() * 1e3);
                return;
            }
            (true, time) => (lo, lo_time, hi) = (hi, time, hi * 2),
            (false, _) => break,
        }
    }
    while hi - lo > (lo / 100).max(1) {
        let mid = lo + (hi - lo) / 2;
        match fits(mid) {
            (true, time) => (lo, lo_time) = (mid, time),
            (false, _) => hi = mid,
        }
    }
    println!("largest_n={lo} tick_ms={:.3}", lo_time.as_secs_f64() * 1e3);
}
