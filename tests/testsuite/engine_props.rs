//! The engine's promise (`ARCHITECTURE.md`, "The engine"): after any sequence of edits
//! applied through `Engine::apply`, the site equals a clean build of the same sources byte
//! for byte — every output file and every diagnostic — and the paths it reports as pending
//! are exactly what turns the previous output into the new one.
//!
//! A small site of notes written the way people write them (front matter, cards, code,
//! links with anchors between notes) is edited at random: body edits, title / tag changes,
//! links added and removed, card titles (anchors) renamed, notes added, deleted and
//! renamed, a content asset, a theme file and the config changed. `CHEATGEN_PROP_CASES`
//! raises the number of sequences (`bench/engine_props.sh N`).

use crate::common::Site;
use cheatgen::build::{BuildOptions, Engine, Want};
use cheatgen::note::highlight::Highlighter;
use cheatgen::output::{OutputFile, OutputPlan};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone)]
struct CardSpec {
    title: String,
    paragraphs: Vec<String>,
    /// (target note path, link to its first card?)
    links: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
struct NoteSpec {
    path: String,
    title: String,
    tags: Vec<String>,
    cards: Vec<CardSpec>,
}

impl NoteSpec {
    fn new(path: &str, n: usize) -> NoteSpec {
        NoteSpec {
            path: path.into(),
            title: format!("Sheet {n}"),
            tags: vec![format!("t{}", n % 3)],
            cards: (0..2)
                .map(|c| CardSpec {
                    title: format!("Card {n}.{c}"),
                    paragraphs: vec![format!("Use `cmd{n}` for thing {c}.")],
                    links: Vec::new(),
                })
                .collect(),
        }
    }

    fn markdown(&self, notes: &[NoteSpec]) -> String {
        let mut s = format!(
            "---\ntitle: {}\ntags: [{}]\n---\n\n",
            self.title,
            self.tags.join(", ")
        );
        for card in &self.cards {
            s += &format!("## {}\n\n", card.title);
            for p in &card.paragraphs {
                s += &format!("{p}\n\n");
            }
            for (to, anchor) in &card.links {
                let rel = relative(&self.path, to);
                let frag = match (anchor, notes.iter().find(|n| &n.path == to)) {
                    (true, Some(t)) => format!("#{}", slug(&t.cards[0].title)),
                    _ => String::new(),
                };
                s += &format!("See [{to}]({rel}{frag}).\n\n");
            }
            s += "```sh\necho hi\n```\n\n";
        }
        s
    }
}

fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect::<String>()
        .replace(' ', "-")
}

/// `to` as a link from the note at `from` (both relative to `content/`).
fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{to}", "../".repeat(depth))
}

#[derive(Debug, Clone)]
enum Op {
    Body {
        note: usize,
        card: usize,
        word: u8,
    },
    Title {
        note: usize,
        n: u8,
    },
    Tag {
        note: usize,
        n: u8,
    },
    Link {
        note: usize,
        card: usize,
        to: usize,
        anchor: bool,
    },
    Unlink {
        note: usize,
    },
    RenameCard {
        note: usize,
        n: u8,
    },
    Add {
        n: u8,
        in_dir: bool,
    },
    Delete {
        note: usize,
    },
    Rename {
        note: usize,
        n: u8,
    },
    Asset {
        n: u8,
    },
    Theme {
        n: u8,
    },
    Config {
        n: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0usize..16;
    prop_oneof![
        4 => (i(), i(), any::<u8>()).prop_map(|(note, card, word)| Op::Body { note, card, word }),
        1 => (i(), any::<u8>()).prop_map(|(note, n)| Op::Title { note, n }),
        1 => (i(), any::<u8>()).prop_map(|(note, n)| Op::Tag { note, n }),
        2 => (i(), i(), i(), any::<bool>())
            .prop_map(|(note, card, to, anchor)| Op::Link { note, card, to, anchor }),
        1 => i().prop_map(|note| Op::Unlink { note }),
        1 => (i(), any::<u8>()).prop_map(|(note, n)| Op::RenameCard { note, n }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(n, in_dir)| Op::Add { n, in_dir }),
        1 => i().prop_map(|note| Op::Delete { note }),
        1 => (i(), any::<u8>()).prop_map(|(note, n)| Op::Rename { note, n }),
        1 => any::<u8>().prop_map(|n| Op::Asset { n }),
        1 => any::<u8>().prop_map(|n| Op::Theme { n }),
        1 => any::<u8>().prop_map(|n| Op::Config { n }),
    ]
}

/// A site on disk (`common::Site`) and the notes it was written from.
struct EditedSite {
    site: Site,
    notes: Vec<NoteSpec>,
}

impl EditedSite {
    fn new() -> EditedSite {
        let notes = vec![
            NoteSpec::new("a.md", 0),
            NoteSpec::new("b.md", 1),
            NoteSpec::new("dir/c.md", 2),
            NoteSpec::new("dir/d.md", 3),
        ];
        let site = EditedSite {
            site: Site::empty(),
            notes,
        };
        site.write_config(0);
        for i in 0..site.notes.len() {
            site.write_note(i);
        }
        site
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        self.site.write(rel, text);
        self.root().join(rel)
    }

    fn write_config(&self, n: u8) -> PathBuf {
        self.write("cheatgen.toml", &format!("title = \"Site {n}\"\n"))
    }

    fn write_note(&self, i: usize) -> PathBuf {
        let text = self.notes[i].markdown(&self.notes);
        self.write(&format!("content/{}", self.notes[i].path), &text)
    }

    /// Applies `op` to the files; returns the paths it touched.
    fn apply(&mut self, op: &Op) -> Vec<PathBuf> {
        let len = self.notes.len();
        if len == 0
            && !matches!(
                op,
                Op::Add { .. } | Op::Asset { .. } | Op::Theme { .. } | Op::Config { .. }
            )
        {
            return Vec::new();
        }
        let pick = |i: usize| i % len.max(1);
        match *op {
            Op::Body { note, card, word } => {
                let n = pick(note);
                let cards = &mut self.notes[n].cards;
                let c = card % cards.len();
                cards[c].paragraphs.push(format!("More about word{word}."));
                vec![self.write_note(n)]
            }
            Op::Title { note, n } => {
                let i = pick(note);
                self.notes[i].title = format!("Title {n}");
                vec![self.write_note(i)]
            }
            Op::Tag { note, n } => {
                let i = pick(note);
                self.notes[i].tags = vec![format!("t{}", n % 4)];
                vec![self.write_note(i)]
            }
            Op::Link {
                note,
                card,
                to,
                anchor,
            } => {
                let i = pick(note);
                let target = self.notes[pick(to)].path.clone();
                let cards = &mut self.notes[i].cards;
                let c = card % cards.len();
                cards[c].links.push((target, anchor));
                vec![self.write_note(i)]
            }
            Op::Unlink { note } => {
                let i = pick(note);
                for c in &mut self.notes[i].cards {
                    c.links.clear();
                }
                vec![self.write_note(i)]
            }
            Op::RenameCard { note, n } => {
                // The anchor changes; links to it elsewhere break (their text stays as written).
                let i = pick(note);
                self.notes[i].cards[0].title = format!("Renamed {n}");
                vec![self.write_note(i)]
            }
            Op::Add { n, in_dir } => {
                let path = if in_dir {
                    format!("dir/new{n}.md")
                } else {
                    format!("new{n}.md")
                };
                if self.notes.iter().any(|s| s.path == path) {
                    return Vec::new();
                }
                self.notes.push(NoteSpec::new(&path, 10 + usize::from(n)));
                vec![self.write_note(self.notes.len() - 1)]
            }
            Op::Delete { note } => {
                let spec = self.notes.remove(pick(note));
                let path = self.root().join("content").join(&spec.path);
                std::fs::remove_file(&path).unwrap();
                vec![path]
            }
            Op::Rename { note, n } => {
                let i = pick(note);
                let new = format!("moved{n}.md");
                if self.notes.iter().any(|s| s.path == new) {
                    return Vec::new();
                }
                let old = self.root().join("content").join(&self.notes[i].path);
                let to = self.root().join("content").join(&new);
                std::fs::rename(&old, &to).unwrap();
                self.notes[i].path = new;
                // The file moved as it was; its relative links now point elsewhere.
                vec![old, to]
            }
            Op::Asset { n } => vec![self.write("content/files/data.txt", &format!("data {n}\n"))],
            Op::Theme { n } => vec![self.write(
                "themes/default/static/extra.css",
                &format!(".x{n} {{ color: red }}\n"),
            )],
            Op::Config { n } => vec![self.write_config(n)],
        }
    }
}

fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    }
}

/// Output files as comparable bytes (copies read from their source).
fn bytes(files: &OutputPlan) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(k, f)| {
            let b = match f {
                OutputFile::Bytes(b) => b.clone(),
                OutputFile::Shared(b) => b.to_vec(),
                OutputFile::Copy(p) => std::fs::read(p).unwrap(),
            };
            (k.clone(), b)
        })
        .collect()
}

fn check_sequence(ops: &[Op], hl: &Arc<Highlighter>) -> Result<(), TestCaseError> {
    let mut site = EditedSite::new();
    let opts = options(site.root());
    let mut engine = Engine::with_highlighter(&opts, Want::SITE, true, Arc::clone(hl)).unwrap();
    engine.build_all().unwrap();
    // What a `serve` would have on disk: the first build, then each step's pending paths.
    let mut disk = bytes(&engine.site().unwrap().files);
    engine.commit();
    for (step, op) in ops.iter().enumerate() {
        let touched = site.apply(op);
        engine.apply(&touched).unwrap();
        let got_files = bytes(&engine.site().unwrap().files);
        let got_diagnostics = engine.site().unwrap().report.diagnostics.clone();
        for path in engine.pending() {
            match got_files.get(path) {
                Some(b) => disk.insert(path.clone(), b.clone()),
                None => disk.remove(path),
            };
        }
        engine.commit();

        let mut clean = Engine::with_highlighter(&opts, Want::SITE, false, Arc::clone(hl)).unwrap();
        let want = clean.build_all().unwrap();
        let want_files = bytes(&want.files);
        let paths = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        prop_assert_eq!(
            paths(&got_files),
            paths(&want_files),
            "step {}: {:?}",
            step,
            op
        );
        for (path, b) in &want_files {
            prop_assert!(
                got_files.get(path) == Some(b),
                "step {step} ({op:?}): {path} differs from a clean build"
            );
        }
        prop_assert_eq!(
            &got_diagnostics,
            &want.report.diagnostics,
            "step {}: {:?}",
            step,
            op
        );
        prop_assert!(
            disk == want_files,
            "step {step} ({op:?}): the pending paths do not turn the old output into the new"
        );
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("CHEATGEN_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_edit_sequence_equals_a_clean_build(ops in prop::collection::vec(op(), 1..6)) {
        thread_local!(static HL: Arc<Highlighter> = Arc::new(Highlighter::new()));
        HL.with(|hl| check_sequence(&ops, hl))?;
    }
}

/// The body-only path is taken for a paragraph added to a card, and not for a title change
/// (so the property above exercises both paths).
#[test]
fn a_paragraph_takes_the_body_only_path_and_a_title_does_not() {
    let hl = Arc::new(Highlighter::new());
    let mut site = EditedSite::new();
    let opts = options(site.root());
    let mut engine = Engine::with_highlighter(&opts, Want::SITE, true, hl).unwrap();
    engine.build_all().unwrap();
    engine.commit();
    let touched = site.apply(&Op::Body {
        note: 0,
        card: 1,
        word: 7,
    });
    let update = engine.apply(&touched).unwrap();
    assert!(update.fast, "{update:?}");
    assert_eq!(update.rendered, 1);
    let pending: Vec<&String> = engine.pending().iter().collect();
    assert!(
        pending.contains(&&"a/index.html".to_string()),
        "{pending:?}"
    );
    assert!(
        pending
            .iter()
            .all(|p| *p == "a/index.html" || p.starts_with("search/")),
        "a body edit touches its page and the search index only: {pending:?}"
    );
    engine.commit();
    let touched = site.apply(&Op::Title { note: 0, n: 9 });
    let update = engine.apply(&touched).unwrap();
    assert!(!update.fast, "{update:?}");
    assert!(
        engine.pending().contains("index.html"),
        "the home page lists titles"
    );
}
