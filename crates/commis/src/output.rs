//! Writing to stdout without panicking on a closed pipe, and keeping keys out of what is
//! printed.

/// Writes to stdout; a closed pipe ends the process with success (the reader took what it
/// wanted, as `head` does), any other error is reported once on stderr.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("commis: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// `text` without the configured API keys or anything shaped like a credential: for every
/// message this binary prints that may carry a server's words.
pub(crate) fn redact(text: &str) -> String {
    let keys: Vec<String> = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter(|value| !value.trim().is_empty())
        .collect();
    let known: Vec<&str> = keys.iter().map(String::as_str).collect();
    commis_llm::redact_secrets(text, &known)
}
