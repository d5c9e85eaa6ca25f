//! commis-server: the local web UI behind `commis serve`. An axum server on 127.0.0.1 only,
//! guarded by a per-start token (then a session cookie), Host and Origin checks; the page
//! and its script are embedded in the binary; live run events come over SSE from the
//! engine's event stream, and the browser answers plan reviews, questions and approvals
//! through a web [`Interaction`](commis_agent::interact::Interaction).
//!
//! Not for: running the agent (commis-agent does), reading or writing user files directly
//! (previews go through commis-workspace with the run's grants), or serving anything on a
//! network interface other than loopback.

mod api;
mod assets;
mod auth;
mod events;
pub mod listen;
mod preview;
mod slides;
mod state;
mod templates;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, post};
use commis_agent::engine::{Engine, Planner};
use commis_core::Policy;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::auth::Guard;
use crate::state::{AppState, Hub};

/// Errors that keep the web UI from starting or make it stop.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; choose another port with --port, or leave --port out to pick a free one"
    )]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot draw a random access token from the operating system: {0}")]
    Token(String),
    #[error("the web server stopped: {0}")]
    Serve(std::io::Error),
}

/// How `commis serve` runs the web UI.
#[derive(Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Open the address in the default browser (`--no-open` turns it off).
    pub open_browser: bool,
    /// Folders offered on the start screen (from the config); any other path may be typed.
    pub folders: Vec<PathBuf>,
    /// Who plans and executes the runs started from the page.
    pub planner: Planner,
    /// The base approval policy (mode and saved rules) of runs started from the page.
    pub policy: Policy,
}

impl ServeOptions {
    /// Offline planner, the default "ask" policy, a free port, and the browser opened.
    pub fn new(folders: Vec<PathBuf>) -> ServeOptions {
        ServeOptions {
            port: None,
            open_browser: true,
            folders,
            planner: Planner::Offline,
            policy: Policy::default(),
        }
    }
}

/// A started server: its address and token, and the task serving it.
pub struct RunningServer {
    pub addr: SocketAddr,
    token: String,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The address to open, with the access token: `http://127.0.0.1:PORT/?token=SECRET`.
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/?token={}",
            self.addr.port(),
            self.token
        )
    }

    /// The secret of this start (for tests that build their own requests).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Serves until the task ends (an I/O failure of the listener).
    pub async fn wait(self) -> Result<(), ServerError> {
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServerError::Serve(e)),
            Err(e) => Err(ServerError::Serve(std::io::Error::other(e.to_string()))),
        }
    }

    /// Stops serving (runs being driven are left to `commis resume`).
    pub fn shutdown(&self) {
        self.task.abort();
    }
}

fn new_token() -> Result<String, ServerError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Token(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/api/config", get(api::config))
        .route("/api/runs", get(api::list_runs).post(api::create_run))
        .route("/api/templates", post(api::save_template))
        .route("/api/templates/{name}", delete(api::delete_template))
        .route("/api/runs/{id}", get(api::run_detail))
        .route("/api/runs/{id}/events", get(events::stream))
        .route("/api/runs/{id}/plan", post(api::decide_plan))
        .route("/api/runs/{id}/answer", post(api::answer))
        .route("/api/runs/{id}/approval", post(api::approve))
        .route("/api/runs/{id}/stop", post(api::stop))
        .route("/api/runs/{id}/pause", post(api::pause))
        .route("/api/runs/{id}/continue", post(api::unpause))
        .route("/api/runs/{id}/resume", post(api::resume_run))
        .route("/api/runs/{id}/undo", post(api::undo))
        .route("/api/runs/{id}/preview", get(api::preview))
        .route("/api/runs/{id}/slide-images", get(api::slide_images));
    Router::new()
        .merge(api)
        .merge(assets::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .with_state(state)
}

/// Binds 127.0.0.1 and starts serving in the background; the caller prints or opens
/// [`RunningServer::url`].
pub async fn start(engine: Engine, opts: ServeOptions) -> Result<RunningServer, ServerError> {
    start_with_bounds(engine, opts, listen::Bounds::default()).await
}

/// [`start`] with other connection bounds (tests use short timeouts).
pub async fn start_with_bounds(
    engine: Engine,
    opts: ServeOptions,
    bounds: listen::Bounds,
) -> Result<RunningServer, ServerError> {
    let port = opts.port.unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| ServerError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { port, source })?;
    let token = new_token()?;
    let state = Arc::new(AppState {
        engine,
        guard: Guard {
            token: token.clone(),
            port: addr.port(),
        },
        folders: opts.folders,
        planner: opts.planner,
        policy: opts.policy,
        hub: Arc::new(Hub::new()),
    });
    let app = router(state);
    let task = tokio::spawn(async move { listen::serve(listener, app, bounds).await });
    Ok(RunningServer { addr, token, task })
}

/// `commis serve`: starts the web UI, prints its address (with the token) as the first
/// line on stdout, opens the browser unless told not to, and serves until the process ends.
pub async fn serve(engine: Engine, opts: ServeOptions) -> Result<(), ServerError> {
    let open = opts.open_browser;
    let server = start(engine, opts).await?;
    let url = server.url();
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        // A closed stdout must not stop the server: the address is also opened below.
        let _ = writeln!(out, "{url}");
        let _ = out.flush();
    }
    if open && let Err(e) = open_browser(&url) {
        eprintln!("could not open a browser ({e}); open the address above yourself");
    }
    server.wait().await
}

/// Hands the address to the desktop's default browser without waiting for it.
fn open_browser(url: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Reap the opener when it exits so it does not linger as a zombie.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_digits_and_differ_per_start() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
