//! `grade batch`, before discovery: a student's archive (.zip, .tar.gz)
//! extracted into a folder of the batch's scratch space, as untrusted input.
//! Bounds on the bytes actually written (not the sizes an archive declares),
//! on the number of entries and on the depth of paths; an entry that would
//! land outside the folder (`../`, an absolute path, a link pointing out) is
//! a refusal of the whole archive. Links are never created: the discovery
//! rule does not follow them, and none can be written through later.

use crate::msg::Msg;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// What one archive may hold at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Bytes written, all entries together.
    pub total_bytes: u64,
    /// Entries (files, folders and links).
    pub entries: usize,
    /// Components of an entry's path.
    pub depth: usize,
}

/// A lab's submission is a few source files: 64 MiB, 4,000 entries and
/// paths 24 deep leave room for a whole repository with its history.
pub const BOUNDS: Bounds = Bounds {
    total_bytes: 64 * 1024 * 1024,
    entries: 4000,
    depth: 24,
};

/// The kinds of archive a student's entry may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    TarGz,
}

impl Kind {
    /// The kind the file name says (`.zip`, `.tar.gz`, `.tgz`), if any.
    pub fn of(path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".zip") {
            Some(Kind::Zip)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Kind::TarGz)
        } else {
            None
        }
    }

    /// The name without the archive's extension (`alice.tar.gz` → `alice`).
    pub fn stem(path: &Path) -> String {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        for ext in [".tar.gz", ".tgz", ".zip"] {
            if lower.ends_with(ext) {
                return name[..name.len() - ext.len()].to_string();
            }
        }
        name
    }
}

/// Why an archive was not extracted (the student's row says it).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    #[error("the archive cannot be read: {0}")]
    Corrupt(String),
    #[error("the archive holds more than {limit} bytes once extracted")]
    TooLarge { limit: u64 },
    #[error("the archive holds more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("entry {entry} is more than {limit} folders deep")]
    TooDeep { entry: String, limit: usize },
    #[error("entry {entry} would be written outside the student's folder")]
    Escapes { entry: String },
    #[error("entry {entry} links outside the student's folder ({target})")]
    LinksOut { entry: String, target: String },
    #[error("entry {entry} appears twice")]
    Duplicate { entry: String },
    #[error("cannot write the extracted files: {0}")]
    Io(String),
}

impl Refusal {
    /// What the student's row says (`archive refused: …`).
    pub fn msg(&self) -> Msg {
        match self {
            Refusal::Corrupt(cause) => Msg::new("batch-archive-corrupt").arg("cause", cause),
            Refusal::TooLarge { limit } => {
                Msg::new("batch-archive-too-large").arg("limit", limit.to_string())
            }
            Refusal::TooManyEntries { limit } => {
                Msg::new("batch-archive-too-many").arg("limit", *limit)
            }
            Refusal::TooDeep { entry, limit } => Msg::new("batch-archive-too-deep")
                .arg("entry", entry)
                .arg("limit", *limit),
            Refusal::Escapes { entry } => Msg::new("batch-archive-escapes").arg("entry", entry),
            Refusal::LinksOut { entry, target } => Msg::new("batch-archive-links-out")
                .arg("entry", entry)
                .arg("target", target),
            Refusal::Duplicate { entry } => Msg::new("batch-archive-duplicate").arg("entry", entry),
            Refusal::Io(cause) => Msg::new("batch-archive-io").arg("cause", cause),
        }
    }
}

/// Extracts `archive` into `dest` (an empty folder), within `bounds`.
pub fn extract(archive: &Path, kind: Kind, dest: &Path, bounds: Bounds) -> Result<(), Refusal> {
    let file = File::open(archive).map_err(|e| Refusal::Corrupt(e.to_string()))?;
    let mut w = Writer {
        root: dest,
        bounds,
        written: 0,
        entries: 0,
    };
    match kind {
        Kind::Zip => extract_zip(file, &mut w),
        Kind::TarGz => extract_tar(file, &mut w),
    }
}

/// Where entries go, and what they cost so far.
struct Writer<'a> {
    root: &'a Path,
    bounds: Bounds,
    written: u64,
    entries: usize,
}

impl Writer<'_> {
    /// The place of entry `name` under the root: its path checked (normal
    /// components only, within the depth bound), one more entry counted.
    fn place(&mut self, name: &Path) -> Result<PathBuf, Refusal> {
        self.entries += 1;
        if self.entries > self.bounds.entries {
            return Err(Refusal::TooManyEntries {
                limit: self.bounds.entries,
            });
        }
        let shown = || name.display().to_string();
        let mut rel = PathBuf::new();
        for c in name.components() {
            match c {
                Component::Normal(part) => rel.push(part),
                Component::CurDir => {}
                _ => return Err(Refusal::Escapes { entry: shown() }),
            }
        }
        if rel.components().count() > self.bounds.depth {
            return Err(Refusal::TooDeep {
                entry: shown(),
                limit: self.bounds.depth,
            });
        }
        Ok(self.root.join(rel))
    }

    fn folder(&mut self, name: &Path) -> Result<(), Refusal> {
        let at = self.place(name)?;
        fs::create_dir_all(at).map_err(|e| Refusal::Io(e.to_string()))
    }

    /// A file: its bytes copied until the total bound, one byte past it
    /// read at most (whatever size the archive declares).
    fn file(&mut self, name: &Path, data: &mut dyn Read) -> Result<(), Refusal> {
        let at = self.place(name)?;
        if let Some(parent) = at.parent() {
            fs::create_dir_all(parent).map_err(|e| Refusal::Io(e.to_string()))?;
        }
        // Never through something already there (a second entry of the
        // same name, a folder made by an earlier entry).
        let mut out = match OpenOptions::new().write(true).create_new(true).open(&at) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(Refusal::Duplicate {
                    entry: name.display().to_string(),
                })
            }
            Err(e) => return Err(Refusal::Io(e.to_string())),
        };
        let room = self.bounds.total_bytes - self.written;
        let copied = io::copy(&mut data.take(room + 1), &mut out)
            .map_err(|e| Refusal::Corrupt(e.to_string()))?;
        if copied > room {
            return Err(Refusal::TooLarge {
                limit: self.bounds.total_bytes,
            });
        }
        self.written += copied;
        out.flush().map_err(|e| Refusal::Io(e.to_string()))
    }

    /// A link is not created; one that points out of the folder refuses
    /// the archive (it was made to reach another student's files). A hard
    /// link's target is a path from the root (`from_root`), a symbolic
    /// link's one from the link's folder.
    fn link(&mut self, name: &Path, target: &Path, from_root: bool) -> Result<(), Refusal> {
        self.place(name)?;
        let base = if from_root { Path::new("x") } else { name };
        if !stays_inside(base, target) {
            return Err(Refusal::LinksOut {
                entry: name.display().to_string(),
                target: target.display().to_string(),
            });
        }
        Ok(())
    }
}

/// Whether the link `name` → `target` resolves inside the archive's root,
/// read lexically (neither exists outside the archive yet).
fn stays_inside(name: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: usize = name.components().count().saturating_sub(1);
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

fn extract_zip(file: File, w: &mut Writer) -> Result<(), Refusal> {
    let corrupt = |e: zip::result::ZipError| Refusal::Corrupt(e.to_string());
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file)).map_err(corrupt)?;
    if zip.len() > w.bounds.entries {
        return Err(Refusal::TooManyEntries {
            limit: w.bounds.entries,
        });
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(corrupt)?;
        // The name as stored: `place` refuses what zip's `enclosed_name`
        // would, and names the entry.
        let name = PathBuf::from(entry.name());
        if entry.is_symlink() {
            let mut target = String::new();
            entry
                .by_ref()
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|e| Refusal::Corrupt(e.to_string()))?;
            w.link(&name, Path::new(&target), false)?;
        } else if entry.is_dir() {
            w.folder(&name)?;
        } else {
            w.file(&name, &mut entry)?;
        }
    }
    Ok(())
}

fn extract_tar(file: File, w: &mut Writer) -> Result<(), Refusal> {
    use tar::EntryType;
    let corrupt = |e: io::Error| Refusal::Corrupt(e.to_string());
    let gz = flate2::read::GzDecoder::new(io::BufReader::new(file));
    let mut tar = tar::Archive::new(gz);
    for entry in tar.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        let name = entry.path().map_err(corrupt)?.into_owned();
        // The declared size bounds the work of reading past an entry too.
        let declared = entry.header().size().map_err(corrupt)?;
        if w.written.saturating_add(declared) > w.bounds.total_bytes {
            return Err(Refusal::TooLarge {
                limit: w.bounds.total_bytes,
            });
        }
        match entry.header().entry_type() {
            EntryType::Regular | EntryType::Continuous => w.file(&name, &mut entry)?,
            EntryType::Directory => w.folder(&name)?,
            kind @ (EntryType::Symlink | EntryType::Link) => {
                let target = entry.link_name().map_err(corrupt)?.unwrap_or_default();
                w.link(&name, &target, kind == EntryType::Link)?;
            }
            // Devices, fifos, tar's own metadata: nothing a program needs.
            _ => {
                w.place(&name)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_read_lexically() {
        assert!(stays_inside(Path::new("a/b"), Path::new("c")));
        assert!(stays_inside(Path::new("a/b"), Path::new("../c")));
        assert!(!stays_inside(Path::new("a/b"), Path::new("../../c")));
        assert!(!stays_inside(Path::new("b"), Path::new("/etc/passwd")));
        assert!(!stays_inside(Path::new("a/b"), Path::new("x/../../../c")));
    }

    #[test]
    fn names_say_the_kind() {
        assert_eq!(Kind::of(Path::new("a/Alice.ZIP")), Some(Kind::Zip));
        assert_eq!(Kind::of(Path::new("b.tar.gz")), Some(Kind::TarGz));
        assert_eq!(Kind::of(Path::new("b.tgz")), Some(Kind::TarGz));
        assert_eq!(Kind::of(Path::new("b.rar")), None);
        assert_eq!(Kind::stem(Path::new("x/bob.tar.gz")), "bob");
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut z = zip::ZipWriter::new(f.reopen().unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        f
    }

    fn extract_to(
        f: &Path,
        kind: Kind,
        bounds: Bounds,
    ) -> (tempfile::TempDir, Result<(), Refusal>) {
        let d = tempfile::tempdir().unwrap();
        let r = extract(f, kind, d.path(), bounds);
        (d, r)
    }

    #[test]
    fn a_zip_is_extracted_within_its_folder() {
        let z = zip_of(&[("tp/q1/serveur.py", b"print(1)\n"), ("client.py", b"")]);
        let (d, r) = extract_to(z.path(), Kind::Zip, BOUNDS);
        assert_eq!(r, Ok(()));
        assert_eq!(
            fs::read_to_string(d.path().join("tp/q1/serveur.py")).unwrap(),
            "print(1)\n"
        );
    }

    #[test]
    fn a_zip_slip_is_refused() {
        let z = zip_of(&[("ok.py", b""), ("../../evil.py", b"x")]);
        let (d, r) = extract_to(z.path(), Kind::Zip, BOUNDS);
        assert!(matches!(r, Err(Refusal::Escapes { .. })), "{r:?}");
        assert!(!d.path().parent().unwrap().join("evil.py").exists());
        let z = zip_of(&[("/tmp/abs.py", b"x")]);
        let (_, r) = extract_to(z.path(), Kind::Zip, BOUNDS);
        assert!(matches!(r, Err(Refusal::Escapes { .. })), "{r:?}");
    }

    #[test]
    fn a_zip_bomb_stops_at_the_bound_whatever_it_declares() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let z = zip_of(&[("a.bin", &zeros), ("b.bin", &zeros)]);
        assert!(fs::metadata(z.path()).unwrap().len() < 64 * 1024);
        let small = Bounds {
            total_bytes: 5 * 1024 * 1024,
            ..BOUNDS
        };
        let (_, r) = extract_to(z.path(), Kind::Zip, small);
        assert_eq!(
            r,
            Err(Refusal::TooLarge {
                limit: small.total_bytes
            })
        );
        let few = Bounds {
            entries: 1,
            ..BOUNDS
        };
        let (_, r) = extract_to(z.path(), Kind::Zip, few);
        assert_eq!(r, Err(Refusal::TooManyEntries { limit: 1 }));
    }

    #[test]
    fn a_corrupt_archive_is_refused() {
        let f = tempfile::NamedTempFile::new().unwrap();
        fs::write(f.path(), b"PK\x03\x04 not really").unwrap();
        let (_, r) = extract_to(f.path(), Kind::Zip, BOUNDS);
        assert!(matches!(r, Err(Refusal::Corrupt(_))), "{r:?}");
        let (_, r) = extract_to(f.path(), Kind::TarGz, BOUNDS);
        assert!(matches!(r, Err(Refusal::Corrupt(_))), "{r:?}");
    }

    fn tar_gz(
        build: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<File>>),
    ) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let gz = flate2::write::GzEncoder::new(f.reopen().unwrap(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        build(&mut b);
        b.into_inner().unwrap().finish().unwrap();
        f
    }

    fn file_header(size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h
    }

    #[test]
    fn a_tar_gz_link_out_is_refused_and_one_inside_skipped() {
        let t = tar_gz(|b| {
            let mut h = file_header(3);
            b.append_data(&mut h, "q1/serveur.py", &b"x=1"[..]).unwrap();
            let mut l = tar::Header::new_gnu();
            l.set_entry_type(tar::EntryType::Symlink);
            l.set_size(0);
            b.append_link(&mut l, "q1/same.py", "serveur.py").unwrap();
        });
        let (d, r) = extract_to(t.path(), Kind::TarGz, BOUNDS);
        assert_eq!(r, Ok(()));
        assert!(d.path().join("q1/serveur.py").is_file());
        assert!(fs::symlink_metadata(d.path().join("q1/same.py")).is_err());
        let t = tar_gz(|b| {
            let mut l = tar::Header::new_gnu();
            l.set_entry_type(tar::EntryType::Symlink);
            l.set_size(0);
            b.append_link(&mut l, "peek", "../../other/serveur.py")
                .unwrap();
        });
        let (_, r) = extract_to(t.path(), Kind::TarGz, BOUNDS);
        assert!(matches!(r, Err(Refusal::LinksOut { .. })), "{r:?}");
    }

    #[test]
    fn a_tar_gz_over_the_bound_is_refused_by_its_header() {
        let t = tar_gz(|b| {
            let mut h = file_header(2 * 1024 * 1024);
            b.append_data(&mut h, "big.bin", io::repeat(0).take(2 * 1024 * 1024))
                .unwrap();
        });
        let small = Bounds {
            total_bytes: 1024 * 1024,
            ..BOUNDS
        };
        let (_, r) = extract_to(t.path(), Kind::TarGz, small);
        assert_eq!(
            r,
            Err(Refusal::TooLarge {
                limit: small.total_bytes
            })
        );
    }
}
