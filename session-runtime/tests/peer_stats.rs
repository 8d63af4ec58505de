//! `SimplePeer::stats`: the live calls and transactions follow a call from start to end,
//! `calls_total` counts it on both sides, and the process figures come from /proc/self
//! and the allocator.
//! One test in its own binary, so no other test opens or closes files meanwhile.

use std::time::Duration;

use session_runtime::SimplePeer;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn stats_follow_a_call_and_read_the_process() {
    let alice = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let bob = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let idle = alice.stats().await;
    assert_eq!((idle.live_calls, idle.live_transactions, idle.calls_total), (0, 0, 0), "{idle}");

    let target = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call arrives");
        call.accept().await.expect("accept");
        (call, bob)
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    let (bobs, bob) = answering.await.expect("bob's task");
    let up = alice.stats().await;
    assert_eq!((up.live_calls, up.calls_total, up.dialogs), (1, 1, 1), "{up}");
    let bob_up = bob.stats().await;
    assert_eq!((bob_up.live_calls, bob_up.calls_total), (1, 1), "{bob_up}");

    call.hangup().await.expect("hangup");
    timeout(LIMIT, bobs.ended()).await.expect("bob's call ends");
    timeout(LIMIT, call.ended()).await.expect("alice's call ends with the BYE's 200");
    let ended = alice.stats().await;
    assert_eq!((ended.live_calls, ended.calls_total), (0, 1), "{ended}");
    assert!(ended.live_transactions > 0, "the BYE's transaction lingers for retransmissions: {ended}");

    if cfg!(target_os = "linux") {
        let rss = ended.rss_kb.expect("VmRSS on Linux");
        assert!(rss > 1000, "a process running two peers holds more than 1 MiB: {rss} KiB");
        let before = alice.stats().await.open_fds.expect("/proc/self/fd on Linux");
        let third = SimplePeer::new("127.0.0.1:0").await.expect("binds");
        let after = alice.stats().await.open_fds.expect("/proc/self/fd on Linux");
        assert!(after > before, "a third peer's SIP socket is one more fd: {before} then {after}");
        drop(third);
    }
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let heap = ended.heap_kb.expect("mallinfo2 with glibc");
        let rss = ended.rss_kb.unwrap_or(u64::MAX);
        // Two peers hold more than 64 KiB of heap, and all of it is resident or swapped.
        let held: Vec<u8> = vec![1; 4 << 20];
        let more = alice.stats().await.heap_kb.expect("mallinfo2 with glibc");
        assert!(more >= heap + 4000, "4 MiB more held shows: {heap} then {more} KiB");
        drop(held);
        assert!(heap > 64 && heap < rss, "heap {heap} KiB, rss {rss} KiB");
    }
}
