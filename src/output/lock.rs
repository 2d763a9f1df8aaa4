//! The build lock: an advisory lock (`fs4`, `flock` on Unix) on a file beside the output
//! directory (`.public.cheatgen-lock`; the directory itself is swapped, so it cannot carry
//! the lock). A second cheatgen that wants to write the same output does not wait: it
//! exits 2 naming the holder's pid. The operating system releases the lock when the
//! holder exits, even after `kill -9`, so a stale lock file never blocks anyone.

use crate::error::{Error, Result};
use fs4::TryLockError;
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;

/// Held for as long as it lives.
#[derive(Debug)]
pub struct OutputLock {
    // Kept open: closing the file releases the lock.
    _file: std::fs::File,
}

impl OutputLock {
    /// Takes the lock at `lock_path` for the output directory `shown` (used in messages).
    pub fn acquire(lock_path: &Path, shown: &Path) -> Result<OutputLock> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .map_err(|e| Error::io(lock_path, e))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Error::OutputLocked {
                    path: shown.into(),
                    pid: text.trim().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(lock_path, e)),
        }
        // Ours now: record who holds it, for the message above.
        let write_pid = |f: &mut std::fs::File| -> std::io::Result<()> {
            f.set_len(0)?;
            f.rewind()?;
            writeln!(f, "{}", std::process::id())
        };
        write_pid(&mut file).map_err(|e| Error::io(lock_path, e))?;
        Ok(OutputLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.cheatgen-lock");
        let first = OutputLock::acquire(&path, Path::new("public")).unwrap();
        match OutputLock::acquire(&path, Path::new("public")) {
            Err(Error::OutputLocked { pid, .. }) => {
                assert_eq!(pid, std::process::id().to_string())
            }
            other => panic!("expected a lock error, got {other:?}"),
        }
        drop(first);
        assert!(OutputLock::acquire(&path, Path::new("public")).is_ok());
    }
}
