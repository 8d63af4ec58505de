//! baresip, a SIP user agent nobody here wrote (Debian package `baresip-core`; `.ci/run`
//! installs it): a configuration per test, and its `ctrl_tcp` command channel.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A baresip configuration in a fresh directory: SIP on `port`, G.711 only, a 440 Hz
/// WAV as the microphone, and `sndfile` dumping what it decodes to `dump-*-dec.wav`;
/// with `control`, its `ctrl_tcp` command channel on that TCP port (see [`Control`]).
pub fn baresip_home(port: u16, answer: bool, control: Option<u16>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("session-baresip-{port}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let tone = dir.join("tone440.wav");
    let mut wav = hound::WavWriter::create(&tone, spec()).expect("wav");
    let mut sine = session_media::tone::ToneGenerator::new(440.0, 12_000);
    for _ in 0..500 {
        sine.next_frame().samples().iter().for_each(|&s| wav.write_sample(s).expect("sample"));
    }
    wav.finalize().expect("wav");
    let config = format!(
        "poll_method epoll\nsip_listen 127.0.0.1:{port}\naudio_player aufile,{dir}/heard.wav\n\
         audio_source aufile,{tone}\naudio_alert aufile,/dev/null\nmodule_path /usr/lib/baresip/modules\n\
         module stdio.so\nmodule g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule_app account.so\n\
         module_app menu.so\nsnd_path {dir}\n",
        dir = dir.display(),
        tone = tone.display()
    ) + &control.map_or_else(String::new, |port| {
        format!("module_app ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{port}\n")
    });
    std::fs::write(dir.join("config"), config).expect("config");
    let mode = if answer { ";answermode=auto" } else { "" };
    std::fs::write(dir.join("accounts"), format!("<sip:alice@127.0.0.1:{port}>;regint=0{mode}\n"))
        .expect("accounts");
    dir
}

pub fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

pub fn baresip(home: &Path) -> Command {
    let mut command = Command::new("baresip");
    command.arg("-f").arg(home).stdin(std::process::Stdio::null());
    command
}

pub fn decoded_by_baresip(home: &Path) -> PathBuf {
    let dumps = std::fs::read_dir(home).expect("dir").filter_map(Result::ok).map(|e| e.path());
    dumps.into_iter().find(|p| p.to_string_lossy().ends_with("-dec.wav")).expect("baresip's decoded audio")
}

/// A TCP port on 127.0.0.1 that was free a moment ago, for `ctrl_tcp`.
pub fn free_tcp_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// baresip's `ctrl_tcp` channel: commands go in and events come out as JSON objects in
/// netstrings (`<length>:<json>,`), e.g. `{"command":"dial","params":"sip:…","token":"…"}`.
pub struct Control {
    stream: TcpStream,
    /// Everything received so far, netstring framing included.
    received: Vec<u8>,
}

impl Control {
    /// Connects to baresip's channel on `port`, retrying while baresip starts.
    pub fn connect(port: u16) -> Self {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
                    return Self { stream, received: Vec::new() };
                }
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => panic!("baresip's ctrl_tcp on port {port}: {e}"),
            }
        }
    }

    /// Sends a menu command, as typed after `/` at baresip's prompt.
    pub fn command(&mut self, command: &str, params: &str) {
        let json = format!(r#"{{"command":"{command}","params":"{params}","token":"{command}"}}"#);
        write!(self.stream, "{}:{json},", json.len()).expect("send a command to baresip");
    }

    /// Waits up to `limit` for an event of `kind` (e.g. `CALL_ESTABLISHED`); returns its
    /// JSON text, or `None` if none came.
    pub fn wait_for(&mut self, kind: &str, limit: Duration) -> Option<String> {
        let wanted = format!(r#""type":"{kind}""#);
        let deadline = Instant::now() + limit;
        loop {
            let text = String::from_utf8_lossy(&self.received).into_owned();
            if let Some(at) = text.find(&wanted) {
                let start = text[..at].rfind('{').unwrap_or(0);
                let end = text[at..].find("},").map_or(text.len(), |end| at + end + 1);
                // What was read up to this event is consumed: a later wait finds the next.
                self.received.drain(..end.min(self.received.len()));
                return Some(text[start..end].to_owned());
            }
            if Instant::now() >= deadline {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None, // baresip closed the channel
                Ok(n) => self.received.extend_from_slice(&chunk[..n]),
                Err(_) => {} // the read timed out; look again
            }
        }
    }
}
