#!/usr/bin/env python3
"""Soak benchmark (not a test): many whole runs of the real `commis` binary against a loopback
model that injects a random fault on a share of its answers, then `commis undo` of each run.

The loopback model speaks the Anthropic Messages wire format (streaming or not, alternating
per run). It plans one step, writes a report into the announced output folder, overwrites an
existing file, and completes the step. On FAULT_RATE of the requests it misbehaves instead:
HTTP 529 / 500 / 429, a stream cut in the middle of an event, an `overloaded_error` event
mid-stream, a stall longer than the idle timeout, or keep-alive pings past the deadline.

For every run it checks:
  - the run ends (the process exits before DEADLINE_SLACK past its call deadline): no hang;
  - its status is true: `done` runs have the report and the modified file, and only runs that
    met a fault that cannot be retried (stall, endless pings) or too many faults in a row end
    `failed`, with a message naming the cause;
  - `commis undo RUN` restores the folder byte for byte.

Usage: scripts/bench-soak-model.py [RUNS] [FAULT_RATE]   (defaults 200 and 0.10)
Needs target/debug/commis (cargo build -p commis) or COMMIS_BIN.
"""

import hashlib
import http.server
import json
import os
import random
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
FAULT_RATE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.10
IDLE_TIMEOUT = 1.5
DEADLINE = 5.0
# Each model call may take up to DEADLINE; a run makes 4 calls at most, plus startup.
RUN_LIMIT = 4 * DEADLINE + 20
FAULTS = ["529", "500", "429", "cut", "error_event", "stall", "pings"]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("COMMIS_BIN", os.path.join(ROOT, "target", "debug", "commis"))

rng = random.Random(int(os.environ.get("SOAK_SEED", "14")))
lock = threading.Lock()
injected = []  # faults injected since the last reset


def tool_turn(name, args):
    return [{"type": "tool_use", "id": f"toolu_{rng.randrange(1 << 30)}", "name": name, "input": args}]


def answer_for(req):
    """The model's next turn, decided from the conversation only (the server keeps no state)."""
    system = req.get("system", "")
    messages = req.get("messages", [])
    first = json.dumps(messages[0]) if messages else ""
    if "PLANNING" in system:
        return tool_turn("propose_plan", {"steps": [{"title": "Rapport", "description": "Write the report"}]})
    results = sum(
        1 for m in messages if isinstance(m.get("content"), list)
        for b in m["content"] if b.get("type") == "tool_result" and not b.get("is_error"))
    out = "Livrables"
    marker = "Output folder for deliverables: "
    if marker in first:
        out = first.split(marker, 1)[1].split("/", 1)[0]
    if results == 0:
        return tool_turn("create_document", {
            "path": f"{out}/rapport.md", "title": "Rapport",
            "blocks": [{"type": "paragraph", "text": "Tout est en ordre."}]})
    if results == 1:
        return tool_turn("write_file", {"path": "notes.txt", "content": "notes revues\n", "overwrite": True})
    return tool_turn("complete_step", {"note": "rapport écrit, notes revues"})


def sse(event, data):
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def stream_events(content):
    events = [sse("message_start", {"type": "message_start", "message": {
        "id": "msg_soak", "type": "message", "role": "assistant", "model": "soak-model",
        "content": [], "usage": {"input_tokens": 50, "output_tokens": 1}}})]
    events.append(sse("content_block_start", {"type": "content_block_start", "index": 0,
                                              "content_block": {"type": "text", "text": ""}}))
    events.append(sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": "Je m'en occupe."}}))
    events.append(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
    for i, block in enumerate(content, start=1):
        events.append(sse("content_block_start", {"type": "content_block_start", "index": i,
                                                  "content_block": {"type": "tool_use", "id": block["id"],
                                                                    "name": block["name"], "input": {}}}))
        args = json.dumps(block["input"])
        half = len(args) // 2
        for piece in (args[:half], args[half:]):
            events.append(sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                                      "delta": {"type": "input_json_delta", "partial_json": piece}}))
        events.append(sse("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"},
                                        "usage": {"output_tokens": 20}}))
    events.append(sse("message_stop", {"type": "message_stop"}))
    return events


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        req = json.loads(self.rfile.read(length) or b"{}")
        stream = bool(req.get("stream"))
        fault = rng.choice(FAULTS) if rng.random() < FAULT_RATE else None
        if fault:
            with lock:
                injected.append(fault)
        try:
            self.serve(req, stream, fault)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def serve(self, req, stream, fault):
        content = answer_for(req)
        if fault == "529":
            return self.send_json(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        if fault == "500":
            return self.send_json(500, {"type": "error", "error": {"type": "api_error", "message": "Internal error"}})
        if fault == "429":
            return self.send_json(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}},
                                  [("retry-after-ms", "200")])
        if fault == "stall":
            time.sleep(IDLE_TIMEOUT + 1.0)
            return
        if not stream:
            if fault in ("cut", "error_event", "pings"):
                # Without streaming these become a body cut short of its declared length.
                body = json.dumps({"content": content}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body) + 50))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                return
            return self.send_json(200, {"id": "msg_soak", "type": "message", "role": "assistant",
                                        "model": "soak-model", "content": content, "stop_reason": "tool_use",
                                        "usage": {"input_tokens": 50, "output_tokens": 20}})
        events = stream_events(content)
        self.start_stream()
        if fault == "cut":
            for e in events[:3]:
                self.wfile.write(e)
            self.wfile.write(events[3][:12])
            self.wfile.flush()
            return
        if fault == "error_event":
            for e in events[:3]:
                self.wfile.write(e)
            self.wfile.write(sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
            self.wfile.flush()
            return
        if fault == "pings":
            self.wfile.write(events[0])
            end = time.time() + DEADLINE + 3
            while time.time() < end:
                self.wfile.write(sse("ping", {"type": "ping"}))
                self.wfile.flush()
                time.sleep(0.2)
            return
        for e in events:
            self.wfile.write(e)
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def tree(root):
    out = {}
    for base, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(base, d), root)] = "dir"
        for f in files:
            p = os.path.join(base, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} not found: run `cargo build -p commis` first")
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = tempfile.mkdtemp(prefix="commis-soak-")
    counts = {"done": 0, "failed": 0, "other": 0}
    problems = []
    faults_seen = {}
    runs_with_fault = 0
    undo_ok = 0
    longest = 0.0
    started = time.time()
    for i in range(RUNS):
        work = os.path.join(tmp, f"run{i}", "dossier")
        os.makedirs(work)
        with open(os.path.join(work, "notes.txt"), "w") as fh:
            fh.write("notes d'origine\n")
        with open(os.path.join(work, "facture.txt"), "w") as fh:
            fh.write("FACTURE F-1\nTotal TTC : 120,00 €\n")
        before = tree(work)
        stream = i % 2 == 0
        config = os.path.join(tmp, f"run{i}", "config.toml")
        with open(config, "w") as fh:
            fh.write(f"stream = {'true' if stream else 'false'}\n")
        env = dict(os.environ, COMMIS_HOME=os.path.join(tmp, "state"), COMMIS_CONFIG=config,
                   ANTHROPIC_API_KEY="sk-ant-soak-key-0123456789", ANTHROPIC_BASE_URL=base,
                   COMMIS_LLM_IDLE_TIMEOUT=str(IDLE_TIMEOUT), COMMIS_LLM_DEADLINE=str(DEADLINE),
                   NO_COLOR="1")
        env.pop("OPENAI_API_KEY", None)
        with lock:
            injected.clear()
        t0 = time.time()
        try:
            out = subprocess.run([BIN, "run", work, "Rédige un rapport et revois les notes", "--provider",
                                  "anthropic", "--yes", "--json"], env=env, capture_output=True,
                                 timeout=RUN_LIMIT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            problems.append(f"run {i}: hung past {RUN_LIMIT} s")
            continue
        took = time.time() - t0
        longest = max(longest, took)
        with lock:
            faults = list(injected)
        if faults:
            runs_with_fault += 1
        for f in faults:
            faults_seen[f] = faults_seen.get(f, 0) + 1
        lines = [l for l in out.stdout.decode().splitlines() if l.strip()]
        try:
            summary = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            problems.append(f"run {i}: no JSON summary (exit {out.returncode}): {out.stderr.decode()[-300:]}")
            continue
        status = summary.get("status")
        counts[status if status in counts else "other"] += 1
        if "0123456789" in out.stdout.decode() + out.stderr.decode():
            problems.append(f"run {i}: the API key was printed")
        if status == "done":
            ok = (os.path.isfile(os.path.join(work, "Livrables", "rapport.md"))
                  and open(os.path.join(work, "notes.txt")).read() == "notes revues\n")
            if not ok:
                problems.append(f"run {i}: done but the files are not there")
        elif status == "failed":
            fatal = {"stall", "pings"} & set(faults)
            if not fatal and len(faults) < 3:
                problems.append(f"run {i}: failed after retryable faults {faults}: {summary.get('message')}")
        else:
            problems.append(f"run {i}: status {status}")
        undo = subprocess.run([BIN, "undo", summary["run_id"]], env=env, capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        # A run that failed before changing anything has nothing to undo (and says so).
        nothing = b"changed no file" in undo.stderr
        if (undo.returncode == 0 or nothing) and tree(work) == before:
            undo_ok += 1
        else:
            problems.append(f"run {i}: undo did not restore the folder: {undo.stderr.decode()[-300:]}")
    server.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    total = time.time() - started
    report = {
        "runs": RUNS, "fault_rate": FAULT_RATE, "statuses": counts, "runs_with_a_fault": runs_with_fault,
        "faults_injected": faults_seen, "undo_restored": undo_ok, "longest_run_s": round(longest, 1),
        "run_limit_s": RUN_LIMIT, "total_s": round(total, 1), "problems": problems,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
