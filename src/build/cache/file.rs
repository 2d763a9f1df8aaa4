//! The cache file on disk: its format, and the only code that reads or writes
//! `.cheatgen-cache/`.
//!
//! Layout (integers little-endian): magic `CGCACHE\0` · format version (u32) · cheatgen
//! version (u16 length + UTF-8) · key (32 bytes) · payload length (u64) · blake3 checksum
//! of the payload (32 bytes) · payload (its entries are LZ4-compressed one by one, see the
//! parent module). Nothing in it is trusted: every field is checked before the payload is
//! handed on, and any mismatch is a `Rejected` reason, never a panic.
//!
//! Safety: cheatgen only ever creates or replaces the files it names inside a real
//! `.cheatgen-cache` folder (never through a symlink), writes a temp file there first and
//! renames it into place, so a reader sees the old file or the new one, whole.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The cache folder, at the site root.
pub const DIR: &str = ".cheatgen-cache";
/// The one cache file in it.
pub const FILE: &str = "build.bin";
const MAGIC: &[u8; 8] = b"CGCACHE\0";
/// Bumped whenever the layout or the payload's types change shape.
pub const FORMAT_VERSION: u32 = 3;
/// A larger file is not read (a 10k-note site's cache is a fraction of this).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
const MAX_VERSION_LEN: usize = 256;
/// Temp files of a writer that died are removed once they are this old.
const STALE_TEMP: Duration = Duration::from_secs(600);

/// Why a cache file was not used; shown in the one warning line.
#[derive(Debug)]
pub enum Rejected {
    NotOurs,
    OtherFormat(u32),
    OtherVersion(String),
    OtherKey,
    Truncated { expected: u64, found: u64 },
    BadChecksum,
    TooLarge(u64),
    Unreadable(std::io::Error),
    NotAFile,
    BadPayload(String),
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::NotOurs => write!(f, "not a cheatgen cache file"),
            Rejected::OtherFormat(v) => {
                write!(f, "cache format {v}, this cheatgen reads {FORMAT_VERSION}")
            }
            Rejected::OtherVersion(v) => {
                write!(f, "written by cheatgen {v}, this is {}", build_version())
            }
            Rejected::OtherKey => write!(f, "written for another config, theme or site"),
            Rejected::Truncated { expected, found } => write!(
                f,
                "truncated or padded: {found} payload bytes where the header says {expected}"
            ),
            Rejected::BadChecksum => write!(f, "checksum mismatch (the file is corrupt)"),
            Rejected::TooLarge(n) => write!(f, "{n} bytes, over the {MAX_FILE_BYTES}-byte limit"),
            Rejected::Unreadable(e) => write!(f, "cannot read it: {e}"),
            Rejected::NotAFile => write!(f, "not a regular file"),
            Rejected::BadPayload(e) => write!(f, "unreadable contents: {e}"),
        }
    }
}

/// This binary's identity in the version field: the release version and commit (as
/// `--version` shows them), plus the size and modification time of the executable, so that
/// two builds of one commit (a developer's `cargo build` of uncommitted edits) never share
/// renders.
pub fn build_version() -> String {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .unwrap_or_default();
            let mut h = blake3::Hasher::new();
            h.update(&m.len().to_le_bytes());
            h.update(&modified.as_nanos().to_le_bytes());
            h.finalize().to_hex()[..12].to_string()
        })
        .unwrap_or_else(|_| "unknown".into());
    format!(
        "{}{}, build {build}",
        env!("CARGO_PKG_VERSION"),
        env!("CHEATGEN_COMMIT_SUFFIX")
    )
}

/// The whole file for `payload`.
pub fn encode(version: &str, key: &blake3::Hash, payload: &[u8]) -> Vec<u8> {
    let version = &version.as_bytes()[..version.len().min(MAX_VERSION_LEN)];
    let mut out = Vec::with_capacity(payload.len() + 96 + version.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(blake3::hash(payload).as_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of `file`, once magic, format, version, key, length and checksum all match.
pub fn decode<'f>(file: &'f [u8], version: &str, key: &blake3::Hash) -> Result<&'f [u8], Rejected> {
    let mut r = Fields(file);
    if r.take(8) != Some(MAGIC.as_slice()) {
        return Err(Rejected::NotOurs);
    }
    let format = r.u32().ok_or(Rejected::NotOurs)?;
    if format != FORMAT_VERSION {
        return Err(Rejected::OtherFormat(format));
    }
    let len = r.u16().ok_or(Rejected::NotOurs)? as usize;
    let found = r.take(len).ok_or(Rejected::NotOurs)?;
    if found != version.as_bytes() {
        return Err(Rejected::OtherVersion(
            String::from_utf8_lossy(found).into_owned(),
        ));
    }
    if r.take(32) != Some(key.as_bytes().as_slice()) {
        return Err(Rejected::OtherKey);
    }
    let expected = r.u64().ok_or(Rejected::NotOurs)?;
    let checksum = r.take(32).ok_or(Rejected::NotOurs)?;
    let payload = r.0;
    if payload.len() as u64 != expected {
        return Err(Rejected::Truncated {
            expected,
            found: payload.len() as u64,
        });
    }
    if blake3::hash(payload).as_bytes() != checksum {
        return Err(Rejected::BadChecksum);
    }
    Ok(payload)
}

/// A cursor over the header's fields.
struct Fields<'f>(&'f [u8]);

impl<'f> Fields<'f> {
    fn take(&mut self, n: usize) -> Option<&'f [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// The cache folder of a site, checked once: usable, or why not.
#[derive(Debug)]
pub struct CacheDir {
    pub dir: PathBuf,
    /// The file this handle reads and writes (`build.bin`, or another of cheatgen's).
    name: &'static str,
}

impl CacheDir {
    /// `root/.cheatgen-cache`, unless it is a symlink or something other than a folder
    /// (then the reason, for the one warning). A missing folder is fine: `write` makes it.
    pub fn at(root: &Path) -> Result<CacheDir, String> {
        let dir = root.join(DIR);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                Err("is a symlink; cheatgen does not follow it (the cache is not used)".into())
            }
            Ok(m) if !m.is_dir() => Err("is not a folder (the cache is not used)".into()),
            _ => Ok(CacheDir { dir, name: FILE }),
        }
    }

    /// The same folder, for another of cheatgen's files in it.
    pub fn named(self, name: &'static str) -> CacheDir {
        CacheDir { name, ..self }
    }

    pub fn file(&self) -> PathBuf {
        self.dir.join(self.name)
    }

    /// The cache file's bytes; `Ok(None)` when there is none yet.
    pub fn read(&self) -> Result<Option<Vec<u8>>, Rejected> {
        let path = self.file();
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Rejected::Unreadable(e)),
        };
        if !meta.file_type().is_file() {
            return Err(Rejected::NotAFile);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(Rejected::TooLarge(meta.len()));
        }
        let file = std::fs::File::open(&path).map_err(Rejected::Unreadable)?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // Bounded even if the file grows after the size check.
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(Rejected::Unreadable)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Rejected::TooLarge(bytes.len() as u64));
        }
        Ok(Some(bytes))
    }

    /// Replaces the cache file with `bytes`: a new temp file in the folder (never an
    /// existing path), then one rename. No fsync: a torn file after a power cut fails its
    /// checksum and is ignored.
    pub fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        match std::fs::symlink_metadata(&self.dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(std::io::Error::other(
                    "became a symlink or a file; not written",
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(&self.dir)?,
            Err(e) => return Err(e),
        }
        self.remove_stale_temps();
        let temp = self.dir.join(format!(
            "{}.tmp-{}-{}",
            self.name,
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|()| std::fs::rename(&temp, self.file()));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }

    /// Temp files left by a writer that was killed (only cheatgen's own names).
    fn remove_stale_temps(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!("{}.tmp-", self.name);
        for e in entries.flatten() {
            let stale = e
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
                && e.metadata().is_ok_and(|m| {
                    m.is_file()
                        && m.modified()
                            .ok()
                            .and_then(|t| t.elapsed().ok())
                            .is_some_and(|age| age > STALE_TEMP)
                });
            if stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> blake3::Hash {
        blake3::hash(b"site")
    }

    #[test]
    fn round_trip_and_every_rejection() {
        let file = encode("1.0", &key(), b"payload");
        assert_eq!(decode(&file, "1.0", &key()).unwrap(), b"payload");
        let reason = |bytes: &[u8], version: &str, key: &blake3::Hash| {
            decode(bytes, version, key).unwrap_err().to_string()
        };
        assert!(reason(b"junk", "1.0", &key()).contains("not a cheatgen cache"));
        assert!(reason(&file, "2.0", &key()).contains("written by cheatgen 1.0"));
        assert!(reason(&file, "1.0", &blake3::hash(b"other")).contains("another config"));
        assert!(reason(&file[..file.len() - 3], "1.0", &key()).contains("truncated"));
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(reason(&flipped, "1.0", &key()).contains("checksum"));
        let mut other_format = file.clone();
        other_format[8] = 9;
        assert!(reason(&other_format, "1.0", &key()).contains("cache format 9"));
        // Every prefix of a valid file is rejected, never a panic.
        for n in 0..file.len() {
            assert!(decode(&file[..n], "1.0", &key()).is_err(), "{n}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symlinked_or_file_cache_folder() {
        let site = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), site.path().join(DIR)).unwrap();
        assert!(CacheDir::at(site.path()).unwrap_err().contains("symlink"));
        std::fs::remove_file(site.path().join(DIR)).unwrap();
        std::fs::write(site.path().join(DIR), "x").unwrap();
        assert!(CacheDir::at(site.path())
            .unwrap_err()
            .contains("not a folder"));
    }

    #[test]
    fn writes_atomically_and_reads_back() {
        let site = tempfile::tempdir().unwrap();
        let dir = CacheDir::at(site.path()).unwrap();
        assert!(dir.read().unwrap().is_none());
        dir.write(b"one").unwrap();
        dir.write(b"two").unwrap();
        assert_eq!(dir.read().unwrap().unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE], "no temp file is left behind");
    }
}
