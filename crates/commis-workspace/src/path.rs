//! Lexical checks on the paths tools send: the first of two gates. This one refuses what no
//! honest relative path contains (absolute paths, `..` leaving the root, Windows prefixes,
//! backslashes, control characters, look-alike dots and slashes); the second gate is the
//! kernel-side resolution in [`crate::confined`], which handles symlinks and races.

use crate::error::{PathRefusal, Result, WorkspaceError};

/// Prefix of the temporary files commis writes next to their destination. Paths naming them
/// are refused so that no tool can read or clobber a write in progress.
pub const TEMP_PREFIX: &str = ".commis-tmp-";

/// Longest file name most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;
/// Longest path the kernel accepts, in bytes.
const MAX_PATH_BYTES: usize = 4000;

/// Characters that render as a dot or a slash but are not one: some layers (NFKC
/// normalization, Windows "best fit" code pages) turn them into the real thing.
const LOOKALIKES: &[char] = &[
    '\u{2024}', // one dot leader
    '\u{2025}', // two dot leader
    '\u{2026}', // ellipsis
    '\u{FE52}', // small full stop
    '\u{FF0E}', // fullwidth full stop
    '\u{3002}', // ideographic full stop
    '\u{FF61}', // halfwidth ideographic full stop
    '\u{2215}', // division slash
    '\u{2044}', // fraction slash
    '\u{2571}', // box drawings diagonal
    '\u{29F8}', // big solidus
    '\u{FF0F}', // fullwidth solidus
    '\u{29F5}', // reverse solidus operator
    '\u{29F9}', // big reverse solidus
    '\u{2216}', // set minus
    '\u{FE68}', // small reverse solidus
    '\u{FF3C}', // fullwidth reverse solidus
    '\u{FF1A}', // fullwidth colon
];

/// Invisible characters used to make two names look alike or to reorder what is displayed.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{FFF9}'..='\u{FFFB}')
}

fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn refuse(path: &str, reason: PathRefusal) -> WorkspaceError {
    WorkspaceError::InvalidPath {
        path: path.to_string(),
        reason,
    }
}

/// Splits a tool-supplied path into checked components, relative to the granted folder.
///
/// `""` and `"."` mean the folder itself (an empty vector). `a/./b` is `a/b`; `a/../b` is
/// `b`, but a `..` that would climb above the folder is refused. A trailing `/` is refused
/// unless `allow_trailing_slash` (for folder operations). The result never contains `.`,
/// `..`, empty names, separators, NUL or control characters.
pub fn normalize(path: &str, allow_trailing_slash: bool) -> Result<Vec<String>> {
    if path.len() > MAX_PATH_BYTES {
        return Err(refuse(path, PathRefusal::TooLong));
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(refuse(path, PathRefusal::ControlCharacter(c as u32)));
    }
    if path.contains('\\') {
        return Err(refuse(path, PathRefusal::Backslash));
    }
    if path.starts_with('/') {
        return Err(refuse(path, PathRefusal::Absolute));
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(refuse(path, PathRefusal::DrivePrefix));
    }
    if let Some(c) = path.chars().find(|c| LOOKALIKES.contains(c)) {
        return Err(refuse(path, PathRefusal::LookAlike(c as u32)));
    }
    if let Some(c) = path.chars().find(|&c| is_invisible(c)) {
        return Err(refuse(path, PathRefusal::Invisible(c as u32)));
    }
    let mut trimmed = path;
    if allow_trailing_slash {
        while trimmed.len() > 1 && trimmed.ends_with('/') {
            trimmed = &trimmed[..trimmed.len() - 1];
        }
    }
    let mut out: Vec<String> = Vec::new();
    if trimmed.is_empty() || trimmed == "." {
        return Ok(out);
    }
    for comp in trimmed.split('/') {
        match comp {
            "" => {
                return Err(refuse(path, PathRefusal::EmptyName));
            }
            "." => continue,
            ".." => {
                if out.pop().is_none() {
                    return Err(refuse(path, PathRefusal::ClimbsOut));
                }
            }
            name => {
                check_name(path, name)?;
                out.push(name.to_string());
            }
        }
    }
    Ok(out)
}

/// Checks one file name (no separators) against the rules of [`normalize`].
pub(crate) fn check_name(path: &str, name: &str) -> Result<()> {
    if name.len() > MAX_NAME_BYTES {
        return Err(refuse(path, PathRefusal::NameTooLong(name.to_string())));
    }
    // A name of dots and spaces only is `..` for Windows and for layers that strip
    // trailing dots, spaces or combining marks.
    if name
        .chars()
        .filter(|&c| !is_combining(c))
        .all(|c| c == '.' || c == ' ')
    {
        return Err(refuse(path, PathRefusal::DotsAndSpaces(name.to_string())));
    }
    if name.starts_with(|c: char| is_combining(c)) {
        return Err(refuse(path, PathRefusal::CombiningStart(name.to_string())));
    }
    if is_temp_name(name) {
        return Err(refuse(path, PathRefusal::TempName));
    }
    Ok(())
}

/// True for the names of commis's temporary files (case-insensitively, for file systems
/// that fold case).
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.len() >= TEMP_PREFIX.len()
        && name.as_bytes()[..TEMP_PREFIX.len()].eq_ignore_ascii_case(TEMP_PREFIX.as_bytes())
}

/// Joins components back into a `/`-separated path.
pub(crate) fn join(comps: &[String]) -> String {
    comps.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &str) -> Vec<String> {
        normalize(p, false).unwrap()
    }

    #[test]
    fn plain_relative_paths_split_into_names() {
        assert_eq!(ok("a/b c/d.pdf"), vec!["a", "b c", "d.pdf"]);
        assert_eq!(ok("Réunion 10:30.txt"), vec!["Réunion 10:30.txt"]);
        assert_eq!(ok("./a/./b"), vec!["a", "b"]);
        assert_eq!(ok("a/../b"), vec!["b"]);
        assert!(ok("").is_empty());
        assert!(ok(".").is_empty());
        assert_eq!(ok(".hidden"), vec![".hidden"]);
    }

    #[test]
    fn climbing_above_the_root_is_refused() {
        for p in ["..", "../x", "a/../../x", "./..", "a/b/../../.."] {
            assert!(normalize(p, true).is_err(), "{p}");
        }
    }

    #[test]
    fn trailing_slashes_only_pass_for_folder_operations() {
        assert!(normalize("a/", false).is_err());
        assert_eq!(normalize("a/", true).unwrap(), vec!["a"]);
        assert!(normalize("a//b", true).is_err());
    }

    #[test]
    fn tricks_are_refused() {
        for p in [
            "/etc/passwd",
            "C:/x",
            "c:x",
            "a\\b",
            "a\0b",
            "a\nb",
            "\u{FF0E}\u{FF0E}/x",
            "\u{2215}etc",
            "..\u{0338}",
            "a/\u{0301}b",
            "..\u{200B}",
            ". .",
            "...",
            ".. ",
            ".commis-tmp-1",
            "x/.COMMIS-TMP-1",
            "a\u{202E}fdp.exe",
        ] {
            assert!(normalize(p, true).is_err(), "{p:?}");
        }
    }
}
