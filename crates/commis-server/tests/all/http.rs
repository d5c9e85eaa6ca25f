//! The web UI over real HTTP: the refusals that keep other sites and other hosts out, and
//! a whole run driven through the API with the offline planner on a copy of the demo folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use commis_server::{RunningServer, ServeOptions};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-pme");

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file and folder under `root` with the hash of its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                out.insert(format!("{rel}/"), String::new());
                walk(root, &entry.path(), out);
            } else {
                let bytes = std::fs::read(entry.path()).unwrap();
                out.insert(rel, hex::encode(Sha256::digest(&bytes)));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

struct Fixture {
    server: RunningServer,
    store: std::sync::Arc<commis_store::Store>,
    folder: PathBuf,
    _home: tempfile::TempDir,
    _work: tempfile::TempDir,
}

impl Fixture {
    async fn start() -> Fixture {
        // Every test runs on the demo: its scans are read by OCR once for all of them.
        commis_docs::ocr::set_cache_dir(Path::new(env!("CARGO_TARGET_TMPDIR")).join("ocr-cache"));
        let home = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let folder = work.path().join("demo-pme");
        copy_tree(Path::new(DEMO), &folder);
        let folder = std::fs::canonicalize(&folder).unwrap();
        let engine = commis_agent::engine::Engine::open(home.path()).unwrap();
        let store = engine.store.clone();
        let mut opts = ServeOptions::new(vec![folder.clone()]);
        opts.open_browser = false;
        let server = commis_server::start(engine, opts).await.unwrap();
        Fixture {
            server,
            store,
            folder,
            _home: home,
            _work: work,
        }
    }

    fn port(&self) -> u16 {
        self.server.addr.port()
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    fn cookie(&self) -> String {
        format!("commis_{}={}", self.port(), self.server.token())
    }

    fn client(&self) -> reqwest::Client {
        // Plain HTTP only, but reqwest insists on a crypto provider being chosen.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .client()
            .get(format!("{}{path}", self.base()))
            .header("cookie", self.cookie())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .client()
            .post(format!("{}{path}", self.base()))
            .header("cookie", self.cookie())
            .header("origin", self.base())
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Polls the run until `done` says so, failing after a minute.
    async fn wait_for(&self, run_id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let detail = self.get(&format!("/api/runs/{run_id}")).await;
            if done(&detail) {
                return detail;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last state: {detail}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Sends one request with exactly the headers given (reqwest would fix the Host header).
async fn raw(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_the_token_is_refused() {
    let f = Fixture::start().await;
    let port = f.port();
    let (status, text) = raw(
        port,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("access token"), "{text}");
    let (status, _) = raw(
        port,
        &format!("GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_in_the_address_and_in_the_cookie() {
    let f = Fixture::start().await;
    let port = f.port();
    let wrong = "0".repeat(64);
    let (status, text) = raw(
        port,
        &format!(
            "GET /?token={wrong} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("wrong"), "{text}");
    let (status, _) = raw(
        port,
        &format!(
            "GET /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: commis_{port}={wrong}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_header_is_refused_even_with_the_token() {
    let f = Fixture::start().await;
    let port = f.port();
    let token = f.server.token();
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "localhost".into(),
    ] {
        let (status, text) = raw(
            port,
            &format!("GET /api/config?token={token} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 403, "{host}: {text}");
        assert!(text.contains("Host header"), "{text}");
    }
    // localhost with our port is fine.
    let (status, _) = raw(
        port,
        &format!("GET /api/config?token={token} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_from_a_foreign_origin_is_refused_even_with_the_session_cookie() {
    let f = Fixture::start().await;
    let port = f.port();
    let body = json!({"folder": f.folder, "brief": "Trie ces fichiers par type"}).to_string();
    for origin in [
        "http://evil.example",
        "null",
        &format!("http://127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let (status, text) = raw(
            port,
            &format!(
                "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                f.cookie(),
                body.len()
            ),
        )
        .await;
        assert_eq!(status, 403, "{origin}: {text}");
        assert!(text.contains("another site"), "{text}");
    }
    // A page on another port of 127.0.0.1 is "same-site": its requests carry the cookie
    // but say where they come from, with or without an Origin header.
    for site in ["same-site", "cross-site"] {
        let (status, text) = raw(
            port,
            &format!(
                "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: {site}\r\nSec-Fetch-Mode: no-cors\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                f.cookie()
            ),
        )
        .await;
        assert_eq!(status, 403, "{site}: {text}");
    }
    let runs = f.get("/api/runs").await;
    assert_eq!(
        runs["runs"].as_array().unwrap().len(),
        0,
        "no run was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_sets_an_http_only_strict_cookie_and_leaves_the_address() {
    let f = Fixture::start().await;
    let res = f.client().get(f.server.url()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with(&format!("commis_{}=", f.port())),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();
    let page = f
        .client()
        .get(format!("{}/", f.base()))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/app.js"), "the embedded page is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_listens_on_loopback_only() {
    let f = Fixture::start().await;
    assert!(f.server.addr.ip().is_loopback());
    assert!(f.server.url().starts_with("http://127.0.0.1:"));
    assert!(f.server.url().contains("?token="));
}

/// Reads an SSE response until `stop` appears (or a timeout) and returns the ids and data.
async fn read_events(
    f: &Fixture,
    run_id: &str,
    last_event_id: Option<u64>,
    stop: &str,
) -> Vec<(u64, Value)> {
    let mut req = f
        .client()
        .get(format!("{}/api/runs/{run_id}/events", f.base()))
        .header("cookie", f.cookie());
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    let mut res = req.send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let mut buf = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    // Read until the event naming `stop` is complete (an event ends with a blank line).
    let complete = |buf: &str| buf.find(stop).is_some_and(|at| buf[at..].contains("\n\n"));
    while !complete(&buf) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), res.chunk()).await {
            Ok(Ok(Some(chunk))) => buf.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    let mut out = Vec::new();
    for block in buf.split("\n\n") {
        let mut id = None;
        let mut data = None;
        let mut named = false;
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                data = serde_json::from_str(v.trim()).ok();
            } else if line.starts_with("event:") {
                named = true;
            }
        }
        if let (Some(id), Some(data), false) = (id, data, named) {
            out.push((id, data));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_run_through_the_api_can_be_edited_approved_and_undone() {
    let f = Fixture::start().await;
    let before = snapshot(&f.folder);

    let (status, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Trie ces fichiers par type et crée un catalogue"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let run_id = created["run_id"].as_str().unwrap().to_string();

    // The plan is proposed and nothing has changed yet.
    let detail = f
        .wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    assert_eq!(
        snapshot(&f.folder),
        before,
        "nothing runs before acceptance"
    );
    let plan = &detail["waiting"]["plan"];
    let steps = plan["steps"].as_array().unwrap();
    let sort = steps
        .iter()
        .find(|s| s["params"]["changes"].is_array())
        .expect("a step with a change set");
    let changes = sort["params"]["changes"].as_array().unwrap();
    assert!(changes.len() >= 2, "{sort}");
    let dropped_from = changes[0]["from"].as_str().unwrap().to_string();

    // Edit: reword the sorting step and drop its first move.
    let edits: Vec<Value> = steps
        .iter()
        .map(|s| {
            let is_sort = s["number"] == sort["number"];
            json!({
                "from": s["number"],
                "title": if is_sort { "Trier par type (relu)".to_string() } else { s["title"].as_str().unwrap().to_string() },
                "description": s["description"],
                "drop_changes": if is_sort { vec![0] } else { vec![] },
            })
        })
        .collect();
    let (status, body) = f
        .post(
            &format!("/api/runs/{run_id}/plan"),
            json!({"decision": "accept", "steps": edits}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The moves ask for approval, with the files listed.
    let detail = f
        .wait_for(&run_id, "the approval of the moves", |d| {
            d["waiting"]["type"] == "approval"
        })
        .await;
    let request = &detail["waiting"]["request"];
    assert_eq!(request["kind"], "move", "{request}");
    assert!(
        !request["paths"].as_array().unwrap().is_empty(),
        "{request}"
    );
    assert!(
        !request["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str() == Some(dropped_from.as_str())),
        "the dropped line is not asked for: {request}"
    );
    // A stale approval id is refused.
    let (status, _) = f
        .post(
            &format!("/api/runs/{run_id}/approval"),
            json!({"id": request["id"].as_u64().unwrap() + 100, "answer": "once"}),
        )
        .await;
    assert_eq!(status, 409);

    // Approve everything the run asks for until it ends.
    let finished = loop {
        let d = f
            .wait_for(&run_id, "an approval or the end", |d| {
                d["waiting"]["type"] == "approval" || d["live"] == false
            })
            .await;
        if d["live"] == false {
            break d;
        }
        let (status, body) = f
            .post(
                &format!("/api/runs/{run_id}/approval"),
                json!({"id": d["waiting"]["request"]["id"], "answer": "once"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    };
    assert_eq!(finished["run"]["status"], "done", "{finished}");
    let summary = &finished["summary"];
    let created: Vec<&str> = summary["created"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        created.iter().any(|p| p.ends_with("catalogue.xlsx")),
        "{summary}"
    );
    let moved = summary["moved"].as_array().unwrap();
    assert!(!moved.is_empty(), "{summary}");
    assert!(
        !moved
            .iter()
            .any(|m| m[0].as_str() == Some(dropped_from.as_str())),
        "the dropped move did not happen"
    );
    assert!(f.folder.join(&dropped_from).exists());
    assert_eq!(
        finished["plan"]["steps"][sort["number"].as_u64().unwrap() as usize - 1]["title"],
        "Trier par type (relu)"
    );

    // The event stream replays everything from the store, and resumes after Last-Event-ID.
    let all = read_events(&f, &run_id, None, "run_finished").await;
    assert!(all.iter().any(|(_, e)| e["type"] == "plan_proposed"));
    assert!(all.iter().any(|(_, e)| e["type"] == "approval_asked"));
    assert!(all.iter().any(|(_, e)| e["type"] == "run_finished"));
    let ids: Vec<u64> = all.iter().map(|(id, _)| *id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicates"
    );
    let middle = ids[ids.len() / 2];
    let rest = read_events(&f, &run_id, Some(middle), "run_finished").await;
    assert_eq!(rest.first().map(|(id, _)| *id), Some(middle + 1));

    // The workbook is previewed as tables, through the workspace.
    let workbook = created
        .iter()
        .find(|p| p.ends_with("catalogue.xlsx"))
        .unwrap();
    let preview = f
        .get(&format!(
            "/api/runs/{run_id}/preview?path={}",
            workbook.replace(' ', "%20")
        ))
        .await;
    let sheets = preview["sheets"].as_array().unwrap();
    assert!(!sheets.is_empty(), "{preview}");
    assert!(sheets[0]["rows"].as_array().unwrap().len() > 1, "{preview}");
    let res = f
        .client()
        .get(format!(
            "{}/api/runs/{run_id}/preview?path=../../etc/passwd",
            f.base()
        ))
        .header("cookie", f.cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        422,
        "paths outside the folder are refused"
    );

    // Undo restores the folder byte for byte.
    assert_ne!(snapshot(&f.folder), before);
    let (status, report) = f
        .post(&format!("/api/runs/{run_id}/undo"), json!({"force": false}))
        .await;
    assert_eq!(status, 200, "{report}");
    assert!(report["entries_undone"].as_u64().unwrap() > 0);
    assert_eq!(snapshot(&f.folder), before);
    let detail = f.get(&format!("/api/runs/{run_id}")).await;
    assert_eq!(detail["undone"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_plan_changes_nothing_and_stop_ends_a_waiting_run() {
    let f = Fixture::start().await;
    let before = snapshot(&f.folder);
    let (_, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Trie ces fichiers par type"}),
        )
        .await;
    let run_id = created["run_id"].as_str().unwrap().to_string();
    f.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    let (status, _) = f
        .post(
            &format!("/api/runs/{run_id}/plan"),
            json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(status, 200);
    let d = f.wait_for(&run_id, "the end", |d| d["live"] == false).await;
    assert_eq!(d["run"]["status"], "stopped");
    assert_eq!(snapshot(&f.folder), before);

    let (_, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Trie ces fichiers par type"}),
        )
        .await;
    let run_id = created["run_id"].as_str().unwrap().to_string();
    f.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    let (status, _) = f.post(&format!("/api/runs/{run_id}/stop"), json!({})).await;
    assert_eq!(status, 200);
    let d = f.wait_for(&run_id, "the end", |d| d["live"] == false).await;
    assert_eq!(d["run"]["status"], "stopped");
    assert_eq!(snapshot(&f.folder), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_new_runs_get_a_clear_error() {
    let f = Fixture::start().await;
    let (status, body) = f
        .post("/api/runs", json!({"folder": f.folder, "brief": "   "}))
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("brief"));
    let (status, body) = f
        .post(
            "/api/runs",
            json!({"folder": "relative/path", "brief": "Sort these files"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("absolute"));
    // A French brief gets its errors in French, as its run would.
    let (status, body) = f
        .post(
            "/api/runs",
            json!({"folder": "relative/path", "brief": "Trie ces fichiers"}),
        )
        .await;
    assert_eq!(status, 400);
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("chemin de dossier complet"), "{error}");
    assert!(
        commis_agent::messages::english_words(&error.replace("relative/path", "")).is_empty(),
        "{error}"
    );
    let (status, body) = f
        .post(
            "/api/runs",
            json!({"folder": "/does/not/exist", "brief": "Trie ces fichiers"}),
        )
        .await;
    assert_eq!(status, 400);
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("introuvable"), "{error}");
    let res = f
        .client()
        .get(format!("{}/api/runs/nope", f.base()))
        .header("cookie", f.cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deck_is_previewed_as_an_outline_of_its_slides() {
    let f = Fixture::start().await;
    let (status, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Crée un tableau récapitulatif des montants des factures et produis une présentation de 8 slides"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let run_id = created["run_id"].as_str().unwrap().to_string();
    f.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    let (status, _) = f
        .post(
            &format!("/api/runs/{run_id}/plan"),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(status, 200);
    let finished = loop {
        let d = f
            .wait_for(&run_id, "an approval or the end", |d| {
                d["waiting"]["type"] == "approval" || d["live"] == false
            })
            .await;
        if d["live"] == false {
            break d;
        }
        f.post(
            &format!("/api/runs/{run_id}/approval"),
            json!({"id": d["waiting"]["request"]["id"], "answer": "run"}),
        )
        .await;
    };
    assert_eq!(finished["run"]["status"], "done", "{finished}");
    let created = finished["summary"]["created"].as_array().unwrap();
    let deck = created
        .iter()
        .filter_map(Value::as_str)
        .find(|p| p.ends_with(".pptx"))
        .unwrap_or_else(|| panic!("a deck among {created:?}"));
    let preview = f
        .get(&format!(
            "/api/runs/{run_id}/preview?path={}",
            deck.replace(' ', "%20")
        ))
        .await;
    let slides = preview["slides"].as_array().unwrap();
    assert!(slides.len() >= 3, "{preview}");
    assert!(
        slides
            .iter()
            .all(|s| !s["texts"].as_array().unwrap().is_empty()),
        "every slide has text: {preview}"
    );

    // With LibreOffice and pdftoppm, the slides also come as images.
    if preview["slide_images"] != true {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "slide images need LibreOffice and pdftoppm: run scripts/test-deps-office.sh"
        );
        eprintln!("notice: LibreOffice or pdftoppm missing, slide images not tested");
        return;
    }
    let images = f
        .get(&format!(
            "/api/runs/{run_id}/slide-images?path={}",
            deck.replace(' ', "%20")
        ))
        .await;
    let images = images["images"].as_array().unwrap();
    assert_eq!(images.len(), slides.len(), "one image per slide");
    assert!(
        images.iter().all(|i| i
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBORw0KGgo")),
        "PNG data URLs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_screen_offers_the_configured_folders_and_saved_templates() {
    let f = Fixture::start().await;
    f.store
        .save_template(
            "rapport-mensuel",
            &json!({"brief": "Trie ces fichiers par {critere=type}", "read_only": false}),
        )
        .unwrap();
    let config = f.get("/api/config").await;
    assert_eq!(config["folders"][0], f.folder.to_string_lossy().as_ref());
    assert_eq!(config["templates"][0]["name"], "rapport-mensuel");
    assert_eq!(
        config["templates"][0]["brief"],
        "Trie ces fichiers par {critere=type}"
    );
    assert_eq!(config["planner"], "offline");
    let res = f
        .client()
        .get(format!("{}/api/config", f.base()))
        .header("cookie", f.cookie())
        .header("accept-language", "fr-CA,fr;q=0.9")
        .send()
        .await
        .unwrap();
    let config: Value = res.json().await.unwrap();
    assert_eq!(config["lang"], "fr");
}

/// The types of the run's stored events, in order (`step_started`, `run_paused`...).
fn event_types(f: &Fixture, run_id: &str) -> Vec<String> {
    let run = f.store.run(run_id).unwrap();
    f.store
        .events(&run.id, 0)
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// Polls the stored events until one of type `kind` is there.
async fn wait_for_event(f: &Fixture, run_id: &str, kind: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !event_types(f, run_id).iter().any(|t| t == kind) {
        assert!(
            Instant::now() < deadline,
            "no {kind} event; events: {:?}",
            event_types(f, run_id)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_run_starts_no_step_until_continued_then_finishes() {
    let f = Fixture::start().await;
    let (_, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Trie ces fichiers par type et crée un catalogue"}),
        )
        .await;
    let run_id = created["run_id"].as_str().unwrap().to_string();
    f.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;

    // Paused while the plan is under review: accepting it starts nothing.
    let (status, body) = f
        .post(&format!("/api/runs/{run_id}/pause"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["confirmed"], true, "the engine took the pause: {body}");
    assert_eq!(f.get(&format!("/api/runs/{run_id}")).await["paused"], true);
    let (status, _) = f
        .post(
            &format!("/api/runs/{run_id}/plan"),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(status, 200);
    wait_for_event(&f, &run_id, "run_paused").await;
    wait_for_event(&f, &run_id, "plan_accepted").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let types = event_types(&f, &run_id);
    assert!(
        !types.iter().any(|t| t == "step_started"),
        "no step starts while paused: {types:?}"
    );
    let detail = f.get(&format!("/api/runs/{run_id}")).await;
    assert_eq!(detail["live"], true, "{detail}");
    assert_eq!(detail["paused"], true, "{detail}");
    assert!(detail["waiting"].is_null(), "nothing asked while paused");
    let runs = f.get("/api/runs").await;
    assert_eq!(runs["runs"][0]["paused"], true, "the history says so too");

    // Continue: the run goes on to the end.
    let (status, body) = f
        .post(&format!("/api/runs/{run_id}/continue"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let finished = loop {
        let d = f
            .wait_for(&run_id, "an approval or the end", |d| {
                d["waiting"]["type"] == "approval" || d["live"] == false
            })
            .await;
        if d["live"] == false {
            break d;
        }
        f.post(
            &format!("/api/runs/{run_id}/approval"),
            json!({"id": d["waiting"]["request"]["id"], "answer": "run"}),
        )
        .await;
    };
    assert_eq!(finished["run"]["status"], "done", "{finished}");
    assert_eq!(finished["paused"], false);
    let types = event_types(&f, &run_id);
    let resumed = types.iter().position(|t| t == "run_resumed").unwrap();
    let first_step = types.iter().position(|t| t == "step_started").unwrap();
    assert!(resumed < first_step, "{types:?}");

    // The events reach the page over SSE as well.
    let streamed = read_events(&f, &run_id, None, "run_finished").await;
    assert!(streamed.iter().any(|(_, e)| e["type"] == "run_paused"));
    assert!(streamed.iter().any(|(_, e)| e["type"] == "run_resumed"));

    // A finished run can no longer be paused.
    let (status, _) = f
        .post(&format!("/api/runs/{run_id}/pause"), json!({}))
        .await;
    assert_eq!(status, 409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_run_can_still_be_stopped() {
    let f = Fixture::start().await;
    let before = snapshot(&f.folder);
    let (_, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Trie ces fichiers par type"}),
        )
        .await;
    let run_id = created["run_id"].as_str().unwrap().to_string();
    f.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    f.post(&format!("/api/runs/{run_id}/pause"), json!({}))
        .await;
    f.post(
        &format!("/api/runs/{run_id}/plan"),
        json!({"decision": "accept"}),
    )
    .await;
    wait_for_event(&f, &run_id, "run_paused").await;
    wait_for_event(&f, &run_id, "plan_accepted").await;
    let (status, _) = f.post(&format!("/api/runs/{run_id}/stop"), json!({})).await;
    assert_eq!(status, 200);
    let d = f.wait_for(&run_id, "the end", |d| d["live"] == false).await;
    assert_eq!(d["run"]["status"], "stopped", "{d}");
    assert_eq!(d["paused"], false);
    assert!(!event_types(&f, &run_id).iter().any(|t| t == "step_started"));
    assert_eq!(snapshot(&f.folder), before);

    // A stopped run is resumable from the page: it continues at its first step.
    let (status, body) = f
        .post(&format!("/api/runs/{run_id}/resume"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    wait_for_event(&f, &run_id, "step_started").await;
    f.post(&format!("/api/runs/{run_id}/stop"), json!({})).await;
    let d = f.wait_for(&run_id, "the end", |d| d["live"] == false).await;
    assert_eq!(d["run"]["status"], "stopped", "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brief_saved_as_a_template_is_offered_with_its_placeholders_and_filled_for_the_run() {
    let f = Fixture::start().await;
    let brief = "Trie ces fichiers par {critere=type} pour {mois}";
    let (status, body) = f
        .post(
            "/api/templates",
            json!({"name": "tri-mensuel", "brief": brief, "read_only": false}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Stored in the shape `commis template save` writes, so the CLI can run it.
    assert_eq!(
        f.store.template("tri-mensuel").unwrap().body,
        json!({"brief": brief, "yes": false, "allow": [], "read_only": false})
    );

    // The same name again is refused unless replacing is asked for.
    let (status, body) = f
        .post(
            "/api/templates",
            json!({"name": "tri-mensuel", "brief": "autre"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("already exists"));
    let (status, _) = f
        .post(
            "/api/templates",
            json!({"name": "tri-mensuel", "brief": brief, "read_only": true, "replace": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        f.store.template("tri-mensuel").unwrap().body["read_only"],
        true
    );
    for bad in [
        json!({"name": "  ", "brief": brief}),
        json!({"name": "x", "brief": " "}),
        json!({"name": "a\nb", "brief": brief}),
    ] {
        let (status, body) = f.post("/api/templates", bad).await;
        assert_eq!(status, 400, "{body}");
    }

    // The start screen gets one field per placeholder, with its default.
    let config = f.get("/api/config").await;
    let template = config["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "tri-mensuel")
        .unwrap();
    assert_eq!(
        template["placeholders"],
        json!([{"name": "critere", "default": "type"}, {"name": "mois", "default": null}])
    );
    assert_eq!(template["read_only"], true);

    // A placeholder with neither value nor default is named; filled, the brief runs.
    let (status, body) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": brief, "values": {"mois": " "}}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("mois"), "{body}");
    let (status, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": brief, "values": {"mois": "mars"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let run_id = created["run_id"].as_str().unwrap().to_string();
    let d = f
        .wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    assert_eq!(d["run"]["brief"], "Trie ces fichiers par type pour mars");
    f.post(&format!("/api/runs/{run_id}/stop"), json!({})).await;
    f.wait_for(&run_id, "the end", |d| d["live"] == false).await;

    // Deleting it takes it off the start screen; deleting it again is a 404.
    let res = f
        .client()
        .delete(format!("{}/api/templates/tri-mensuel", f.base()))
        .header("cookie", f.cookie())
        .header("origin", f.base())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let config = f.get("/api/config").await;
    assert!(
        !config["templates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "tri-mensuel"),
        "{config}"
    );
    let res = f
        .client()
        .delete(format!("{}/api/templates/tri-mensuel", f.base()))
        .header("cookie", f.cookie())
        .header("origin", f.base())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let res = f
        .client()
        .delete(format!("{}/api/templates/rapport", f.base()))
        .header("cookie", f.cookie())
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "another site cannot delete");

    // Without values, a brief is taken as written, braces included.
    let (status, created) = f
        .post(
            "/api/runs",
            json!({"folder": f.folder, "brief": "Renomme en {date}_{client}.pdf"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let run_id = created["run_id"].as_str().unwrap().to_string();
    let d = f.get(&format!("/api/runs/{run_id}")).await;
    assert_eq!(d["run"]["brief"], "Renomme en {date}_{client}.pdf");
    f.wait_for(&run_id, "the plan or the end", |d| {
        d["waiting"]["type"] == "plan" || d["live"] == false
    })
    .await;
    f.post(&format!("/api/runs/{run_id}/stop"), json!({})).await;
}
