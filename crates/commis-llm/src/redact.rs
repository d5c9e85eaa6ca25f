//! Keeps API keys out of everything a person or a log can read: error messages built from
//! server answers (some echo the key back), events, summaries, `commis doctor`.
//!
//! Two nets: the keys actually configured are replaced wherever they appear, and anything
//! shaped like a credential (`sk-…`, `Bearer …`, well-known token prefixes, long mixed-case
//! base64-like runs) is replaced too, so a key from another variable or a proxy is caught.

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Prefixes of credentials issued by common providers; a run of token characters starting
/// with one and long enough is a key.
const KEY_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "rk_",
    "pk_live_",
    "xai-",
    "gsk_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "hf_",
    "AIza",
    "AKIA",
    "xoxb-",
    "xoxp-",
    "glpat-",
    "r8_",
    "pplx-",
    "nvapi-",
];

/// Shortest run starting with a known prefix that is treated as a key.
const MIN_PREFIXED: usize = 16;
/// Shortest unprefixed run treated as a key when it mixes upper case, lower case and digits.
const MIN_GENERIC: usize = 40;

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
}

fn looks_like_key(token: &str) -> bool {
    if KEY_PREFIXES
        .iter()
        .any(|prefix| token.starts_with(prefix) && token.len() >= MIN_PREFIXED)
    {
        return true;
    }
    token.len() >= MIN_GENERIC
        && token.chars().any(|c| c.is_ascii_uppercase())
        && token.chars().any(|c| c.is_ascii_lowercase())
        && token.chars().any(|c| c.is_ascii_digit())
}

/// `text` with every `known` secret (ignoring ones shorter than 6 characters, which would
/// blank ordinary words) and everything shaped like a credential replaced by [`REDACTED`].
pub fn redact_secrets(text: &str, known: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in known {
        let secret = secret.trim();
        if secret.len() >= 6 && out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    let mut after_bearer = false;
    while let Some(start) = rest.find(is_token_char) {
        result.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(|c| !is_token_char(c)).unwrap_or(tail.len());
        let token = &tail[..end];
        if (after_bearer && token.len() >= 8) || looks_like_key(token) {
            result.push_str(REDACTED);
        } else {
            result.push_str(token);
        }
        after_bearer = token.eq_ignore_ascii_case("bearer");
        rest = &tail[end..];
        // Only a single space may separate "Bearer" from its token.
        if after_bearer && !rest.starts_with(' ') {
            after_bearer = false;
        } else if after_bearer {
            result.push(' ');
            rest = &rest[1..];
        }
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_keys_and_key_shaped_tokens_are_replaced() {
        let text = "invalid x-api-key: my-own-secret-key-123 (Bearer abcdefgh123) \
                    also sk-ant-api03-AbCdEf0123456789xyz and AIzaSyA1234567890abcdefghij";
        let shown = redact_secrets(text, &["my-own-secret-key-123"]);
        assert!(!shown.contains("my-own-secret"), "{shown}");
        assert!(!shown.contains("abcdefgh123"), "{shown}");
        assert!(!shown.contains("sk-ant-api03"), "{shown}");
        assert!(!shown.contains("AIzaSy"), "{shown}");
        assert!(
            shown.starts_with("invalid x-api-key: [redacted]"),
            "{shown}"
        );
        assert!(shown.contains("Bearer [redacted]"), "{shown}");
    }

    #[test]
    fn ordinary_messages_are_left_alone() {
        for text in [
            "model: claude-sonnet-4-5 not found",
            "Overloaded",
            "http://127.0.0.1:8080/v1/chat/completions refused",
            "sha 0123456789abcdef0123456789abcdef01234567 is a hash",
            "le fichier Factures_2024-03_client-Dupont.pdf est illisible",
            "ask the task-oriented question",
        ] {
            assert_eq!(redact_secrets(text, &["abc"]), text);
        }
    }
}
