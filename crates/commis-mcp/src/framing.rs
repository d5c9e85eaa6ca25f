//! Line framing in front of the MCP stdio transport, so that every request gets an
//! answer: a line that is not JSON gets `-32700 Parse error`, and a line longer than
//! [`MAX_LINE_BYTES`] gets `-32600` saying it is too large. The MCP library drops
//! both silently (a client then waits forever); everything else is passed through
//! unchanged and answered by the library.
//!
//! Not for anything but framing: requests are not interpreted here.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// The longest request line accepted (the MCP library refuses longer ones).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024 - 1;

/// Bytes of an oversized line kept to find its `id`.
const HEAD_BYTES: usize = 4096;

/// Puts the framing between `input`/`output` (the client) and the returned pair
/// (what the MCP service reads and writes). Runs until `input` ends; the service
/// then sees the end of its input.
pub fn guard<R, W>(input: R, output: W) -> (DuplexStream, DuplexStream)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (service_in, mut to_service) = tokio::io::duplex(1024 * 1024);
    let (from_service, service_out) = tokio::io::duplex(1024 * 1024);
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(64);

    // The one writer of `output`: whole lines only, from the service or from here.
    tokio::spawn(async move {
        let mut output = output;
        while let Some(line) = rx.recv().await {
            if output.write_all(&line).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });
    let answers = tx.clone();
    tokio::spawn(async move {
        let mut reader = BufReader::new(from_service);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if !line.ends_with(b"\n") {
                        line.push(b'\n');
                    }
                    if answers.send(line.clone()).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        let mut reader = BufReader::with_capacity(64 * 1024, input);
        let mut line = Vec::new();
        loop {
            match read_line_capped(&mut reader, &mut line).await {
                Ok(Line::End) | Err(_) => break,
                Ok(Line::TooLong(total)) => {
                    let id = id_hint(&line);
                    let reply = error_line(
                        id,
                        -32600,
                        &format!(
                            "request too large: more than {total} bytes, the limit is {MAX_LINE_BYTES} bytes; pass paths to files instead of their content"
                        ),
                    );
                    if tx.send(reply).await.is_err() {
                        break;
                    }
                }
                Ok(Line::Whole) => {
                    let body = trim_line(&line);
                    if body.is_empty() {
                        continue;
                    }
                    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                        let reply = error_line(Value::Null, -32700, &format!("Parse error: {e}"));
                        if tx.send(reply).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    if to_service.write_all(body).await.is_err()
                        || to_service.write_all(b"\n").await.is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = to_service.shutdown().await;
    });
    (service_in, service_out)
}

enum Line {
    /// A whole line is in the buffer (without its newline), possibly the last one.
    Whole,
    /// The line was longer than the limit; the buffer holds its first bytes, and
    /// this many bytes were seen.
    TooLong(usize),
    /// The input ended.
    End,
}

/// Reads one line without ever buffering more than [`MAX_LINE_BYTES`] of it.
async fn read_line_capped<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    line.clear();
    let mut seen = 0usize;
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if too_long {
                Line::TooLong(seen)
            } else if seen == 0 {
                Line::End
            } else {
                Line::Whole
            });
        }
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], i + 1),
            None => (buf, buf.len()),
        };
        let found_newline = done > chunk.len();
        seen += chunk.len();
        if !too_long && seen > MAX_LINE_BYTES {
            too_long = true;
            line.truncate(HEAD_BYTES);
        }
        if too_long {
            let room = HEAD_BYTES.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        } else {
            line.extend_from_slice(chunk);
        }
        reader.consume(done);
        if found_newline {
            return Ok(if too_long {
                Line::TooLong(seen)
            } else {
                Line::Whole
            });
        }
    }
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut s = line;
    while let [rest @ .., last] = s
        && last.is_ascii_whitespace()
    {
        s = rest;
    }
    while let [first, rest @ ..] = s
        && first.is_ascii_whitespace()
    {
        s = rest;
    }
    s
}

/// The `id` of a request from the first bytes of its line, when it comes early (as
/// clients write it); `null` otherwise.
fn id_hint(head: &[u8]) -> Value {
    let text = String::from_utf8_lossy(head);
    let Some(at) = text.find("\"id\"") else {
        return Value::Null;
    };
    let rest = text[at + 4..].trim_start();
    let Some(rest) = rest.strip_prefix(':') else {
        return Value::Null;
    };
    let rest = rest.trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return s
            .split_once('"')
            .map_or(Value::Null, |(id, _)| Value::String(id.to_string()));
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse::<i64>().map_or(Value::Null, Value::from)
}

fn error_line(id: Value, code: i64, message: &str) -> Vec<u8> {
    let mut line = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    })
    .to_string()
    .into_bytes();
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_of_an_oversized_request_is_found_in_its_head() {
        assert_eq!(
            id_hint(br#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"#),
            json!(42)
        );
        assert_eq!(id_hint(br#"{"id": "abc", "method""#), json!("abc"));
        assert_eq!(id_hint(br#"{"method":"x","params":{"a":"#), Value::Null);
    }

    #[tokio::test]
    async fn malformed_and_oversized_lines_are_answered_and_the_rest_passes() {
        let (client, server_side) = tokio::io::duplex(64 * 1024);
        let (server_read, server_write) = tokio::io::split(server_side);
        let (mut service_in, mut service_out) = guard(server_read, server_write);
        let (mut client_read, mut client_write) = tokio::io::split(client);
        let writer = tokio::spawn(async move {
            client_write.write_all(b"{not json\n").await.unwrap();
            let mut big =
                br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"x":""#.to_vec();
            big.resize(MAX_LINE_BYTES + 10, b'a');
            big.extend_from_slice(b"\"}}\n");
            client_write.write_all(&big).await.unwrap();
            client_write
                .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}\n")
                .await
                .unwrap();
            client_write.shutdown().await.unwrap();
        });
        // The valid request reaches the service untouched.
        let mut passed = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut service_in, &mut passed)
            .await
            .unwrap();
        assert_eq!(
            passed,
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}\n"
        );
        writer.await.unwrap();
        service_out.shutdown().await.unwrap();
        drop(service_out);
        let mut answers = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut client_read, &mut answers)
            .await
            .unwrap();
        let lines: Vec<Value> = answers
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{answers}");
        assert_eq!(lines[0]["error"]["code"], -32700);
        assert_eq!(lines[0]["id"], Value::Null);
        assert_eq!(lines[1]["error"]["code"], -32600);
        assert_eq!(lines[1]["id"], 7);
        assert!(
            lines[1]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("too large")
        );
    }
}
