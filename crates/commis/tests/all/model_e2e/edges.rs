//! The binary at its edges: a reader that closes the pipe early, and an endpoint whose error
//! bodies echo the API key back.

use super::*;

#[test]
fn extract_into_a_pipe_closed_early_exits_quietly() {
    let sb = Sandbox::new();
    let dir = sb.folder("data");
    let csv = dir.join("grand.csv");
    let mut text = String::from("date;client;montant\n");
    for i in 0..40_000 {
        text.push_str(&format!("2024-03-{:02};Client {i};{i},50\n", i % 28 + 1));
    }
    std::fs::write(&csv, text).unwrap();
    for json in [true, false] {
        let mut cmd = sb.cmd();
        cmd.arg("extract").arg(&csv);
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // What `| head -c 2500` does: read a little, then hang up.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = vec![0u8; 2500];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            out.status.success(),
            "json={json}: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn an_api_key_echoed_by_the_endpoint_is_never_shown_or_stored() {
    let key = "sk-ant-echo-0123456789abcdefXYZ";
    let echo = || Reply {
        status: 401,
        headers: vec![("content-type".into(), "application/json".into())],
        body: json!({"type": "error", "error": {"type": "authentication_error",
            "message": format!("invalid x-api-key: {key}")}})
        .to_string(),
    };
    let (base, _seen) = serve(vec![echo(), echo()]);
    let sb = Sandbox::new();
    let work = sb.folder("travail");
    std::fs::write(work.join("a.txt"), "bonjour").unwrap();
    let run = sb
        .cmd()
        .env("ANTHROPIC_BASE_URL", &base)
        .env("ANTHROPIC_API_KEY", key)
        .args([
            "run",
            work.to_str().unwrap(),
            "Résume a.txt",
            "--provider",
            "anthropic",
            "--yes",
            "--json",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let s = summary(&run);
    let run_id = s["run_id"].as_str().unwrap().to_string();
    let show = sb.run(&["show", &run_id, "--json"]);
    let doctor = sb
        .cmd()
        .env("ANTHROPIC_BASE_URL", &base)
        .env("ANTHROPIC_API_KEY", key)
        .args(["doctor"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    for (what, out) in [("run", &run), ("show", &show), ("doctor", &doctor)] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("0123456789abcdef"),
            "{what} shows the key:\n{all}"
        );
    }
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("[redacted]")
            || String::from_utf8_lossy(&run.stderr).contains("[redacted]"),
        "the error is still reported"
    );
}
