//! Text → search terms, shared by the index builder and the query side (and mirrored by
//! the browser client in `themes/default/static/search.js`; keep the two in step).
//!
//! Code is what people half remember, so a piece of text gives two kinds of terms:
//! - *parts*: runs of letters/digits, lower-cased, at least 2 chars (`functools`,
//!   `wraps`, `qualname`, `0x7f3a`, `no`, `cache`); camelCase runs also give their pieces
//!   (`getElementById` → `getelementbyid`, `get`, `element`, `by`, `id`);
//! - *compounds*: a whole code-ish token that contains separators (`--no-cache-dir`,
//!   `functools.wraps`, `__qualname__`, `{{path/to/file}}`, `-i`), so typing it exactly
//!   finds it first.

/// Characters that may appear inside a compound token besides letters and digits.
const COMPOUND_CHARS: &str = "_-./:@{}~+#$%=&|*!?<>";
/// Longest term kept; longer runs are usually hashes or data blobs.
pub const MAX_TERM: usize = 48;

fn is_part_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_compound_char(c: char) -> bool {
    c.is_alphanumeric() || COMPOUND_CHARS.contains(c)
}

/// Calls `emit(term, is_compound)` for every term of `text` (duplicates included).
pub fn terms(text: &str, emit: &mut impl FnMut(&str, bool)) {
    let mut lower = String::new();
    for chunk in text.split(|c: char| !is_compound_char(c)) {
        let chunk = chunk.trim_matches(|c: char| {
            matches!(
                c,
                '.' | ':' | ',' | '?' | '!' | '<' | '>' | '=' | '|' | '&' | '*'
            )
        });
        if chunk.is_empty() {
            continue;
        }
        let has_sep = chunk.chars().any(|c| !is_part_char(c));
        let mut parts = 0;
        for part in chunk
            .split(|c: char| !is_part_char(c))
            .filter(|p| !p.is_empty())
        {
            parts += 1;
            lowercase_into(&mut lower, part);
            if lower.chars().count() >= 2 && lower.len() <= MAX_TERM {
                emit(&lower, false);
            }
            for piece in camel_pieces(part) {
                lowercase_into(&mut lower, piece);
                if lower.chars().count() >= 2 {
                    emit(&lower, false);
                }
            }
        }
        if has_sep && chunk.chars().count() >= 2 && chunk.len() <= MAX_TERM && (parts > 0) {
            lowercase_into(&mut lower, chunk);
            emit(&lower, true);
        }
    }
}

fn lowercase_into(out: &mut String, s: &str) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

/// The pieces of a camelCase / PascalCase run (`HTTPServer` → `HTTP`, `Server`); empty
/// when the run has no case change inside.
fn camel_pieces(run: &str) -> Vec<&str> {
    // Fast path: most runs have no upper-case letter after the first char.
    if !run.chars().skip(1).any(char::is_uppercase) {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    let mut cuts = Vec::new();
    for w in 1..chars.len() {
        let (prev, cur) = (chars[w - 1].1, chars[w].1);
        let next = chars.get(w + 1).map(|x| x.1);
        let lower_to_upper = prev.is_lowercase() && cur.is_uppercase();
        let acronym_end =
            prev.is_uppercase() && cur.is_uppercase() && next.is_some_and(char::is_lowercase);
        if lower_to_upper || acronym_end {
            cuts.push(chars[w].0);
        }
    }
    if cuts.is_empty() {
        return Vec::new();
    }
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        pieces.push(&run[start..cut]);
        start = cut;
    }
    pieces.push(&run[start..]);
    pieces
}

/// One whitespace-separated chunk of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryChunk {
    /// Terms that must all match for the chunk to match (parts; or the compound when the
    /// chunk has no part of 2+ chars, like `-i`).
    pub required: Vec<String>,
    /// The whole chunk as a compound, for an exact-token bonus.
    pub compound: Option<String>,
}

/// Splits a query into chunks of terms.
pub fn query(text: &str) -> Vec<QueryChunk> {
    let mut chunks = Vec::new();
    for word in text.split_whitespace() {
        let mut parts = Vec::new();
        let mut compound = None;
        terms(word, &mut |t, is_compound| {
            if is_compound {
                compound.get_or_insert_with(|| t.to_string());
            } else if !parts.iter().any(|p| p == t) {
                parts.push(t.to_string());
            }
        });
        // camelCase pieces are for recall in the index; a query needs only the runs.
        let runs: Vec<String> = word
            .split(|c: char| !is_part_char(c))
            .map(str::to_lowercase)
            .filter(|p| p.chars().count() >= 2 && p.len() <= MAX_TERM)
            .collect();
        let required = if !runs.is_empty() {
            runs
        } else if let Some(c) = &compound {
            vec![c.clone()]
        } else {
            continue;
        };
        let mut required_unique: Vec<String> = Vec::new();
        for r in required {
            if !required_unique.contains(&r) {
                required_unique.push(r);
            }
        }
        chunks.push(QueryChunk {
            required: required_unique,
            compound,
        });
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, &mut |t, c| {
            out.push(format!("{}{t}", if c { "+" } else { "" }))
        });
        out
    }

    #[test]
    fn code_tokens_give_whole_and_parts() {
        assert_eq!(
            all("pip install --no-cache-dir x"),
            ["pip", "install", "no", "cache", "dir", "+--no-cache-dir"]
        );
        assert_eq!(
            all("functools.wraps(fn)"),
            ["functools", "wraps", "+functools.wraps", "fn"]
        );
        assert_eq!(all("__qualname__"), ["qualname", "+__qualname__"]);
        assert_eq!(all("git rebase -i"), ["git", "rebase", "+-i"]);
        assert_eq!(all("at 0x7f3a2c…>"), ["at", "0x7f3a2c"]);
        assert_eq!(
            all("{{path/to/file}}"),
            ["path", "to", "file", "+{{path/to/file}}"]
        );
        assert_eq!(
            all("getElementById"),
            ["getelementbyid", "get", "element", "by", "id"]
        );
        assert_eq!(
            all("HTTPServer, end."),
            ["httpserver", "http", "server", "end"]
        );
        assert_eq!(all("Ünïcode Straße"), ["ünïcode", "straße"]);
    }

    #[test]
    fn queries_split_into_chunks() {
        let q = query("functools.wraps -i Git");
        assert_eq!(q[0].required, ["functools", "wraps"]);
        assert_eq!(q[0].compound.as_deref(), Some("functools.wraps"));
        assert_eq!(q[1].required, ["-i"]);
        assert_eq!(q[2].required, ["git"]);
        assert!(query("  - ? ").is_empty());
        assert_eq!(
            query("{{path/to/file}}")[0].compound.as_deref(),
            Some("{{path/to/file}}")
        );
    }
}
