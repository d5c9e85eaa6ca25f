//! `confine_parser`: the document-extraction worker's seccomp filter. The confinement is
//! irreversible, so the test re-runs this test binary as a child process and confines that.

#![cfg(target_os = "linux")]

use std::process::Command;

const CHILD: &str = "COMMIS_TEST_CONFINE_PARSER_CHILD";

#[test]
fn a_confined_parser_opens_no_file_socket_or_process_but_keeps_memory_and_threads() {
    if std::env::var_os(CHILD).is_some() {
        confined_child();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            // The test's full name in the crate's one test binary (`all`).
            "parser_confinement::a_confined_parser_opens_no_file_socket_or_process_but_keeps_memory_and_threads",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("confined child: all checks hold"), "{text}");
}

fn confined_child() {
    // Before: everything works, so the refusals below come from the filter.
    assert!(std::fs::File::open("/proc/self/status").is_ok());
    assert!(commis_sandbox::confine_parser().unwrap());
    let eperm = |e: std::io::Error| e.raw_os_error() == Some(libc::EPERM);

    let file = std::fs::File::open("/proc/self/status").map(|_| ());
    assert!(file.is_err_and(eperm), "opening a file is refused");
    let created = std::fs::write("/tmp/commis-confined-parser-probe", b"x");
    assert!(created.is_err_and(eperm), "creating a file is refused");
    let socket = std::net::TcpListener::bind("127.0.0.1:0").map(|_| ());
    assert!(socket.is_err_and(eperm), "a socket is refused");
    let program = Command::new("/bin/true").status();
    assert!(
        program.is_err(),
        "starting a program is refused: {program:?}"
    );

    // What a parser needs still works: memory, threads, standard output.
    let big = vec![7u8; 64 << 20];
    assert_eq!(big.iter().map(|&b| b as u64).sum::<u64>(), 7 * (64 << 20));
    let joined = std::thread::spawn(|| 41 + 1).join().unwrap();
    assert_eq!(joined, 42);
    println!("confined child: all checks hold");
}
