//! Output paths: the one way to name a file in the output directory.
//!
//! Every page, listing, asset and generated file is addressed by a [`SitePath`], and a
//! `SitePath` can only be made from validated [`Segment`]s: non-empty after trimming, not
//! made only of dots (`.`, `..`, `...`), no `/` or `\`, no NUL or other control characters,
//! and at most [`MAX_SEGMENT_BYTES`] long. So a joined path can never climb out of the output
//! directory, name the directory itself, or hit the file system's name-length limit.
//!
//! Names that come from users (file and folder names, `slug`, tags, categories) are
//! normalised first (lowercase, URL-safe characters) and capped: a long name keeps its first
//! bytes on a char boundary plus `-` and a short hash of the whole name, so it stays stable
//! across builds and distinct from every other name.

use crate::output::OutputPlan;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Longest output path segment, in bytes. File systems allow 255; this leaves room for the
/// writer's temp-file suffix and keeps URLs readable.
pub const MAX_SEGMENT_BYTES: usize = 100;

/// Longest segment accepted at all (content assets keep their names): the file system's
/// 255 bytes minus room for the writer's temp-file suffix.
pub const MAX_FILE_NAME_BYTES: usize = 240;

/// Hex digits of the hash appended to a capped segment.
const HASH_HEX: usize = 10;

/// Why a name cannot be an output path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentError {
    Empty,
    Dots,
    Separator(char),
    Control(char),
    TooLong(usize),
    /// Only for a path that leaves the output directory some other way.
    Escapes,
}

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SegmentError::Empty => write!(f, "it is empty (or has no usable characters)"),
            SegmentError::Dots => write!(
                f,
                "it is only dots (`.` and `..` name folders, never a page of their own)"
            ),
            SegmentError::Separator(c) => write!(f, "it contains the path separator {c:?}"),
            SegmentError::Control(c) => write!(f, "it contains the control character {c:?}"),
            SegmentError::TooLong(n) => write!(
                f,
                "a name in it is {n} bytes long (at most {MAX_FILE_NAME_BYTES} bytes)"
            ),
            SegmentError::Escapes => write!(f, "it leaves the output directory"),
        }
    }
}

/// One validated path segment (a folder or file name in the output directory).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Segment(String);

impl Segment {
    /// Validates `raw` as it is (no normalisation, no capping).
    pub fn new(raw: &str) -> Result<Segment, SegmentError> {
        check_segment(raw)?;
        if raw.len() > MAX_FILE_NAME_BYTES {
            return Err(SegmentError::TooLong(raw.len()));
        }
        Ok(Segment(raw.to_string()))
    }

    /// A segment from a file or folder name: lowercase, spaces and other characters that
    /// need escaping in a URL folded to `-`, then capped. A name with no usable characters
    /// (`🚀.md`, `???`) gets `_` + a hash of the name, so the note is still published; a
    /// name of only dots is an error.
    pub fn from_name(name: &str) -> Result<Segment, SegmentError> {
        match capped(&normalise_name(name)) {
            Err(SegmentError::Empty) if !name.trim().is_empty() => {
                let hash = blake3::hash(name.as_bytes()).to_hex();
                Ok(Segment(format!("_{}", &hash.as_str()[..HASH_HEX])))
            }
            other => other,
        }
    }

    /// A segment from a front matter `slug`: must be one segment as written (no `/`, no
    /// control characters, not dots) with usable characters, then normalised like a file
    /// name and capped.
    pub fn from_slug(slug: &str) -> Result<Segment, SegmentError> {
        check_segment(slug)?;
        capped(&normalise_name(slug))
    }

    /// A segment from a label such as a tag or category name (`slugify`), capped.
    pub fn from_label(label: &str) -> Result<Segment, SegmentError> {
        capped(&crate::slug::slugify(label))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rules every segment obeys, whatever made it.
fn check_segment(raw: &str) -> Result<(), SegmentError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(SegmentError::Empty);
    }
    if trimmed.chars().all(|c| c == '.') {
        return Err(SegmentError::Dots);
    }
    if let Some(c) = raw.chars().find(|c| matches!(c, '/' | '\\')) {
        return Err(SegmentError::Separator(c));
    }
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Err(SegmentError::Control(c));
    }
    Ok(())
}

/// `"Git Stuff"` → `"git-stuff"`, `"C++ Tips"` → `"c++-tips"`: lowercase, only characters
/// that need no escaping in a URL path, runs of anything else folded into one `-`.
pub fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.trim().chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.' | '+' | '~') {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Validates `name` and caps it at [`MAX_SEGMENT_BYTES`]: the longest prefix that fits on a
/// char boundary, `-`, and a hash of the whole name (so two long names sharing a prefix
/// stay apart, and the same name always gets the same segment).
fn capped(name: &str) -> Result<Segment, SegmentError> {
    check_segment(name)?;
    if name.len() <= MAX_SEGMENT_BYTES {
        return Ok(Segment(name.to_string()));
    }
    let budget = MAX_SEGMENT_BYTES - 1 - HASH_HEX;
    let mut end = budget;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = name[..end].trim_end_matches('-');
    let hash = blake3::hash(name.as_bytes()).to_hex();
    let segment = format!("{prefix}-{}", &hash.as_str()[..HASH_HEX]);
    check_segment(&segment)?;
    Ok(Segment(segment))
}

/// A file's path relative to the output directory, `/`-separated, made only of valid
/// segments: `a/b/index.html`. Joined to the output directory it always stays inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SitePath(String);

/// A path that cannot be an output path, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePathError {
    pub path: String,
    pub reason: SegmentError,
}

impl fmt::Display for SitePathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} cannot be an output path: {}",
            self.path, self.reason
        )
    }
}

impl SitePath {
    /// Checks every `/`-separated segment of `rel` (no normalisation): the only
    /// constructor, and what the whole output plan is checked with before a write.
    pub fn parse(rel: &str) -> Result<SitePath, SitePathError> {
        let err = |reason| SitePathError {
            path: rel.to_string(),
            reason,
        };
        for seg in rel.split('/') {
            Segment::new(seg).map_err(err)?;
        }
        Ok(SitePath(rel.to_string()))
    }

    /// `segments` + `file`: the path of a file inside the folder the segments name.
    pub fn file_in(segments: &[Segment], file: &Segment) -> SitePath {
        let mut s = String::new();
        for seg in segments {
            s.push_str(seg.as_str());
            s.push('/');
        }
        s.push_str(file.as_str());
        SitePath(s)
    }

    /// The `index.html` of a page whose URL path (below the base path) is `url_dir`:
    /// `a/b/` → `a/b/index.html`, `` → `index.html`.
    pub fn index_page(url_dir: &str) -> Result<SitePath, SitePathError> {
        SitePath::parse(&format!("{url_dir}index.html"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path inside `out`. Also checked lexically, so even a future bug in the
    /// constructors cannot make a path that leaves `out`.
    pub fn under(&self, out: &Path) -> Option<PathBuf> {
        let joined = out.join(&self.0);
        contained(out, &joined).then_some(joined)
    }
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Segment> for String {
    fn from(s: Segment) -> String {
        s.0
    }
}

impl From<SitePath> for String {
    fn from(p: SitePath) -> String {
        p.0
    }
}

/// Is `path` (after folding `.` and `..` lexically) strictly inside `dir`?
pub fn contained(dir: &Path, path: &Path) -> bool {
    let normal = |p: &Path| -> Option<PathBuf> {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    if !out.pop() {
                        return None;
                    }
                }
                Component::CurDir => {}
                other => out.push(other),
            }
        }
        Some(out)
    };
    match (normal(dir), normal(path)) {
        (Some(d), Some(p)) => p != d && p.starts_with(&d),
        _ => false,
    }
}

/// The last gate before a write: every path in `plan` must be a [`SitePath`] inside `out`.
/// Returns the offending paths (already removed from the plan), for the caller to report.
pub fn remove_unsafe(plan: &mut OutputPlan, out: &Path) -> Vec<SitePathError> {
    let mut bad = Vec::new();
    plan.retain(|rel, _| match SitePath::parse(rel) {
        Ok(p) if p.under(out).is_some() => true,
        Ok(p) => {
            bad.push(SitePathError {
                path: p.0,
                reason: SegmentError::Escapes,
            });
            false
        }
        Err(e) => {
            bad.push(e);
            false
        }
    });
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rules() {
        for bad in [
            "", " ", ".", "..", " ..", ".. ", "...", "a/b", "a\\b", "a\0b", "a\nb",
        ] {
            assert!(Segment::new(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "a..b", ".well-known", "c++", "日本語"] {
            assert_eq!(Segment::new(good).unwrap().as_str(), good);
        }
        assert_eq!(
            Segment::new(&"a".repeat(241)),
            Err(SegmentError::TooLong(241))
        );
    }

    #[test]
    fn names_are_normalised_then_checked() {
        assert_eq!(
            Segment::from_name("Git Stuff").unwrap().as_str(),
            "git-stuff"
        );
        assert_eq!(Segment::from_name(" .."), Err(SegmentError::Dots));
        assert_eq!(Segment::from_name("."), Err(SegmentError::Dots));
        assert_eq!(Segment::from_slug("!!!"), Err(SegmentError::Empty));
        assert_eq!(Segment::from_slug(".."), Err(SegmentError::Dots));
        assert_eq!(Segment::from_slug("a/b"), Err(SegmentError::Separator('/')));
        let fallback = Segment::from_name("🚀").unwrap();
        assert!(fallback.as_str().starts_with('_'), "{fallback}");
        assert_ne!(fallback, Segment::from_name("🎉").unwrap());
        assert_eq!(
            Segment::from_label("C++ / Rust").unwrap().as_str(),
            "c-rust"
        );
    }

    #[test]
    fn long_names_are_capped_stably_and_apart() {
        let a = "x".repeat(300);
        let b = format!("{}y", "x".repeat(299));
        let sa = Segment::from_name(&a).unwrap();
        assert!(sa.as_str().len() <= MAX_SEGMENT_BYTES);
        assert_eq!(sa, Segment::from_name(&a).unwrap());
        assert_ne!(sa, Segment::from_name(&b).unwrap());
        // 'Ⱥ' (2 bytes) lowercases to 'ⱥ' (3 bytes): a 254-byte name grows to 381 bytes.
        let grows = "Ⱥ".repeat(127);
        let s = Segment::from_name(&grows).unwrap();
        assert!(
            s.as_str().len() <= MAX_SEGMENT_BYTES,
            "{}",
            s.as_str().len()
        );
        assert!(s.as_str().starts_with("ⱥⱥⱥ"));
    }

    #[test]
    fn site_paths() {
        assert_eq!(
            SitePath::index_page("a/b/").unwrap().as_str(),
            "a/b/index.html"
        );
        assert_eq!(SitePath::index_page("").unwrap().as_str(), "index.html");
        for bad in [
            "../index.html",
            "./index.html",
            "a//index.html",
            "/etc/x",
            "a/ ../x",
        ] {
            assert!(SitePath::parse(bad).is_err(), "{bad:?}");
        }
        let out = Path::new("/site/out");
        let p = SitePath::parse("a/b.html").unwrap();
        assert_eq!(p.under(out).unwrap(), Path::new("/site/out/a/b.html"));
        assert!(!contained(out, Path::new("/site/out/../index.html")));
        assert!(!contained(out, Path::new("/site/out")));
    }

    #[test]
    fn plan_gate_drops_escaping_paths() {
        use crate::output::OutputFile;
        let mut plan = OutputPlan::new();
        for p in [
            "index.html",
            "../index.html",
            "./index.html",
            "a/index.html",
        ] {
            plan.insert(p.into(), OutputFile::Bytes(Vec::new()));
        }
        let bad = remove_unsafe(&mut plan, Path::new("out"));
        assert_eq!(bad.len(), 2);
        assert_eq!(
            plan.keys().collect::<Vec<_>>(),
            ["a/index.html", "index.html"]
        );
    }
}
