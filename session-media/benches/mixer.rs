//! Mixing cost of a [`MixBus`] at N participants, against a plain copy of the same N
//! frames measured in the same run.
//!
//! - `mixer/mix/N`: one tick of an N-participant conference where everyone talks: N
//!   pushes (each copies its frame in), the tick (sum, conference mix, N mix-minus
//!   outputs) and a read of every output.
//! - `mixer/copy/N`: copying the N input frames into N buffers (a `memcpy` of N × 320
//!   bytes): the least any mixer must do to take its inputs in.
//!
//! Throughput is N elements, so criterion shows participants per second; the figures
//! per participant and the ratios come from `bench/mixer.sh`.
//!
//! `cargo bench -p session-media --bench mixer`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use session_media::{AudioFrame, MixBus};

mod common;

/// Conference sizes measured.
const SIZES: [usize; 4] = [3, 10, 50, 250];

fn mixing(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixer");
    for n in SIZES {
        group.throughput(Throughput::Elements(n as u64));
        let frames = common::frames(n);

        let mut bus = MixBus::with_capacity(n);
        let ids: Vec<_> = (0..n).map(|_| bus.add()).collect();
        group.bench_function(BenchmarkId::new("mix", n), |b| {
            b.iter(|| {
                for (&id, frame) in ids.iter().zip(black_box(&frames)) {
                    bus.push(id, frame).expect("a participant of this bus");
                }
                let tick = bus.tick();
                for (_, out) in tick.outputs() {
                    black_box(out);
                }
                black_box(tick.mix());
            })
        });

        let mut copies = vec![AudioFrame::silence(); n];
        group.bench_function(BenchmarkId::new("copy", n), |b| {
            b.iter(|| {
                for (dst, src) in copies.iter_mut().zip(black_box(&frames)) {
                    dst.clone_from(src);
                }
                black_box(&copies);
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short: the two cores are shared; medians of 50 samples are steady enough.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = mixing
}
criterion_main!(benches);
