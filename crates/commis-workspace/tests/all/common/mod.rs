//! Shared fixtures: a base folder holding a granted folder, an outside folder full of
//! "secrets", and commis's state folder, plus tree hashing to prove nothing changed.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use commis_core::{AccessMode, Grant, MemoryJournal, RunId};
use commis_workspace::{BlobStore, Workspace, sha256_hex};

pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub base: PathBuf,
    pub grant: PathBuf,
    pub outside: PathBuf,
    pub home: PathBuf,
    pub journal: Arc<MemoryJournal>,
    pub blobs: Arc<BlobStore>,
    pub run: RunId,
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(tmp.path()).unwrap();
        let grant = base.join("grant");
        let outside = base.join("outside");
        let home = base.join("home");
        fs::create_dir_all(grant.join("inner/sub")).unwrap();
        fs::create_dir_all(outside.join("dir")).unwrap();
        fs::create_dir_all(&home).unwrap();
        fs::write(grant.join("inner/ok.txt"), b"inside").unwrap();
        fs::write(outside.join("secret.txt"), b"secret").unwrap();
        fs::write(outside.join("dir/file.txt"), b"outside file").unwrap();
        let blobs = Arc::new(BlobStore::open(&home.join("blobs")).unwrap());
        Fixture {
            tmp,
            base,
            grant,
            outside,
            home,
            journal: Arc::new(MemoryJournal::new()),
            blobs,
            run: RunId("20261124-000000-0001".into()),
        }
    }

    /// Plants the symlinks and hard link that escape attempts go through.
    pub fn plant_traps(&self) {
        use std::os::unix::fs::symlink;
        let g = &self.grant;
        symlink("../outside/secret.txt", g.join("link_file")).unwrap();
        symlink("../outside", g.join("link_dir")).unwrap();
        symlink(&self.outside, g.join("abs_link")).unwrap();
        symlink(self.outside.join("secret.txt"), g.join("abs_file_link")).unwrap();
        symlink("../../outside", g.join("inner/up")).unwrap();
        symlink("inner/up", g.join("chain")).unwrap();
        symlink("/", g.join("root_link")).unwrap();
        fs::hard_link(self.outside.join("secret.txt"), g.join("hard")).unwrap();
    }

    pub fn workspace(&self) -> Workspace {
        self.workspace_with(vec![Grant {
            path: self.grant.clone(),
            mode: AccessMode::ReadWrite,
        }])
    }

    pub fn workspace_with(&self, grants: Vec<Grant>) -> Workspace {
        Workspace::open(
            grants,
            self.run.clone(),
            self.journal.clone(),
            self.blobs.clone(),
        )
        .unwrap()
    }

    /// Everything under `base` except the granted folder and commis's state: what no
    /// operation may ever change.
    pub fn outside_state(&self) -> BTreeMap<String, String> {
        let mut out = tree(&self.base);
        out.retain(|k, _| {
            !(k == "grant" || k.starts_with("grant/") || k == "home" || k.starts_with("home/"))
        });
        out
    }
}

/// Every entry under `dir` (not following symlinks): path -> kind and content hash.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let m = fs::symlink_metadata(&p).unwrap();
        if m.file_type().is_symlink() {
            out.insert(
                rel,
                format!("link:{}", fs::read_link(&p).unwrap().display()),
            );
        } else if m.is_dir() {
            out.insert(rel, "dir".into());
            walk(root, &p, out);
        } else {
            out.insert(rel, format!("file:{}", sha256_hex(&fs::read(&p).unwrap())));
        }
    }
}

/// Copies a fixture folder of real documents into `dest`.
pub fn copy_tree(from: &Path, dest: &Path) {
    fs::create_dir_all(dest).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = dest.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), t).unwrap();
        }
    }
}
