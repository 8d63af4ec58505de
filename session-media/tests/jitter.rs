//! Jitter buffer behaviour: order, duplicates, lateness, wraparound, loss.

use session_media::jitter::{JitterBuffer, Playout, PushOutcome};

fn frames(jb: &mut JitterBuffer<u16>, n: usize) -> Vec<Playout<u16>> {
    (0..n).map(|_| jb.pop_frame()).collect()
}

fn played(out: &[Playout<u16>]) -> Vec<u16> {
    out.iter()
        .filter_map(|p| match p {
            Playout::Frame { seq, .. } => Some(*seq),
            _ => None,
        })
        .collect()
}

#[test]
fn in_order_after_prebuffering() {
    let mut jb = JitterBuffer::new(3);
    assert_eq!(jb.pop_frame(), Playout::Buffering);
    for seq in 100..103 {
        assert_eq!(jb.push(seq, seq), PushOutcome::Queued);
    }
    let out = frames(&mut jb, 4);
    assert_eq!(played(&out), vec![100, 101, 102]);
    assert_eq!(out[3], Playout::Buffering, "underrun is not loss");
    assert_eq!(jb.stats().lost, 0);
    assert_eq!(jb.stats().received, 3);
}

#[test]
fn reordered_packets_come_out_in_order() {
    let mut jb = JitterBuffer::new(3);
    for seq in [5u16, 3, 4, 7, 6] {
        assert_eq!(jb.push(seq, seq), PushOutcome::Queued);
    }
    assert_eq!(played(&frames(&mut jb, 6)), vec![3, 4, 5, 6, 7]);
    assert_eq!(jb.stats().lost, 0);
}

#[test]
fn duplicates_are_dropped_before_and_after_playout() {
    let mut jb = JitterBuffer::new(2);
    jb.push(1, 1);
    assert_eq!(jb.push(1, 1), PushOutcome::Duplicate);
    jb.push(2, 2);
    assert_eq!(played(&frames(&mut jb, 2)), vec![1, 2]);
    assert_eq!(jb.push(1, 1), PushOutcome::Duplicate, "already played");
    assert_eq!(jb.stats().duplicate, 2);
    assert_eq!(jb.stats().late, 0);
}

#[test]
fn late_packet_behind_playout_point_is_dropped() {
    let mut jb = JitterBuffer::new(2);
    jb.push(10, 10);
    jb.push(12, 12);
    let out = frames(&mut jb, 2);
    assert_eq!(out[0], Playout::Frame { seq: 10, item: 10 });
    assert_eq!(out[1], Playout::Lost { seq: 11 });
    assert_eq!(jb.push(11, 11), PushOutcome::Late);
    assert_eq!(jb.pop_frame(), Playout::Frame { seq: 12, item: 12 });
    let s = jb.stats();
    assert_eq!((s.lost, s.late, s.duplicate), (1, 1, 0));
}

#[test]
fn wraparound_at_65535() {
    let mut jb = JitterBuffer::new(3);
    for seq in [65534u16, 0, 65535, 1, 2] {
        assert_eq!(jb.push(seq, seq), PushOutcome::Queued, "seq {seq}");
    }
    assert_eq!(played(&frames(&mut jb, 6)), vec![65534, 65535, 0, 1, 2]);
    assert_eq!(jb.push(65535, 65535), PushOutcome::Duplicate);
    assert_eq!(jb.stats().lost, 0);
}

#[test]
fn loss_is_counted_once_per_missing_frame() {
    let mut jb = JitterBuffer::new(1);
    let mut lost = Vec::new();
    for seq in 0u16..20 {
        if seq % 5 != 2 {
            jb.push(seq, seq);
        }
        if let Playout::Lost { seq } = jb.pop_frame() {
            lost.push(seq);
        }
    }
    // Drain what is left.
    for p in frames(&mut jb, 5) {
        if let Playout::Lost { seq } = p {
            lost.push(seq);
        }
    }
    assert_eq!(lost, vec![2, 7, 12, 17]);
    assert_eq!(jb.stats().lost, 4);
}

#[test]
fn short_burst_plays_even_below_depth() {
    let mut jb = JitterBuffer::new(3);
    jb.push(7, 7);
    let out = frames(&mut jb, 5);
    assert_eq!(played(&out), vec![7]);
}

#[test]
fn large_jump_resynchronises_without_counting_loss() {
    let mut jb = JitterBuffer::new(1);
    jb.push(100, 100);
    assert_eq!(jb.pop_frame(), Playout::Frame { seq: 100, item: 100 });
    assert_eq!(jb.push(40_000, 1), PushOutcome::Resynced);
    assert_eq!(jb.pop_frame(), Playout::Frame { seq: 40_000, item: 1 });
    assert_eq!(jb.stats().lost, 0);
}

#[test]
fn overflow_pulls_playout_forward_and_bounds_memory() {
    let mut jb = JitterBuffer::new(2);
    for seq in 0u16..100 {
        jb.push(seq, seq);
    }
    assert!(jb.len() <= 8, "buffer holds {} frames", jb.len());
    let out = played(&frames(&mut jb, 10));
    assert_eq!(out.last(), Some(&99));
    assert!(jb.stats().late > 0);
}

#[test]
fn underrun_refills_then_continues() {
    let mut jb = JitterBuffer::new(2);
    jb.push(1, 1);
    jb.push(2, 2);
    assert_eq!(played(&frames(&mut jb, 3)), vec![1, 2]);
    jb.push(3, 3);
    assert_eq!(jb.pop_frame(), Playout::Buffering, "refilling");
    jb.push(4, 4);
    assert_eq!(played(&frames(&mut jb, 2)), vec![3, 4]);
    assert_eq!(jb.stats().lost, 0);
}

#[test]
fn skipped_sequence_numbers_are_passed_over_without_loss() {
    let mut jb = JitterBuffer::new(2);
    jb.push(1, 1);
    assert_eq!(jb.skip(2), PushOutcome::Queued);
    jb.skip(3);
    jb.push(4, 4);
    assert_eq!(jb.len(), 2, "skips are not frames");
    assert_eq!(played(&frames(&mut jb, 3)), vec![1, 4]);
    assert_eq!(jb.skip(3), PushOutcome::Duplicate);
    let s = jb.stats();
    assert_eq!((s.received, s.lost, s.late), (2, 0, 0));
}
