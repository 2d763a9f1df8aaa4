//! The persisted build cache, `.cheatgen-cache/` at the site root (see `file` for the format
//! and the folder's safety rules).
//!
//! It holds what the pure per-note stage produced — each note's `RenderedNote`, reused when
//! the note's path, display path and bytes are unchanged — and the highlight cache entries
//! of the notes' code blocks, so a changed note re-highlights only its changed blocks. Both
//! are valid for one cheatgen build (the version field) and one `cache_key` (config and
//! theme). `build` loads it before planning and stores it after a successful write,
//! `check` only loads it, `serve` loads it once and stores it after its builds (see
//! `serve`). Anything wrong with it is one warning line and a build from scratch.

pub mod file;

use crate::build::inputs::Inputs;
use crate::build::BuildOptions;
use crate::config::Config;
use crate::note::highlight::Highlighter;
use crate::note::RenderedNote;
use crate::render::templates::Theme;
use file::{CacheDir, Rejected};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// What the cached renders depend on besides the notes: the config and the theme's files.
/// The base URL is left out (`serve` overrides it with its own address, and per-note renders
/// never see it), so `serve` and `build` share one cache.
pub fn cache_key(config: &Config, theme: &Theme) -> blake3::Hash {
    let mut config = config.clone();
    config.base_url.clear();
    let mut h = blake3::Hasher::new();
    h.update(toml::to_string(&config).unwrap_or_default().as_bytes());
    for (name, bytes) in &theme.files {
        h.update(&(name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize()
}

/// The payload. Each note is encoded and LZ4-compressed on its own (in parallel, without
/// ever holding the whole site's encoded notes at once), so one that no longer decodes
/// (say, a diagnostic code this build does not know) costs only its own re-render.
/// Borrowed from the file's bytes when read.
#[derive(Serialize, Deserialize)]
struct Payload<'f> {
    #[serde(borrow)]
    notes: Vec<StoredNote<'f>>,
    /// Highlight entries, `Vec<([u8; 32], &str)>` in postcard, `HIGHLIGHT_CHUNK` a chunk.
    #[serde(borrow)]
    highlights: Vec<Packed<'f>>,
}

#[derive(Serialize, Deserialize)]
struct StoredNote<'f> {
    rel_path: &'f str,
    /// postcard of `RenderedNote`.
    #[serde(borrow)]
    note: Packed<'f>,
}

/// LZ4-compressed bytes and their length before compression (rendered HTML shrinks
/// several times).
#[derive(Serialize, Deserialize)]
struct Packed<'f> {
    plain_len: u32,
    lz4: &'f [u8],
}

const HIGHLIGHT_CHUNK: usize = 1024;
/// A larger entry is not decompressed (the length is checked before allocating).
const MAX_ENTRY_BYTES: u32 = 256 << 20;

fn pack(plain: &[u8]) -> Option<(u32, Vec<u8>)> {
    let len = u32::try_from(plain.len())
        .ok()
        .filter(|n| *n <= MAX_ENTRY_BYTES)?;
    Some((len, lz4_flex::block::compress(plain)))
}

fn unpack(packed: &Packed) -> Option<Vec<u8>> {
    if packed.plain_len > MAX_ENTRY_BYTES {
        return None;
    }
    let plain = lz4_flex::block::decompress(packed.lz4, packed.plain_len as usize).ok()?;
    (plain.len() == packed.plain_len as usize).then_some(plain)
}

/// An open cache for one site and key.
pub struct PersistedCache {
    dir: CacheDir,
    key: blake3::Hash,
    version: String,
    /// `path: warning: ` prefix of this cache's warning lines.
    label: String,
}

/// `root/rel` as diagnostics show paths (`.cheatgen-cache/build.bin` for the root `.`).
fn shown(root: &Path, rel: &str) -> String {
    let s = root.join(rel).to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// What was loaded from the cache file.
#[derive(Debug, Default, Clone, Copy)]
pub struct Loaded {
    /// The file was read and trusted.
    pub valid: bool,
    pub notes: usize,
    pub highlights: usize,
}

/// Per-note renders by path, as the engine keeps them.
pub type Notes = BTreeMap<String, Arc<RenderedNote>>;

/// The `--timings` line saying what the build reused: the proof that the cache works.
/// `rendered` of `notes` were rendered afresh by this run.
pub fn summary(
    notes: &Notes,
    rendered: usize,
    hl: &Highlighter,
    loaded: Option<&Loaded>,
) -> String {
    let counts = hl.cache().counts();
    let from_file = match loaded {
        Some(l) if l.valid => format!("{} notes, {} highlights loaded", l.notes, l.highlights),
        Some(_) => "nothing loaded".into(),
        None => "not used".into(),
    };
    format!(
        "cache: {} notes rendered, {} from cache; {} code blocks highlighted, {} from cache ({from_file})",
        rendered,
        notes.len().saturating_sub(rendered),
        counts.highlighted,
        counts.reused,
    )
}

/// Opens the site's cache (unless `opts.cache` is off) and seeds `notes` and `hl` from it.
/// `None` when there is no usable cache folder; each problem is one line in `warnings`.
pub fn load(
    opts: &BuildOptions,
    inputs: &Inputs,
    notes: &mut Notes,
    hl: &Highlighter,
    warnings: &mut Vec<String>,
) -> Option<(PersistedCache, Loaded)> {
    if !opts.cache {
        return None;
    }
    let key = cache_key(&inputs.config, &inputs.theme);
    let cache = PersistedCache::open(&opts.root, &inputs.output_dir, key, warnings)?;
    let mut loaded = Loaded::default();
    let file = cache.read(warnings);
    if let Some(payload) = file.as_deref().and_then(|f| cache.decode(f, warnings)) {
        loaded.valid = true;
        let decoded: Vec<RenderedNote> = payload
            .notes
            .par_iter()
            .filter_map(|n| {
                let note: RenderedNote = postcard::from_bytes(&unpack(&n.note)?).ok()?;
                (note.rel_path == n.rel_path).then_some(note)
            })
            .collect();
        loaded.notes = decoded.len();
        *notes = decoded
            .into_iter()
            .map(|n| (n.rel_path.clone(), Arc::new(n)))
            .collect();
        let chunks: Vec<Vec<(blake3::Hash, Arc<str>)>> = payload
            .highlights
            .par_iter()
            .filter_map(|chunk| {
                let plain = unpack(chunk)?;
                let entries: Vec<([u8; 32], &str)> = postcard::from_bytes(&plain).ok()?;
                Some(
                    entries
                        .into_iter()
                        .map(|(key, html)| (blake3::Hash::from_bytes(key), Arc::from(html)))
                        .collect(),
                )
            })
            .collect();
        loaded.highlights = chunks.iter().map(Vec::len).sum();
        hl.cache().seed(chunks.into_iter().flatten());
    }
    Some((cache, loaded))
}

impl PersistedCache {
    fn open(
        root: &Path,
        output: &Path,
        key: blake3::Hash,
        warnings: &mut Vec<String>,
    ) -> Option<PersistedCache> {
        let label = format!(
            "{}: warning: ",
            shown(root, &format!("{}/{}", file::DIR, file::FILE))
        );
        let dir = match CacheDir::at(root) {
            Ok(d) => d,
            Err(why) => {
                warnings.push(format!("{}: warning: {why}", shown(root, file::DIR)));
                return None;
            }
        };
        // The cache must never be inside the output (a build replaces that folder) nor hold it.
        let (out, cache_dir) = (
            crate::output::canonical_lenient(output),
            crate::output::canonical_lenient(&dir.dir),
        );
        if out.starts_with(&cache_dir) || cache_dir.starts_with(&out) {
            warnings.push(format!(
                "{label}the output folder {} overlaps the cache folder; the cache is not used",
                output.display()
            ));
            return None;
        }
        Some(PersistedCache {
            dir,
            key,
            version: file::build_version(),
            label,
        })
    }

    /// The file's bytes, when there is one that can be read at all.
    fn read(&self, warnings: &mut Vec<String>) -> Option<Vec<u8>> {
        match self.dir.read() {
            Ok(bytes) => bytes,
            Err(why) => {
                self.ignored(&why, warnings);
                None
            }
        }
    }

    /// The payload of `file`, if every check passes.
    /// The payload of `file`, if every check passes.
    fn decode<'f>(&self, file: &'f [u8], warnings: &mut Vec<String>) -> Option<Payload<'f>> {
        let rejected = match file::decode(file, &self.version, &self.key) {
            Ok(payload) => match postcard::from_bytes::<Payload>(payload) {
                Ok(p) => return Some(p),
                Err(e) => Rejected::BadPayload(e.to_string()),
            },
            Err(why) => why,
        };
        self.ignored(&rejected, warnings);
        None
    }

    fn ignored(&self, why: &Rejected, warnings: &mut Vec<String>) {
        warnings.push(format!(
            "{}ignored ({why}); building without it",
            self.label
        ));
    }

    /// `store`, unless the build reused every note it loaded and no note went away: then
    /// the file already holds exactly this (a build with nothing changed writes nothing).
    pub fn store_if_changed(
        &self,
        notes: &Notes,
        rendered: usize,
        hl: &Highlighter,
        loaded: &Loaded,
        warnings: &mut Vec<String>,
    ) {
        let unchanged = loaded.valid && rendered == 0 && notes.len() == loaded.notes;
        if !unchanged {
            self.store(notes, hl, warnings);
        }
    }

    /// Saves the notes and the highlight entries their code blocks use. A failure is
    /// one line in `warnings`, never a failed build. Returns the bytes written.
    pub fn store(
        &self,
        notes: &Notes,
        hl: &Highlighter,
        warnings: &mut Vec<String>,
    ) -> Option<u64> {
        let notes: Vec<&Arc<RenderedNote>> = notes.values().collect();
        let highlights = hl
            .cache()
            .entries_for(notes.iter().flat_map(|n| n.code_blocks.iter()));
        let packed_notes: Vec<(&str, (u32, Vec<u8>))> = notes
            .par_iter()
            .filter_map(|n| {
                let plain = postcard::to_allocvec(n.as_ref()).ok()?;
                Some((n.rel_path.as_str(), pack(&plain)?))
            })
            .collect();
        let notes = packed_notes
            .iter()
            .map(|(rel_path, (plain_len, lz4))| StoredNote {
                rel_path,
                note: Packed {
                    plain_len: *plain_len,
                    lz4,
                },
            })
            .collect();
        let packed_highlights: Vec<(u32, Vec<u8>)> = highlights
            .par_chunks(HIGHLIGHT_CHUNK)
            .filter_map(|chunk| {
                let entries: Vec<([u8; 32], &str)> = chunk
                    .iter()
                    .map(|(k, html)| (*k.as_bytes(), &**html))
                    .collect();
                pack(&postcard::to_allocvec(&entries).ok()?)
            })
            .collect();
        let highlights = packed_highlights
            .iter()
            .map(|(plain_len, lz4)| Packed {
                plain_len: *plain_len,
                lz4,
            })
            .collect();
        let payload = Payload { notes, highlights };
        let written = postcard::to_allocvec(&payload)
            .map_err(|e| e.to_string())
            .map(|p| file::encode(&self.version, &self.key, &p))
            .and_then(|bytes| {
                self.dir
                    .write(&bytes)
                    .map(|()| bytes.len() as u64)
                    .map_err(|e| e.to_string())
            });
        match written {
            Ok(n) => Some(n),
            Err(e) => {
                warnings.push(format!("{}not saved: {e}", self.label));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::markdown::MarkdownOptions;
    use crate::note::render_note;
    use crate::note::source::NoteSource;

    fn rendered(text: &str) -> RenderedNote {
        let src = NoteSource {
            rel_path: "dir/a.md".into(),
            display_path: "content/dir/a.md".into(),
            text: text.into(),
            hash: blake3::hash(text.as_bytes()),
        };
        render_note(&src, MarkdownOptions::default(), &Highlighter::new()).unwrap()
    }

    #[test]
    fn a_rendered_note_round_trips_exactly() {
        // Front matter with free-form values, links, code, and several diagnostics.
        let note = rendered(
            "---\ntitle: A\ntags: [x, y]\nweight: 3\nextra_thing: {n: [1, 2.5, null], s: \"t\"}\n\
             intro: \"Intro with [a link](b.md)\"\n---\n## Card\n\n```pyhton\nx = 1\n```\n\n\
             ```rust {2}\nfn a() {}\nfn b() {}\n```\n\nSee [[Other#Part]] and [bad](javascript:alert(1)).\n\0\n",
        );
        assert!(note.diagnostics.len() >= 2, "{:?}", note.diagnostics);
        assert!(!note.front_matter.extra.is_empty());
        let bytes = postcard::to_allocvec(&note).unwrap();
        let back: RenderedNote = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, note);
    }

    #[test]
    fn packed_entries_are_bounded_and_checked() {
        let html = "<span class=\"k\">fn</span> main() {}\n".repeat(1000);
        let (plain_len, lz4) = pack(html.as_bytes()).unwrap();
        assert!(lz4.len() < html.len() / 4, "compressed to {}", lz4.len());
        let packed = |plain_len| Packed {
            plain_len,
            lz4: &lz4,
        };
        assert_eq!(unpack(&packed(plain_len)).unwrap(), html.as_bytes());
        // A forged length: refused before allocating, or found not to match.
        for forged in [
            u32::MAX,
            MAX_ENTRY_BYTES + 1,
            plain_len + 1,
            plain_len - 1,
            0,
        ] {
            assert!(unpack(&packed(forged)).is_none(), "{forged}");
        }
        assert!(unpack(&Packed {
            plain_len: 10,
            lz4: b"\xff\xff\xff"
        })
        .is_none());
    }

    #[test]
    fn arbitrary_payloads_behind_a_valid_header_never_panic() {
        let key = blake3::hash(b"k");
        let mut seed = blake3::hash(b"seed");
        for round in 0..300 {
            seed = blake3::hash(seed.as_bytes());
            let len = (seed.as_bytes()[0] as usize) * (round % 7 + 1);
            let mut junk = Vec::with_capacity(len);
            let mut block = seed;
            while junk.len() < len {
                block = blake3::hash(block.as_bytes());
                junk.extend_from_slice(block.as_bytes());
            }
            junk.truncate(len);
            let file = file::encode("v", &key, &junk);
            let payload = file::decode(&file, "v", &key).unwrap();
            if let Ok(p) = postcard::from_bytes::<Payload>(payload) {
                for n in p.notes {
                    if let Some(plain) = unpack(&n.note) {
                        let _ = postcard::from_bytes::<RenderedNote>(&plain);
                    }
                }
            }
        }
    }
}
