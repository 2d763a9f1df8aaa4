//! Fatal errors: conditions that stop a whole build (as opposed to per-note diagnostics,
//! which are reported and skipped). Each variant carries the path it is about.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{path}:{line}:{column}: error: {message}")]
    Config {
        path: PathBuf,
        line: u32,
        column: u32,
        message: String,
    },

    #[error("{path}: error: {message}")]
    Usage { path: PathBuf, message: String },

    #[error("{}: error: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: error: refusing to write into this directory: {reason} (pass --force to use it anyway)", path.display())]
    OutputNotOurs { path: PathBuf, reason: String },

    #[error("{}: error: refusing to use this directory as output: {reason}", path.display())]
    OutputForbidden { path: PathBuf, reason: String },

    #[error("{}: error: another cheatgen is writing {}/ (pid {pid}); wait for it to finish or stop it", path.display(), path.display().to_string().trim_start_matches("./").trim_end_matches('/'))]
    OutputLocked { path: PathBuf, pid: String },

    #[error("{}: error: cannot write the site: {source}; nothing was changed in {}/", path.display(), output.display().to_string().trim_start_matches("./").trim_end_matches('/'))]
    OutputWrite {
        path: PathBuf,
        output: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("template {name}: error: {message}")]
    Template { name: String, message: String },

    #[error("{}: error: theme {name:?} not found", path.display())]
    ThemeNotFound { name: String, path: PathBuf },

    #[error("{}: error: {message}", path.display())]
    Search { path: PathBuf, message: String },

    #[error("highlight theme {name:?} not found (available: {available})")]
    HighlightTheme { name: String, available: String },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Exit code for the CLI: 2 for configuration/usage problems, 1 for the rest.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config { .. }
            | Error::Usage { .. }
            | Error::ThemeNotFound { .. }
            | Error::HighlightTheme { .. }
            | Error::OutputNotOurs { .. }
            | Error::OutputForbidden { .. }
            | Error::OutputLocked { .. } => 2,
            Error::Io { .. }
            | Error::OutputWrite { .. }
            | Error::Template { .. }
            | Error::Search { .. } => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
