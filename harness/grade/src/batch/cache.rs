//! `grade batch`'s cache: a student whose files and grading are what they
//! were when last graded gets that row and report back without running a
//! scenario. The key is SHA-256 of everything that can change a result:
//! every file of the student's folder (path and bytes, as the discovery
//! rule lists them), and the batch's own part (`base`): grade's version,
//! the scenarios graded with their steps and points (from the embedded
//! catalogue, `--scenarios` and `--points`), `-q`, `-s`, `--timeout-scale`,
//! `--lang`, `--port`, the layout file, the isolation and the sandbox's
//! layers, and python3's version. A row in `error` is never kept.
//! One entry per key, `KEY.json`, written whole or not at all.

use super::gradebook::Row;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What a key gives back: the row (its `student` is the one graded then;
/// the caller puts the student of now) and the student's JSON report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub row: Row,
    pub report: String,
    /// The student's HTML report, when one was written.
    #[serde(default)]
    pub html: Option<String>,
}

#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    base: Vec<u8>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// The cache in `dir` (made, readable by its owner only), for a batch
    /// whose own part of every key is `base`.
    pub fn open(dir: &Path, base: &str) -> Result<Cache, String> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("--cache {}: {e}", dir.display()))?;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        Ok(Cache {
            dir: dir.to_path_buf(),
            base: Sha256::digest(base.as_bytes()).to_vec(),
        })
    }

    /// The key of the student's folder `root` whose files are `files`;
    /// `None` when one cannot be read (then the student is graded).
    pub fn key(&self, root: &Path, files: &[String]) -> Option<String> {
        let mut h = Sha256::new();
        h.update(&self.base);
        for f in files {
            let bytes = std::fs::read(root.join(f)).ok()?;
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        Some(hex(&h.finalize()))
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        let text = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Keeps `entry` under `key` (a write that fails only costs a regrade).
    pub fn put(&self, key: &str, entry: &Entry) {
        let Ok(text) = serde_json::to_vec(entry) else {
            return;
        };
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        use std::io::Write;
        if tmp.write_all(&text).is_ok() {
            let _ = tmp.persist(self.path(key));
        }
    }
}

/// python3's version (`Python 3.12.3`), part of every key: another
/// interpreter may run the same file differently.
pub fn python_version() -> String {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_changes_with_any_file_and_with_the_batch() {
        let d = tempfile::tempdir().unwrap();
        let cache = Cache::open(&d.path().join("c"), "v1").unwrap();
        let s = d.path().join("s");
        std::fs::create_dir(&s).unwrap();
        std::fs::write(s.join("serveur.py"), "print(1)\n").unwrap();
        let files = vec!["serveur.py".to_string()];
        let k1 = cache.key(&s, &files).unwrap();
        assert_eq!(cache.key(&s, &files).unwrap(), k1);
        std::fs::write(s.join("serveur.py"), "print(2)\n").unwrap();
        assert_ne!(cache.key(&s, &files).unwrap(), k1);
        let other = Cache::open(&d.path().join("c"), "v2").unwrap();
        assert_ne!(other.key(&s, &files), cache.key(&s, &files));
        assert_eq!(cache.key(&s, &["gone.py".to_string()]), None);
    }
}
