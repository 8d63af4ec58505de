//! Helpers for tests that run real processes: free loopback ports, child processes that
//! are killed when the test ends, SIPp.

#![allow(dead_code)] // each test file uses a different part

pub mod baresip;

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A UDP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind an ephemeral port");
    socket.local_addr().expect("local address").port()
}

/// The `simplepeer` binary built for this test run.
pub fn simplepeer() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_simplepeer"));
    command.env("RUST_LOG", "info").stdin(Stdio::null());
    command
}

/// `simplepeer listen` on `port` answering one call: it plays a 1000 Hz tone, records
/// what it receives to `recording`, and exits when the call ends. Returns once the port
/// is bound.
pub fn listen_for_one_call(port: u16, recording: &std::path::Path) -> Running {
    let listen = Running::start(
        simplepeer()
            .args(["listen", "--bind", &format!("127.0.0.1:{port}"), "--auto-answer", "--max-calls", "1"])
            .args(["--tone", "1000", "--record"])
            .arg(recording),
    );
    wait_until_bound(port);
    listen
}

/// `simplepeer listen` on a free loopback port, with `args` after its `--bind`;
/// returns once the port is bound.
pub fn listen(args: &[&str]) -> (Running, u16) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let running = Running::start(simplepeer().args(["listen", "--bind", &bind]).args(args));
    wait_until_bound(port);
    (running, port)
}

/// SIPp, which CI installs (Debian package `sip-tester`).
pub fn sipp() -> Command {
    let found = Command::new("sipp").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(found.is_ok(), "sipp is not installed: `apt-get install sip-tester` (.ci/run does it)");
    let mut command = Command::new("sipp");
    command.stdin(Stdio::null());
    command
}

/// A child process killed when dropped. Its output goes to a file, not a pipe: a
/// chatty child would block once a pipe nobody reads is full.
pub struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    /// Starts `command` with its output captured.
    pub fn start(command: &mut Command) -> Self {
        let log =
            std::env::temp_dir().join(format!("session-core-{}-{}.log", std::process::id(), free_port()));
        let file = std::fs::File::create(&log).expect("log file");
        let err = file.try_clone().expect("log file");
        let child = command.stdout(file).stderr(err).spawn().expect("process starts");
        Running { child, log }
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("process status") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Sends the process a signal by name (`INT`, `TERM`), as `kill -INT` does.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{name} {}", self.child.id());
    }

    /// Writes `line` and a newline to the process's standard input (started piped).
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("started with Stdio::piped() stdin");
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).expect("write to the process");
    }

    /// Waits up to `limit` for the output to contain `text`.
    pub fn wait_for_output(&self, text: &str, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.output().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// What the process wrote so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Waits until something listens on the UDP port (the bind succeeded in the child).
pub fn wait_until_bound(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if UdpSocket::bind(("127.0.0.1", port)).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing bound port {port} within 10 s");
}

/// A fresh directory under the system's temporary one, named after `name`.
pub fn tempdir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("session-core-{name}-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts `simplepeer server` in realm sipbench for `users` (`name:password` lines,
/// written to DIR/users.txt), MD5 listed first: SIPp 3.6 answers only the first
/// challenge, and only MD5. Returns once its port is bound.
pub fn sipbench_server(dir: &std::path::Path, users: &str) -> (Running, u16) {
    let file = dir.join("users.txt");
    std::fs::write(&file, users).expect("users file");
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let args = ["server", "--bind", &bind, "--realm", "sipbench", "--md5-first", "--users"];
    let running = Running::start(simplepeer().args(args).arg(&file));
    wait_until_bound(port);
    (running, port)
}

/// A scenario file under tests/sipp/.
pub fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sipp").join(name)
}

/// The value of a column of the last row of a SIPp `-trace_stat` CSV file.
pub fn sipp_stat(csv: &std::path::Path, column: &str) -> u64 {
    let text = std::fs::read_to_string(csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().expect("header").split(';').collect();
    let last: Vec<&str> = lines.next_back().expect("a data row").split(';').collect();
    let index = header.iter().position(|h| *h == column).unwrap_or_else(|| panic!("no column {column}"));
    last[index].trim().parse().expect("a number")
}

/// Power at 440 Hz and at 1000 Hz (Goertzel) of a WAV recording, after its first 200 ms
/// (the jitter buffer filling); the recording must hold at least half a second.
pub fn tone_powers(path: &std::path::Path) -> (f64, f64) {
    let frames = session_media::wav::read_wav(path).expect("a readable WAV");
    let samples: Vec<i16> = frames.iter().skip(10).flat_map(|f| f.samples().to_vec()).collect();
    assert!(samples.len() > 4000, "{} holds {} samples", path.display(), samples.len());
    let power = |hz| session_media::tone::goertzel(&samples, hz, 8000);
    (power(440.0), power(1000.0))
}
