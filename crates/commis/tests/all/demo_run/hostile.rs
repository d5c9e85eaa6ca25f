//! The hostile-file corpus (generated, see commis-docs/tests/all/common/corpus.rs) through
//! every entry point of the real binary: `extract`, a `run`, a `serve` preview and
//! `mcp`. Every file ends in a typed per-file error or a result, the process stays
//! up, and no process of ours (worker included) grows past 512 MB.

use super::common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

#[path = "../../../../commis-docs/tests/all/common/corpus.rs"]
mod corpus;

/// Runs a command to its end and returns its output, the peak memory (RSS, MiB) and the
/// CPU seconds of it and the workers it waited for.
// The child is reaped by `wait4` below, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
fn output_and_peak(cmd: &mut Command) -> (std::process::Output, u64, f64) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).unwrap();
        v
    });
    let mut out = Vec::new();
    stdout.read_to_end(&mut out).unwrap();
    let err = err.join().unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waits for our own child, filling a zeroed struct we own.
    let usage = unsafe {
        libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr());
        usage.assume_init()
    };
    use std::os::unix::process::ExitStatusExt;
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out,
        stderr: err,
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    (output, usage.ru_maxrss as u64 / 1024, cpu)
}

fn hostile_folder(sb: &Sandbox) -> (std::path::PathBuf, Vec<corpus::Hostile>) {
    let dir = sb.folder("piege");
    let files = corpus::corpus(&repo().join("tests/fixtures"));
    for f in &files {
        std::fs::write(dir.join(f.name), &f.bytes).unwrap();
    }
    (dir, files)
}

/// The workers' memory limit, set explicitly so the bound is the one under test.
fn with_limits(mut c: Command) -> Command {
    c.env("COMMIS_EXTRACT_MEMORY_MB", "512")
        .env("COMMIS_EXTRACT_CPU_SECS", "2");
    c
}

#[test]
fn extract_gives_a_typed_error_or_a_result_for_every_hostile_file() {
    let sb = Sandbox::new();
    let (dir, files) = hostile_folder(&sb);
    for f in &files {
        // Wall and CPU time are printed for docs/SECURITY.md, never asserted (the
        // worker's CPU limit, 2 s here, is what bounds it).
        let started = std::time::Instant::now();
        let (out, rss, cpu) = output_and_peak(
            with_limits(sb.cmd())
                .args(["extract", dir.join(f.name).to_str().unwrap(), "--json"])
                .stdin(Stdio::null()),
        );
        let wall = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => {
                // Checked without building it in memory: this process's own peak
                // would count as its children's (they start as copies of it).
                serde_json::from_slice::<serde::de::IgnoredAny>(&out.stdout)
                    .unwrap_or_else(|e| panic!("{}: not JSON ({e})", f.name));
                assert!(out.stdout.starts_with(b"{"), "{}", f.name);
            }
            Some(2) => {
                assert!(
                    stderr.starts_with("commis extract:") && stderr.trim().lines().count() == 1,
                    "{}: {stderr}",
                    f.name
                );
            }
            other => panic!("{}: commis extract died ({other:?}): {stderr}", f.name),
        }
        eprintln!(
            "{}: exit {:?}, peak {rss} MiB, {:.2} s wall, {cpu:.2} s CPU: {}",
            f.name,
            out.status.code(),
            wall.as_secs_f64(),
            stderr.trim()
        );
        assert!(rss < 512, "{}: commis extract reached {rss} MiB", f.name);
        if f.worker_only {
            // Only the worker can contain these: they end as its typed error, or read.
            assert!(
                out.status.success() || stderr.contains("trop volumineux ou piégé"),
                "{}: {stderr}",
                f.name
            );
        }
    }
}

fn summary_of(out: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| {
        panic!(
            "no summary ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_run_and_a_serve_preview_of_hostile_files_end_and_the_server_stays_up() {
    let sb = Sandbox::new();
    let (dir, files) = hostile_folder(&sb);
    let (out, rss, _) = output_and_peak(
        with_limits(sb.cmd())
            .args([
                "run",
                dir.to_str().unwrap(),
                "Trie ces fichiers par type et crée un catalogue",
                "--yes",
                "--json",
            ])
            .stdin(Stdio::null()),
    );
    assert!(rss < 512, "commis run reached {rss} MiB");
    let s = summary_of(&out);
    assert!(
        matches!(
            s["status"].as_str(),
            Some("done" | "needs_input" | "failed")
        ),
        "{s}"
    );
    let run_id = s["run_id"].as_str().unwrap().to_string();
    let history = sb.run(&["history", "--json"]);
    let history = String::from_utf8_lossy(&history.stdout);
    assert!(!history.contains("\"planning\""), "{history}");

    let mut server = Server::start(&sb);
    for f in &files {
        let (status, body) = server.get(&format!("/api/runs/{run_id}/preview?path={}", f.name));
        assert!(
            status == 200 || (400..500).contains(&status),
            "{}: {status} {body}",
            f.name
        );
    }
    // Still serving after every preview.
    let (status, _) = server.get("/api/runs");
    assert_eq!(status, 200);
    assert!(server.child.try_wait().unwrap().is_none(), "serve exited");
    let rss = server.stop();
    assert!(rss < 512, "commis serve reached {rss} MiB");
}

struct Server {
    child: Child,
    port: u16,
    token: String,
}

impl Server {
    fn start(sb: &Sandbox) -> Server {
        let mut child = with_limits(sb.cmd())
            .args(["serve", "--no-open", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim();
        let rest = url.strip_prefix("http://127.0.0.1:").unwrap();
        let (port, query) = rest.split_once('/').unwrap();
        let token = query.split("token=").nth(1).unwrap().to_string();
        Server {
            child,
            port: port.parse().unwrap(),
            token,
        }
    }

    fn get(&mut self, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let sep = if path.contains('?') { '&' } else { '?' };
        write!(
            stream,
            "GET {path}{sep}token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.token, self.port
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let status = reply
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, reply)
    }
}

impl Server {
    /// Stops the server and returns its peak memory (RSS, MiB), workers included.
    fn stop(&mut self) -> u64 {
        let _ = self.child.kill();
        let mut status = 0;
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: waits for our own child, filling a zeroed struct we own.
        let usage = unsafe {
            libc::wait4(self.child.id() as i32, &mut status, 0, usage.as_mut_ptr());
            usage.assume_init()
        };
        usage.ru_maxrss as u64 / 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_closes_silent_connections_and_refuses_system_folders() {
    let sb = Sandbox::new();
    let mut server = Server::start(&sb);
    // A connection that never sends a byte is closed by the server (read returns 0),
    // instead of being held open forever.
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    idle.set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    let mut buf = [0u8; 16];
    let n = idle.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the server answered a silent connection");
    // Granting `/` or `/etc` from the page is refused with a reason.
    for folder in ["/", "/etc", "/proc"] {
        let body = format!(r#"{{"folder":"{folder}","brief":"Trie ces fichiers"}}"#);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(
            stream,
            "POST /api/runs?token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            server.token,
            server.port,
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 400"), "{folder}: {reply}");
        assert!(
            // A French brief: the refusal is French.
            reply.contains("dossier du système")
                || reply.contains("disque entier")
                || reply.contains("pseudo-système"),
            "{folder}: {reply}"
        );
    }
    assert!(server.child.try_wait().unwrap().is_none());
    let _ = &mut server;
}

#[test]
fn mcp_answers_hostile_documents_malformed_and_oversized_lines_and_stays_up() {
    let sb = Sandbox::new();
    let (dir, _) = hostile_folder(&sb);
    let mut child = with_limits(sb.cmd())
        .args(["mcp", dir.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut mcp = Mcp {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
    };
    let mut ask = |line: &str| mcp.ask(line);
    let init = ask(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#,
    );
    assert!(init["result"].is_object(), "{init}");
    mcp.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    let mut ask = |line: &str| mcp.ask(line);
    let malformed = ask("{this is not json");
    assert_eq!(malformed["error"]["code"], -32700, "{malformed}");
    let mut big = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_text","arguments":{"query":""#.to_string();
    big.push_str(&"a".repeat(17 << 20));
    big.push_str(r#""}}}"#);
    let oversized = ask(&big);
    assert_eq!(oversized["id"], 2, "{oversized}");
    assert!(
        oversized["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large")
    );
    for (id, name) in [
        (3, "range-A1-XFD1048576.xlsx"),
        (4, "range.xls"),
        (5, "deep-pages.pdf"),
        (6, "stream-bomb.pdf"),
        (7, "deflate-bomb.docx"),
    ] {
        let reply = ask(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"read_document","arguments":{{"path":"{name}"}}}}}}"#
        ));
        assert_eq!(reply["id"], id, "{reply}");
        assert!(reply["result"].is_object(), "{name}: {reply}");
    }
    let search = ask(
        r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"search_text","arguments":{"query":"lol"}}}"#,
    );
    assert!(search["result"].is_object(), "{search}");
    assert!(child.try_wait().unwrap().is_none(), "commis mcp exited");
    let _ = child.kill();
    let _ = child.wait();
}

struct Mcp {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Mcp {
    fn send(&mut self, line: &str) {
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
    }

    fn ask(&mut self, line: &str) -> serde_json::Value {
        self.send(line);
        let mut reply = String::new();
        self.stdout.read_line(&mut reply).unwrap();
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("{e}: {reply:?}"))
    }
}
