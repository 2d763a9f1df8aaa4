//! The on-disk search index format, shared by the writer (`index`), the Rust reader
//! (`query`) and mirrored by the browser client (`themes/default/static/search.js`).
//!
//! Document ids are stable: a sheet owns a *slot* (`slots`: a hash of its key, collisions
//! resolved canonically), and its entries are `slot << CARD_BITS | position in the sheet`,
//! so editing, adding or removing one sheet leaves every other sheet's ids alone (except
//! the few a collision shifts, and a table resize when the sheet count doubles).
//!
//! Under `search/` in the output:
//! - `meta.json` — the small entry file, fetched fresh: format version, index id (changes
//!   whenever the index bytes change; other files are fetched with `?v=<id>`), doc count
//!   and docs per doc shard.
//! - `k/<hex of leading chars>.gz` — dictionary (see `dict_key`): the sorted terms with that
//!   start, one per line, front-coded (`push_dict_line`); no file means no such terms.
//!   Prefix and typo expansion run on it before any postings are fetched. A line
//!   `term\t<name>` says that term and the following lines are in term shard `t/<name>.gz`
//!   (so the first query needs no global list of shards).
//! - `t/<name>.gz` — term shard: JSON object term → postings string (`!`-prefixed for a
//!   common term whose prose postings were dropped). Shards are cut by content
//!   (`chunks`): a term starts one when a hash of it says so, or when the shard is full,
//!   so boundaries move only locally; a shard is named by a hash of its first term.
//! - `d/<slot>-<n>.gz` — doc shard: JSON array of `SearchEntry` rows, entries
//!   `n * DOCS_PER_SHARD ..` of the sheet in that slot.
//!
//! Shards are gzip'd on disk (fixed header, so bytes are deterministic); the client
//! inflates them with `DecompressionStream`. A postings string is a sequence of varints,
//! 5 bits per char: alphabet chars 0–31 continue a number, 32–63 end it (least
//! significant group first). Each posting is `(x << 7) | (new_sheet << 6) | field_mask`.
//! Without `new_sheet`, `x` is the distance of its position in the sheet from the previous
//! posting's, minus one. With it, `x` is `(slot_gap << 4) | min(position, 15)`, where
//! `slot_gap` is the slot's distance from the previous posting's slot minus one (the first
//! posting counts from slot −1); a position of 15 or more is followed by a second varint
//! holding `position − 15`. (Positions below 15 ride in the first varint's spare bits: a
//! second varint for every new sheet cost 17 % more postings bytes.)

use std::io::{Read, Write};

pub const VERSION: u32 = 4;
/// Bits of a doc id that hold the entry's position in its sheet; a sheet indexes at most
/// `MAX_SHEET_ENTRIES` entries (a sheet of 4,096 cards is far past any real one).
pub const CARD_BITS: u32 = 12;
pub const MAX_SHEET_ENTRIES: usize = 1 << CARD_BITS;
/// Slots fit the rest of a `u32` doc id.
pub const MAX_SLOTS: usize = 1 << (32 - CARD_BITS);

/// The doc id of entry `card` of the sheet in `slot`.
pub fn doc_id(slot: u32, card: u32) -> u32 {
    (slot << CARD_BITS) | card
}

/// The (slot, position) of a doc id.
pub fn doc_parts(doc: u32) -> (u32, u32) {
    (doc >> CARD_BITS, doc & (MAX_SHEET_ENTRIES as u32 - 1))
}

/// Path (under `search/`) of the doc shard holding `doc`.
pub fn doc_shard_path(doc: u32) -> String {
    let (slot, card) = doc_parts(doc);
    format!("d/{slot}-{}.gz", card as usize / DOCS_PER_SHARD)
}
/// zlib level: 6 is within ~2% of 9 in size on this data and several times faster.
const GZIP_LEVEL: u32 = 6;
/// Small doc shards: a query fetches the shards of its top results only, and results are
/// spread over the whole site, so nearly every shard fetched carries one wanted doc. Two
/// per shard halves the doc bytes of a first query against four (10k notes: 14.4 → 7.7 kB
/// on the worst probe) at twice the files; one per shard would mean a file per card.
pub const DOCS_PER_SHARD: usize = 2;
/// Average raw bytes of a term shard (`chunks`): a rare term pulls in its whole shard, so
/// smaller shards waste less of each download (1 kB against 2 kB: median probe at 10k
/// notes 8.4 → 6.8 kB, with doc shards of two).
pub const TERM_SHARD_BYTES: usize = 1024;
/// A term shard is cut when it holds this many raw bytes, whatever the hashes say.
pub const TERM_SHARD_MAX: usize = 2 * TERM_SHARD_BYTES;

/// A term in more than `common_limit(docs)` entries is "common": its prose-only postings
/// are dropped (they carry no signal and would dominate the download) and its postings
/// string starts with `COMMON_MARK`, so readers take its document frequency as at least
/// the limit.
const COMMON_SHARE: usize = 20;
pub const COMMON_MIN: usize = 500;
pub const COMMON_MARK: char = '!';

pub fn common_limit(docs: usize) -> usize {
    (docs / COMMON_SHARE).max(COMMON_MIN)
}

/// A common term in more than this many entries (a fifth of a big site, like a syllable
/// of generated code names) also loses its code-only postings: its idf is near zero, so
/// they barely move a score, yet they were most of the download of any query using it.
/// Its postings in names (card, sheet, group, keywords, member) stay, topped up with code
/// ones when they are few (`index::trim_common`).
pub fn very_common_limit(docs: usize) -> usize {
    common_limit(docs) * VERY_COMMON_FACTOR
}
pub const VERY_COMMON_FACTOR: usize = 4;

/// Field bits of a posting, best first.
pub const F_CARD: u8 = 1;
/// Words that name the sheet: its title, slug and tags.
pub const F_SHEET: u8 = 2;
/// Group title, keywords and category.
pub const F_META: u8 = 4;
/// The last part of a dotted chain in code (`reduce` in `Array.prototype.reduce`).
pub const F_MEMBER: u8 = 8;
pub const F_CODE: u8 = 16;
pub const F_PROSE: u8 = 32;
/// Bits a posting's mask uses.
pub const MASK_BITS: u32 = 6;

/// Weight of a field mask: twice the best field's weight (card title 10 > sheet 6 >
/// meta 4 > member 3 > code 2 > prose 1), plus one per further field the term is in.
pub fn field_weight(mask: u8) -> u64 {
    const WEIGHTS: [u64; 6] = [10, 6, 4, 3, 2, 1];
    let mut best = 0;
    let mut fields = 0;
    for (bit, w) in WEIGHTS.iter().enumerate() {
        if mask & (1 << bit) != 0 {
            best = best.max(*w);
            fields += 1;
        }
    }
    if fields == 0 {
        0
    } else {
        best * 2 + fields - 1
    }
}

const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";

fn push_varint(out: &mut String, mut v: u64) {
    loop {
        let digit = (v & 31) as usize;
        v >>= 5;
        if v == 0 {
            out.push(ALPHABET[32 + digit] as char);
            return;
        }
        out.push(ALPHABET[digit] as char);
    }
}

/// Encodes postings sorted by doc id (see the module header).
pub fn encode_postings(postings: &[(u32, u8)]) -> String {
    let mut out = String::with_capacity(postings.len() * 2);
    // The slot before the first is −1, so the first posting's gap is its slot.
    let (mut prev_slot, mut prev_card) = (-1i64, 0u32);
    for &(doc, mask) in postings {
        let (slot, card) = doc_parts(doc);
        let mask = u64::from(mask & 63);
        if i64::from(slot) != prev_slot {
            let gap = (i64::from(slot) - prev_slot - 1).max(0) as u64;
            let inline = u64::from(card.min(CARD_INLINE));
            push_varint(&mut out, (((gap << 4) | inline) << 7) | 64 | mask);
            if card >= CARD_INLINE {
                push_varint(&mut out, u64::from(card - CARD_INLINE));
            }
        } else {
            let gap = u64::from(card.saturating_sub(prev_card).saturating_sub(1));
            push_varint(&mut out, (gap << 7) | mask);
        }
        prev_slot = i64::from(slot);
        prev_card = card;
    }
    out
}

/// Positions in a sheet below this are stored in a new sheet's first varint.
const CARD_INLINE: u32 = 15;

/// Decodes a postings string; damaged input yields what it can, never a panic.
pub fn decode_postings(s: &str) -> Vec<(u32, u8)> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let (mut v, mut shift) = (0u64, 0u32);
    let (mut slot, mut card) = (-1i64, 0u64);
    // The mask of a new sheet's posting, waiting for its position varint.
    let mut pending: Option<u8> = None;
    for b in s.bytes() {
        let Some(idx) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        if shift < 64 {
            v |= ((idx & 31) as u64) << shift;
        }
        shift += 5;
        if idx < 32 {
            continue;
        }
        if let Some(mask) = pending.take() {
            card = v.saturating_add(u64::from(CARD_INLINE));
            out.push((doc_from(slot, card), mask));
        } else if v & 64 != 0 {
            slot = slot
                .saturating_add(1)
                .saturating_add((v >> 11).min(u32::MAX.into()) as i64);
            card = (v >> 7) & 15;
            if card == u64::from(CARD_INLINE) {
                pending = Some((v & 63) as u8);
            } else {
                out.push((doc_from(slot, card), (v & 63) as u8));
            }
        } else {
            card = card.saturating_add(1).saturating_add(v >> 7);
            out.push((doc_from(slot, card), (v & 63) as u8));
        }
        v = 0;
        shift = 0;
    }
    out
}

fn doc_from(slot: i64, card: u64) -> u32 {
    let slot = slot.clamp(0, MAX_SLOTS as i64 - 1) as u32;
    doc_id(slot, card.min(MAX_SHEET_ENTRIES as u64 - 1) as u32)
}

/// Longest shared start a dictionary line can reuse (its one-char code stays printable
/// ASCII, `0` + n).
const DICT_SHARED_MAX: usize = 40;

/// Appends a dictionary line for `term` after `prev` (front coding): one char `0` + n for
/// the n leading chars it shares with the line before, the rest of the term, and
/// `\t<shard>` when `shard` is given. Only ASCII chars are shared, so a count of chars is
/// the same in Rust and in JavaScript's UTF-16 strings. Sorted terms share long starts, so
/// this saves about a quarter of a dictionary's gzip'd bytes.
pub fn push_dict_line(out: &mut String, prev: &str, term: &str, shard: Option<&str>) {
    let shared = prev
        .bytes()
        .zip(term.bytes())
        .take_while(|(a, b)| a == b && a.is_ascii())
        .count()
        .min(DICT_SHARED_MAX);
    out.push(char::from(b'0' + shared as u8));
    out.push_str(&term[shared..]);
    if let Some(name) = shard {
        out.push('\t');
        out.push_str(name);
    }
    out.push('\n');
}

/// A dictionary file read back: its sorted terms and, for each, the index of its term
/// shard's name in `shards`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dict {
    pub terms: Vec<String>,
    pub shard_of: Vec<usize>,
    pub shards: Vec<String>,
}

impl Dict {
    /// The term shard name of `terms[at]`.
    pub fn shard(&self, at: usize) -> &str {
        self.shard_of
            .get(at)
            .and_then(|&i| self.shards.get(i))
            .map_or("", String::as_str)
    }
}

/// The terms of a dictionary file and the term shard of each (see `push_dict_line`).
pub fn read_dict(text: &str) -> Dict {
    let mut dict = Dict::default();
    let mut prev = String::new();
    for line in text.lines() {
        let mut chars = line.chars();
        let Some(code) = chars.next() else {
            continue;
        };
        let rest = match chars.as_str().split_once('\t') {
            Some((t, name)) => {
                dict.shards.push(name.to_string());
                t
            }
            None => chars.as_str(),
        };
        // A damaged count keeps what it can rather than panicking.
        let shared = (code as usize)
            .saturating_sub(usize::from(b'0'))
            .min(prev.len());
        let shared = if prev.is_char_boundary(shared) {
            shared
        } else {
            0
        };
        let term = format!("{}{rest}", &prev[..shared]);
        dict.terms.push(term.clone());
        dict.shard_of.push(dict.shards.len().saturating_sub(1));
        prev = term;
    }
    dict
}

/// Dictionary file key of a term: hex codes of its first chars up to and including the
/// second letter or digit, at most four (`re…` → `72-65`, `--no…` → `2d-2d-6e-6f`), so
/// a dictionary file stays small on big sites even for the many `--flag` tokens. Prefix
/// and typo expansion therefore assume the first two letters are typed right.
pub fn dict_key(term: &str) -> String {
    let mut parts = Vec::with_capacity(4);
    let mut alnum = 0;
    for c in term.chars() {
        parts.push(format!("{:x}", c as u32));
        if c.is_alphanumeric() {
            alnum += 1;
        }
        if alnum == 2 || parts.len() == 4 {
            break;
        }
    }
    parts.join("-")
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Inflates gzip bytes; plain bytes (a server that already decoded them) pass through.
pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let p = vec![
            (doc_id(0, 0), 1),
            (doc_id(0, 1), 16),
            (doc_id(0, 31), 8),
            (doc_id(3, 0), 3),
            (doc_id(3, 4095), 32),
            (doc_id(70_000, 2), 63),
        ];
        let s = encode_postings(&p);
        assert_eq!(decode_postings(&s), p);
        // A new sheet's posting: 2 chars when its slot is near; consecutive cards of one
        // sheet cost one char each (mask < 32).
        let one_sheet: Vec<_> = (0..10).map(|c| (doc_id(0, c), F_CODE)).collect();
        assert_eq!(encode_postings(&one_sheet).len(), 2 + 9);
        let late = [
            (doc_id(0, 14), F_CODE),
            (doc_id(1, 15), F_CODE),
            (doc_id(2, 16), 1),
        ];
        assert_eq!(decode_postings(&encode_postings(&late)), late);
        assert_eq!(decode_postings(&encode_postings(&one_sheet)), one_sheet);
    }

    #[test]
    fn damaged_postings_do_not_panic() {
        for s in [
            "",
            "!",
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "0000000000000000000000w",
            "ww",
            "_-",
        ] {
            let _ = decode_postings(s);
        }
    }

    #[test]
    fn dict_keys_use_two_chars() {
        assert_eq!(dict_key("rebase"), "72-65");
        assert_eq!(dict_key("-i"), "2d-69");
        assert_eq!(dict_key("--no-cache-dir"), "2d-2d-6e-6f");
        assert_eq!(dict_key("{{{{path"), "7b-7b-7b-7b");
    }

    #[test]
    fn dictionary_lines_share_starts_and_round_trip() {
        let terms = ["lin", "lindra", "lindra_ber", "lint", "né", "néon", "nz"];
        let mut text = String::new();
        let mut prev = "";
        for (i, t) in terms.iter().enumerate() {
            let name = format!("s{i}");
            push_dict_line(&mut text, prev, t, (i % 3 == 0).then_some(name.as_str()));
            prev = t;
        }
        assert!(
            text.starts_with("0lin\ts0\n3dra\n6_ber\n3t\ts3\n"),
            "{text}"
        );
        // Only ASCII is shared: `néon` after `né` shares just `n`.
        assert!(text.contains("\n1éon\n"), "{text}");
        let dict = read_dict(&text);
        assert_eq!(dict.terms, terms);
        let shards: Vec<&str> = (0..terms.len()).map(|i| dict.shard(i)).collect();
        assert_eq!(shards, ["s0", "s0", "s0", "s3", "s3", "s3", "s6"]);
        // Damaged counts do not panic.
        assert_eq!(read_dict("0né\n9x\n").terms, ["né", "néx"]);
        assert_eq!(read_dict("é\n").terms, [""]);
        assert_eq!(read_dict("0a\n").shard(0), "");
    }

    #[test]
    fn gzip_is_deterministic_and_round_trips() {
        let a = gzip(b"hello hello hello");
        assert_eq!(a, gzip(b"hello hello hello"));
        assert_eq!(gunzip(&a).unwrap(), b"hello hello hello");
        assert_eq!(gunzip(b"plain").unwrap(), b"plain");
    }
}
