//! A `MixBus` tick allocates nothing: pushes and ticks of a 50-participant conference
//! (with missing frames, mute, hold, a removal and an addition) run under an allocator that counts on this thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use session_media::MixBus;
use session_media::tone::ToneGenerator;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Const-initialised, so reading it never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: every call is passed unchanged to the system allocator, which upholds the
// `GlobalAlloc` contract; counting touches only an atomic and a const thread-local.
// (Counting allocations needs a global allocator, and implementing one is unsafe.)
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc` is the same as `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: as for `dealloc`; `new_size` is checked by the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn ticks_allocate_nothing() {
    let mut bus = MixBus::with_capacity(50);
    let ids: Vec<_> = (0..50).map(|_| bus.add()).collect();
    let frames: Vec<_> =
        (0..50).map(|i| ToneGenerator::new(300.0 + 20.0 * f64::from(i), 500).next_frame()).collect();
    let mut heard = 0usize;

    COUNTING.with(|c| c.set(true));
    for round in 0..100 {
        for (k, (&id, frame)) in ids.iter().zip(&frames).enumerate() {
            // Some participants miss some ticks.
            if (k + round) % 7 != 0 && bus.contains(id) {
                bus.push(id, frame).unwrap();
            }
        }
        if round == 30 {
            bus.set_included(ids[3], false).unwrap();
            bus.set_hears(ids[4], false).unwrap();
        }
        if round == 60 {
            // Within the capacity, a removal and an addition allocate nothing either.
            assert!(bus.remove(ids[10]));
            let newcomer = bus.add();
            bus.push(newcomer, &frames[10]).unwrap();
        }
        let tick = bus.tick();
        heard += tick.outputs().filter(|(_, f)| !f.is_silent()).count();
        assert!(!tick.mix().is_silent());
    }
    COUNTING.with(|c| c.set(false));

    assert!(heard > 4000, "{heard} outputs with sound");
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0);
}
