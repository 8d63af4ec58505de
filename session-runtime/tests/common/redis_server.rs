//! A Redis of the test's own: `redis-server` on a free loopback port, without
//! persistence, killed when the test drops it.
//!
//! ```ignore
//! let redis = common::redis_server::RedisServer::start();
//! let store = RedisStore::connect(&redis.url()).await.unwrap();
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a started server has to answer PING.
const STARTUP: Duration = Duration::from_secs(10);
/// Ports tried before giving up (another process may take a free port first).
const ATTEMPTS: usize = 5;

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts `redis-server` on a free port of 127.0.0.1 and waits until it answers
    /// PING.
    ///
    /// # Panics
    ///
    /// When `redis-server` is not installed (the tests need it: CI installs it) or does
    /// not start.
    pub fn start() -> Self {
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let port = free_port();
            let spawned = Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let child = match spawned {
                Ok(child) => child,
                Err(error) if error.kind() == ErrorKind::NotFound => panic!(
                    "redis-server is not installed, and the location store's tests need it: \
                     install it (apt-get install redis-server; .ci/run does so on CI)"
                ),
                Err(error) => panic!("cannot start redis-server: {error}"),
            };
            let mut server = Self { child: Some(child), port };
            match server.wait_for_pong() {
                Ok(()) => return server,
                Err(why) => last = why,
            }
        }
        panic!("redis-server did not start on a free loopback port in {ATTEMPTS} attempts: {last}");
    }

    /// The URL a client connects to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server now (for tests of a Redis that goes away).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn wait_for_pong(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("redis-server on port {} exited: {status}", self.port));
            }
            if ping(self.port) {
                return Ok(());
            }
            sleep(Duration::from_millis(20));
        }
        self.stop();
        Err(format!("redis-server on port {} did not answer PING in {STARTUP:?}", self.port))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on now (the kernel's pick for port 0).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("the listener's address").port()
}

/// Whether a Redis on `port` answers PING.
fn ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}
