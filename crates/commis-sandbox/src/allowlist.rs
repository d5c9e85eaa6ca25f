//! The user's exec allowlist: commands that run without asking, from config patterns such as
//! `soffice --headless *`.

/// Patterns of commands the user allows without approval.
///
/// A pattern is split on whitespace into words; each word is a glob matched against the
/// argument at the same position (`*` any run of characters, `?` one character, `\` escapes
/// the next character). A last word that is exactly `*` matches all remaining arguments,
/// including none. Words are compared literally otherwise: `soffice` matches `argv[0] ==
/// "soffice"`, not `./soffice` nor `/tmp/x/soffice`, so a script planted in a folder cannot
/// borrow the approval given to a system program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecAllowlist {
    patterns: Vec<Vec<String>>,
}

impl ExecAllowlist {
    /// Builds the allowlist; blank patterns are ignored.
    pub fn new(patterns: Vec<String>) -> Self {
        let patterns = patterns
            .iter()
            .map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|words| !words.is_empty())
            .collect();
        ExecAllowlist { patterns }
    }

    /// True when `argv` matches at least one pattern.
    pub fn matches(&self, argv: &[String]) -> bool {
        !argv.is_empty() && self.patterns.iter().any(|p| pattern_matches(p, argv))
    }
}

fn pattern_matches(words: &[String], argv: &[String]) -> bool {
    let (fixed, rest_wildcard) = match words.split_last() {
        Some((last, init)) if last == "*" && !init.is_empty() => (init, true),
        _ => (words, false),
    };
    if argv.len() < fixed.len() || (!rest_wildcard && argv.len() != fixed.len()) {
        return false;
    }
    fixed
        .iter()
        .zip(argv)
        .all(|(w, a)| glob_word(w.as_bytes(), a.as_bytes()))
}

/// Glob match of one word, iterative with backtracking on the last `*`.
fn glob_word(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                t += 1;
                continue;
            }
            Some(b'\\') if p + 1 < pattern.len() && pattern[p + 1] == text[t] => {
                p += 2;
                t += 1;
                continue;
            }
            Some(&c) if c != b'\\' && c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn list(p: &[&str]) -> ExecAllowlist {
        ExecAllowlist::new(p.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn trailing_star_matches_any_remaining_arguments() {
        let l = list(&["soffice --headless *"]);
        assert!(l.matches(&argv("soffice --headless")));
        assert!(l.matches(&argv("soffice --headless --convert-to pdf a.docx")));
        assert!(!l.matches(&argv("soffice --convert-to pdf a.docx")));
    }

    #[test]
    fn words_must_match_position_by_position() {
        let l = list(&["pandoc *.md -o *.docx"]);
        assert!(l.matches(&argv("pandoc notes.md -o notes.docx")));
        assert!(!l.matches(&argv("pandoc notes.md -o notes.docx --lua-filter x.lua")));
        assert!(!l.matches(&argv("pandoc notes.txt -o notes.docx")));
    }

    #[test]
    fn program_name_is_not_matched_by_a_path_to_another_file() {
        let l = list(&["soffice *"]);
        assert!(!l.matches(&argv("./soffice --headless")));
        assert!(!l.matches(&argv("/tmp/x/soffice --headless")));
    }

    #[test]
    fn question_mark_and_escapes() {
        let l = list(&["cat file?.txt", r"echo \*"]);
        assert!(l.matches(&argv("cat file1.txt")));
        assert!(!l.matches(&argv("cat file10.txt")));
        assert!(l.matches(&argv("echo *")));
        assert!(!l.matches(&argv("echo x")));
    }

    #[test]
    fn empty_argv_and_empty_list_never_match() {
        assert!(!list(&[]).matches(&argv("ls")));
        assert!(!list(&["*"]).matches(&[]));
        assert!(!list(&["   "]).matches(&argv("ls")));
    }

    #[test]
    fn a_lone_star_matches_one_word_only() {
        // `*` alone is a one-word pattern, not "everything": allowing all commands takes intent.
        let l = list(&["*"]);
        assert!(l.matches(&argv("ls")));
        assert!(!l.matches(&argv("rm -rf x")));
    }
}
