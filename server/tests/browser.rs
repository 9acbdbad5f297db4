//! The web map in a real browser: `reach serve` on the sample, then headless
//! Chromium driven by playwright-core (`server/web/browser-test.mjs`) opens
//! the map, waits for the layers, checks that features are drawn, clicks the
//! map and sees a nearest-facility answer. The screenshot goes to
//! `out/web-map.png`. `scripts/install-test-tools.sh` installs Chromium and
//! the npm packages.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

/// The status line of `GET path`, or None if nothing answers.
fn status(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.lines().next().map(str::to_string)
}

#[test]
fn the_web_map_draws_the_layers_and_answers_a_click() {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_reach"))
        .args(["serve", "--layers", "data/helsinki-stations.csv", "--no-osm-facilities", "--quiet"])
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .current_dir(ROOT)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("reach serve starts");
    let _server = Server(child);
    let started = Instant::now();
    while status(port, "/ready").is_none_or(|line| !line.contains("200")) {
        assert!(started.elapsed() < Duration::from_secs(30), "the server is not ready after 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let screenshot = PathBuf::from(ROOT).join("out/web-map.png");
    std::fs::create_dir_all(screenshot.parent().expect("out/")).expect("out/ exists");
    let output = Command::new("node")
        .arg("server/web/browser-test.mjs")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&screenshot)
        .current_dir(ROOT)
        .output()
        .expect("node runs (scripts/install-test-tools.sh installs what the test needs)");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{text}");
    assert!(text.contains("nearest: ") && screenshot.exists(), "{text}");
}
