//! The content-addressed backup store: every byte a change would lose is copied here first,
//! under its SHA-256, so undo can put it back. Blobs are written atomically and never
//! overwritten; the store lives under `COMMIS_HOME/blobs`, outside every granted folder.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{Result, WorkspaceError};

/// Content-addressed storage of file contents: `dir/ab/abcdef…` holds the bytes whose
/// SHA-256 is `abcdef…`.
#[derive(Debug)]
pub struct BlobStore {
    dir: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name unlikely to collide with another writer's; collisions are still caught by
/// `create_new`.
pub(crate) fn unique_suffix() -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}-{n}-{nanos:08x}", std::process::id())
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn is_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn blob_err(what: String) -> WorkspaceError {
    WorkspaceError::Blob(what)
}

impl BlobStore {
    /// Opens (creating it if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<BlobStore> {
        fs::create_dir_all(dir).map_err(|e| {
            blob_err(format!(
                "cannot create the backup folder {}: {e}",
                dir.display()
            ))
        })?;
        let dir = fs::canonicalize(dir).map_err(|e| {
            blob_err(format!(
                "cannot open the backup folder {}: {e}",
                dir.display()
            ))
        })?;
        Ok(BlobStore { dir })
    }

    /// The folder the blobs live in (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, hash: &str) -> Result<PathBuf> {
        if !is_hash(hash) {
            return Err(blob_err(format!(
                "`{hash}` is not a SHA-256 hex digest; the journal may be corrupt"
            )));
        }
        Ok(self.dir.join(&hash[..2]).join(hash))
    }

    /// Whether the bytes of `hash` are stored.
    pub fn has(&self, hash: &str) -> bool {
        self.path_of(hash).map(|p| p.is_file()).unwrap_or(false)
    }

    /// Stores `bytes` and returns their hash. Storing the same bytes twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let hash = sha256_hex(bytes);
        if self.has(&hash) {
            return Ok(hash);
        }
        self.store(bytes, true)
    }

    /// Stores everything `reader` yields, hashing while it streams, and returns the hash.
    /// The blob is on disk (flushed) when this returns.
    pub fn put_reader(&self, reader: impl Read) -> Result<String> {
        self.store(reader, true)
    }

    /// Stores the content of `file`: hashed first, so bytes already stored are not written
    /// again. With `durable` false the caller must call [`BlobStore::sync`] before relying
    /// on the blob surviving a crash (one flush for many blobs).
    pub(crate) fn put_file(&self, mut file: File, durable: bool, shown: &str) -> Result<String> {
        let hash = crate::confined::hash_reader(&mut file, shown)?;
        if self.has(&hash) {
            return Ok(hash);
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| WorkspaceError::io("read", shown, e))?;
        self.store(file, durable)
    }

    /// Flushes every blob stored without `durable` to disk.
    pub fn sync(&self) -> Result<()> {
        let dir = File::open(&self.dir)
            .map_err(|e| blob_err(format!("cannot open {}: {e}", self.dir.display())))?;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let synced = rustix::fs::syncfs(&dir).map_err(std::io::Error::from);
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let synced = dir.sync_all();
        synced.map_err(|e| blob_err(format!("cannot flush {}: {e}", self.dir.display())))
    }

    fn store(&self, mut reader: impl Read, durable: bool) -> Result<String> {
        // Without syncfs, the only way to make a blob durable is to flush it now.
        let durable = durable || !cfg!(any(target_os = "linux", target_os = "android"));
        let tmp = self.dir.join(format!(".tmp-{}", unique_suffix()));
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(|e| blob_err(format!("cannot create {}: {e}", tmp.display())))?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(blob_err(format!("cannot read the bytes to back up: {e}")));
                    }
                };
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n])
                    .map_err(|e| blob_err(format!("cannot write {}: {e}", tmp.display())))?;
            }
            if durable {
                file.sync_all()
                    .map_err(|e| blob_err(format!("cannot flush {}: {e}", tmp.display())))?;
            }
            let hash = hex::encode(hasher.finalize());
            let final_path = self.path_of(&hash)?;
            let shard = final_path.parent().unwrap_or(&self.dir).to_path_buf();
            fs::create_dir_all(&shard)
                .map_err(|e| blob_err(format!("cannot create {}: {e}", shard.display())))?;
            // A hard link never replaces an existing name, so a stored blob is never rewritten.
            match fs::hard_link(&tmp, &final_path) {
                Ok(()) => {
                    let mut perms = file
                        .metadata()
                        .map_err(|e| blob_err(format!("cannot stat {}: {e}", tmp.display())))?
                        .permissions();
                    perms.set_readonly(true);
                    let _ = fs::set_permissions(&final_path, perms);
                    if durable {
                        File::open(&shard).and_then(|d| d.sync_all()).map_err(|e| {
                            blob_err(format!("cannot flush {}: {e}", shard.display()))
                        })?;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) if final_path.is_file() => {}
                // File systems without hard links (FAT, some network shares): a rename,
                // which cannot clobber different bytes since the name is their hash.
                Err(_) => fs::rename(&tmp, &final_path)
                    .map_err(|e| blob_err(format!("cannot store {}: {e}", final_path.display())))?,
            }
            Ok(hash)
        })();
        let _ = fs::remove_file(&tmp);
        result
    }

    /// The bytes stored under `hash`, checked against it.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>> {
        let path = self.path_of(hash)?;
        let bytes = fs::read(&path).map_err(|e| {
            blob_err(format!(
                "the backup {hash} cannot be read ({e}); the bytes it held are lost"
            ))
        })?;
        if sha256_hex(&bytes) != hash {
            return Err(blob_err(format!(
                "the backup {} is corrupt (its content no longer matches its hash)",
                path.display()
            )));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bytes_come_back_under_their_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(&dir.path().join("blobs")).unwrap();
        let h = store.put(b"hello").unwrap();
        assert_eq!(
            h,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(store.has(&h));
        assert_eq!(store.get(&h).unwrap(), b"hello");
        assert!(dir.path().join("blobs/2c").join(&h).is_file());
        assert_eq!(store.put(b"hello").unwrap(), h);
        let leftovers: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn hashes_that_are_not_digests_never_reach_the_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        assert!(store.get("../../etc/passwd").is_err());
        assert!(!store.has("../x"));
    }

    #[test]
    fn a_tampered_blob_is_reported_not_returned() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let h = store.put(b"original").unwrap();
        let p = store.path_of(&h).unwrap();
        let mut perms = fs::metadata(&p).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        fs::set_permissions(&p, perms).unwrap();
        fs::write(&p, b"tampered").unwrap();
        assert!(store.get(&h).is_err());
    }
}
