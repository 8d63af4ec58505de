//! `simplepeer listen --stats-every SECS`: a line of load figures at start and then
//! periodically, which follows a call from start to end.

mod common;

use std::time::{Duration, Instant};

use common::{Running, simplepeer};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn stats_lines_follow_a_call_with_sane_process_figures() {
    let (listen, port) = common::listen(&["--auto-answer", "--stats-every", "0.2"]);
    let idle = wait_for_stats(&listen, |s| s.get("calls_total") == Some(0)).expect("a first stats line");
    assert_eq!(idle.get("live_calls"), Some(0), "{idle:?}");
    assert_eq!(idle.get("live_transactions"), Some(0), "{idle:?}");
    let rss = idle.get("rss_kb").expect("rss_kb on Linux");
    assert!((1_000..1_000_000).contains(&rss), "idle RSS of {rss} KiB");
    let fds = idle.get("open_fds").expect("open_fds on Linux");
    // stdin, stdout, stderr, the SIP socket, the runtime's epoll and its waker at least.
    assert!((5..200).contains(&fds), "{fds} fds open while idle");

    let call = simplepeer()
        .args(["call", &format!("sip:bob@127.0.0.1:{port}"), "--duration", "1.5"])
        .output()
        .expect("simplepeer call runs");
    assert!(call.status.success(), "{}", String::from_utf8_lossy(&call.stderr));
    let lines = stats_lines(&listen.output());
    let up = lines.iter().find(|s| s.get("live_calls") == Some(1)).expect("a line while the call was up");
    assert_eq!(up.get("calls_total"), Some(1), "{up:?}");
    assert!(up.get("open_fds").is_some_and(|n| n > fds), "the call's RTP sockets: {up:?} vs {fds} idle");
    let after =
        wait_for_stats(&listen, |s| s.get("calls_total") == Some(1) && s.get("live_calls") == Some(0))
            .expect("a line after the call ended");
    assert!(after.get("live_transactions").is_some(), "{after:?}");
}

#[test]
fn a_zero_interval_is_refused_before_anything_starts() {
    let out =
        simplepeer().args(["listen", "--bind", "127.0.0.1:0", "--stats-every", "0"]).output().expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--stats-every") && stderr.contains("too short"), "{stderr}");
}

/// The figures of one `stats:` line.
#[derive(Debug)]
struct Stats(Vec<(String, Option<u64>)>);

impl Stats {
    fn get(&self, name: &str) -> Option<u64> {
        self.0.iter().find(|(n, _)| n == name).and_then(|(_, v)| *v)
    }
}

fn stats_lines(output: &str) -> Vec<Stats> {
    let parse = |line: &str| {
        let pairs = line.split_whitespace().filter_map(|pair| pair.split_once('='));
        Stats(pairs.map(|(name, value)| (name.to_owned(), value.parse().ok())).collect())
    };
    output.lines().filter_map(|l| l.strip_prefix("stats: ")).map(parse).collect()
}

/// Waits up to [`LIMIT`] for a stats line for which `wanted` holds.
fn wait_for_stats(listen: &Running, wanted: impl Fn(&Stats) -> bool) -> Option<Stats> {
    let start = Instant::now();
    while start.elapsed() < LIMIT {
        if let Some(found) = stats_lines(&listen.output()).into_iter().find(&wanted) {
            return Some(found);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}
