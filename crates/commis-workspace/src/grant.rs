//! Which folders may be granted at all: the folders a person would hand to an
//! assistant, never the whole disk, the system, a pseudo-filesystem or commis's own
//! state. The CLI and the web server both ask [`check_grantable`].
//!
//! Not for confinement inside a granted folder (see `confined`).

use std::path::{Path, PathBuf};

/// Why a folder cannot be granted, one line a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefusal {
    /// The folder does not exist or cannot be opened.
    #[error("cannot open the folder {path}: {reason}; check the path")]
    Missing {
        path: String,
        reason: String,
        /// What kind of failure it was (missing, no permission...), for the user's language.
        kind: std::io::ErrorKind,
    },
    /// The path names a file.
    #[error("{path} is not a folder")]
    NotAFolder { path: String },
    /// The whole disk, a system folder or a pseudo-filesystem.
    #[error(
        "{path} is {what}: commis only works in folders of your own (documents, projects); grant one of those"
    )]
    System { path: String, what: &'static str },
    /// The folder holds commis's state, or is inside it.
    #[error(
        "{path} contains commis's own state folder {home} (or is inside it): grant another folder, or set COMMIS_HOME elsewhere"
    )]
    StateHome { path: String, home: String },
}

/// System folders, refused with everything below them unless that is inside the
/// user's home or the temporary folder.
const SYSTEM_DIRS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/run",
    "/sbin",
    "/snap",
    "/sys",
    "/usr",
    "/var",
    "/System",
    "/Library",
    "/Applications",
    "/private/etc",
    "/private/var",
    "/Volumes",
    "/cores",
];

/// Folders that only hold other people's homes: refused themselves, fine below.
const HOME_PARENTS: &[&str] = &["/home", "/Users"];

/// Resolves `dir` (symbolic links followed) and checks it can be granted;
/// `state_home` is commis's state folder (COMMIS_HOME). Returns the resolved path.
pub fn check_grantable(dir: &Path, state_home: &Path) -> Result<PathBuf, GrantRefusal> {
    let shown = dir.display().to_string();
    let path = dir.canonicalize().map_err(|e| GrantRefusal::Missing {
        path: shown.clone(),
        reason: e.to_string(),
        kind: e.kind(),
    })?;
    if !path.is_dir() {
        return Err(GrantRefusal::NotAFolder { path: shown });
    }
    let system = |what| GrantRefusal::System {
        path: path.display().to_string(),
        what,
    };
    if path.parent().is_none() {
        return Err(system("the whole disk"));
    }
    if HOME_PARENTS.iter().any(|h| path == Path::new(h)) {
        return Err(system("the folder of every user's home"));
    }
    let personal = [
        std::env::var_os("HOME").map(PathBuf::from),
        Some(std::env::temp_dir()),
    ]
    .into_iter()
    .flatten()
    .filter_map(|p| p.canonicalize().ok())
    .filter(|p| p.parent().is_some())
    .any(|p| path.starts_with(&p));
    if !personal && SYSTEM_DIRS.iter().any(|s| path.starts_with(s)) {
        return Err(system("a system folder"));
    }
    if pseudo_filesystem(&path) {
        return Err(system("on a pseudo-filesystem (proc, sys, dev...)"));
    }
    let home = state_home
        .canonicalize()
        .unwrap_or_else(|_| state_home.to_path_buf());
    if home.starts_with(&path) || path.starts_with(&home) {
        return Err(GrantRefusal::StateHome {
            path: path.display().to_string(),
            home: home.display().to_string(),
        });
    }
    Ok(path)
}

/// Whether the folder lives on a kernel pseudo-filesystem (its "files" are views of
/// the running system, not documents).
#[cfg(target_os = "linux")]
fn pseudo_filesystem(path: &Path) -> bool {
    const MAGICS: &[i64] = &[
        0x9fa0,      // proc
        0x6265_6572, // sysfs
        0x1cd1,      // devpts
        0x6462_6720, // debugfs
        0x7472_6163, // tracefs
        0x7363_6673, // securityfs
        0x0027_e0eb, // cgroup
        0x6367_7270, // cgroup2
        0xcafe_4a11, // bpf
        0x6165_676c, // pstore
        0x6265_6570, // configfs
        0x6573_5543, // fusectl
        0x1980_0202, // mqueue
        0x9584_58f6, // hugetlbfs
        0x4249_4e4d, // binfmt_misc
    ];
    match rustix::fs::statfs(path) {
        // `f_type`'s width differs between architectures.
        #[allow(clippy::unnecessary_cast)]
        Ok(st) => MAGICS.contains(&(st.f_type as i64)),
        Err(_) => false,
    }
}

#[cfg(not(target_os = "linux"))]
fn pseudo_filesystem(path: &Path) -> bool {
    path.starts_with("/dev")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(p: &str) -> bool {
        matches!(
            check_grantable(Path::new(p), Path::new("/nonexistent-commis-home")),
            Err(GrantRefusal::System { .. })
        )
    }

    #[test]
    fn the_disk_the_system_and_pseudo_filesystems_are_refused() {
        for p in [
            "/",
            "/etc",
            "/usr/share",
            "/proc",
            "/proc/self",
            "/sys",
            "/dev",
            "/var",
        ] {
            if Path::new(p).exists() {
                assert!(refused(p), "{p} should be refused");
            }
        }
    }

    #[test]
    fn a_folder_of_ones_own_is_granted_and_commis_home_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("Clients");
        std::fs::create_dir(&docs).unwrap();
        let home = dir.path().join("state");
        std::fs::create_dir(&home).unwrap();
        assert_eq!(
            check_grantable(&docs, &home).unwrap(),
            docs.canonicalize().unwrap()
        );
        assert!(matches!(
            check_grantable(dir.path(), &home),
            Err(GrantRefusal::StateHome { .. })
        ));
        assert!(matches!(
            check_grantable(&home.join("x"), &home),
            Err(GrantRefusal::Missing { .. })
        ));
        let file = docs.join("a.txt");
        std::fs::write(&file, "a").unwrap();
        assert!(matches!(
            check_grantable(&file, &home),
            Err(GrantRefusal::NotAFolder { .. })
        ));
    }
}
