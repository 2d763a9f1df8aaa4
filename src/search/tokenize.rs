//! Text → search terms, shared by the index builder and the query side (and mirrored by
//! the browser client in `themes/default/static/search.js`; keep the two in step).
//!
//! Code is what people half remember, so a piece of text gives two kinds of terms:
//! - *parts*: runs of letters/digits, lower-cased, at least 2 chars (`functools`,
//!   `wraps`, `qualname`, `0x7f3a`, `no`, `cache`); camelCase runs also give their pieces
//!   (`getElementById` → `getelementbyid`, `get`, `element`, `by`, `id`);
//! - *compounds*: a whole code-ish token that contains separators (`--no-cache-dir`,
//!   `functools.wraps`, `__qualname__`, `{{path/to/file}}`, `-i`), so typing it exactly
//!   finds it first; short punctuation words (`$?`, `:wq`, `\\dt`, `&&`, `>>`) are kept as
//!   compounds too, since they are what a shell or editor cheat sheet is about.
//!
//! Besides `terms`, the index asks for `members` (the last part of a dotted chain, weighted
//! up) and `joined_words` (`E[x]tract` → `extract`); the query side uses `query`,
//! `is_stop_word` and `stem`.

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
    for word in text.split_whitespace() {
        let mut compounds = 0;
        for chunk in word.split(|c: char| !is_compound_char(c)) {
            compounds += chunk_terms(chunk, &mut lower, emit);
        }
        if let Some(sym) = symbol(word) {
            let trimmed = sym.trim_matches(|c: char| TRIM.contains(c));
            let already = compounds > 0 && trimmed == sym && sym.chars().all(is_compound_char);
            if !already {
                lowercase_into(&mut lower, sym);
                emit(&lower, true);
            }
        }
    }
}

/// Edge characters that are punctuation around a code token, not part of it.
const TRIM: &str = ".:,?!<>=|&*";

/// The terms of one chunk of compound chars; returns how many compounds it emitted.
fn chunk_terms(chunk: &str, lower: &mut String, emit: &mut impl FnMut(&str, bool)) -> usize {
    let chunk = chunk.trim_matches(|c: char| TRIM.contains(c));
    if chunk.is_empty() {
        return 0;
    }
    let has_sep = chunk.chars().any(|c| !is_part_char(c));
    let mut parts = 0;
    for part in chunk
        .split(|c: char| !is_part_char(c))
        .filter(|p| !p.is_empty())
    {
        parts += 1;
        lowercase_into(lower, part);
        if lower.chars().count() >= 2 && lower.len() <= MAX_TERM {
            emit(lower, false);
        }
        for piece in camel_pieces(part) {
            lowercase_into(lower, piece);
            if lower.chars().count() >= 2 {
                emit(lower, false);
            }
        }
    }
    if has_sep && chunk.chars().count() >= 2 && chunk.len() <= MAX_TERM && (parts > 0) {
        lowercase_into(lower, chunk);
        emit(lower, true);
        return 1;
    }
    0
}

/// Characters stripped from both ends of a word before it is taken as a symbol.
const SYMBOL_EDGES: &[char] = &['"', '\'', '`', '(', ')', '[', ']', '{', '}', ',', ';'];

/// A short punctuation word (`$?`, `$@`, `:q`, `:wq`, `\\dt`, `&&`, `||`, `>>`, `2>&1`):
/// 2–4 chars after stripping quotes and brackets, at least one not a letter or digit and at
/// most three that are.
pub fn symbol(word: &str) -> Option<&str> {
    let w = word.trim_matches(SYMBOL_EDGES);
    let n = w.chars().count();
    let alnum = w.chars().filter(|c| c.is_alphanumeric()).count();
    // `end.`, `it's`-style words: a word followed by sentence punctuation is no symbol.
    let word_then_punct = w.starts_with(char::is_alphanumeric)
        && w.trim_end_matches(['.', ',', ':', ';', '!', '?'])
            .chars()
            .all(char::is_alphanumeric);
    ((2..=4).contains(&n) && alnum < n && alnum <= 3 && !word_then_punct).then_some(w)
}

/// Calls `emit` with the last alphanumeric runs of every dotted chain in `code`
/// (`Array.prototype.reduce(` → `reduce`; `p.read_text()` → `read`, `text`).
pub fn members(code: &str, emit: &mut impl FnMut(&str)) {
    let mut lower = String::new();
    for chunk in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
        let chunk = chunk.trim_end_matches('.');
        let Some((head, last)) = chunk.rsplit_once('.') else {
            continue;
        };
        if !head.chars().any(char::is_alphanumeric) {
            continue;
        }
        for part in last.split('_').filter(|p| p.chars().count() >= 2) {
            lowercase_into(&mut lower, part);
            if lower.len() <= MAX_TERM {
                emit(&lower);
            }
        }
    }
}

/// Calls `emit` with words written with a marked letter, joined (`E[x]tract` → `extract`,
/// `[c]reate` → `create`, `Lis[t]` → `list`): brackets of 1–3 letters touching letters.
pub fn joined_words(text: &str, emit: &mut impl FnMut(&str)) {
    for word in text.split_whitespace() {
        if !word.contains('[') {
            continue;
        }
        let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '[' && c != ']');
        let joined: String = word.chars().filter(|c| *c != '[' && *c != ']').collect();
        let marked = word
            .split('[')
            .skip(1)
            .all(|s| s.find(']').is_some_and(|i| (1..=3).contains(&i)));
        if marked
            && joined.chars().count() >= 3
            && joined.chars().all(char::is_alphabetic)
            && joined.chars().count() > word.matches('[').count() * 3
        {
            emit(&joined.to_lowercase());
        }
    }
}

/// English words that never make a query word required (and are not looked up when the
/// query has other words): `vim search and replace`, `sed in place`.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "so", "than",
    "that", "the", "then", "this", "to", "was", "we", "what", "when", "where", "which", "who",
    "why", "will", "with", "you", "your",
];

pub fn is_stop_word(term: &str) -> bool {
    STOP_WORDS.contains(&term)
}

/// A light English stem for matching plurals and verb forms: `tables` → `table`,
/// `entries` → `entry`, `branches` → `branch`, `forwarding` → `forward`, `redirected` →
/// `redirect`. Only for ASCII words of 4+ letters; anything else is its own stem.
pub fn stem(term: &str) -> String {
    let t = term;
    if t.len() < 4 || !t.bytes().all(|b| b.is_ascii_lowercase()) {
        return t.to_string();
    }
    let cut = |n: usize| t[..t.len() - n].to_string();
    if t.len() >= 5 && t.ends_with("ies") {
        return format!("{}y", &t[..t.len() - 3]);
    }
    if t.ends_with("sses") || t.ends_with("ches") || t.ends_with("shes") || t.ends_with("xes") {
        return cut(2);
    }
    if ["ss", "us", "is", "as", "os"]
        .iter()
        .any(|s| t.ends_with(s))
    {
        return t.to_string();
    }
    if t.len() >= 7 && t.ends_with("ing") {
        return cut(3);
    }
    if t.len() >= 6 && t.ends_with("ed") && !t.ends_with("eed") {
        return cut(2);
    }
    if t.ends_with('s') {
        return cut(1);
    }
    t.to_string()
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
        if compound.is_none() {
            compound = symbol(word).map(str::to_lowercase);
        }
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
    fn short_punctuation_words_are_terms() {
        assert_eq!(all("echo $? and \"$@\""), ["echo", "+$?", "and", "+$@"]);
        assert_eq!(all(":wq :q \\dt"), ["wq", "+:wq", "+:q", "dt", "+\\dt"]);
        assert_eq!(
            all("make && make install || exit; cmd >> log"),
            ["make", "+&&", "make", "install", "+||", "exit", "cmd", "+>>", "log"]
        );
        assert!(
            all("a | b ; x").is_empty(),
            "single characters are not terms"
        );
        assert_eq!(query("$?")[0].required, ["$?"]);
        assert_eq!(query(":wq")[0].compound.as_deref(), Some(":wq"));
    }

    #[test]
    fn dotted_chains_give_their_last_part() {
        let mut out = Vec::new();
        members(
            "x = Array.prototype.reduce(f); p.read_text(); v1.2 .hidden",
            &mut |t| out.push(t.to_string()),
        );
        assert_eq!(out, ["reduce", "read", "text"]);
    }

    #[test]
    fn marked_letters_are_joined() {
        let mut out = Vec::new();
        let text = "E[x]tract, [c]reate and Lis[t] but not items[0] or [x] or a[b]";
        joined_words(text, &mut |t| out.push(t.to_string()));
        assert_eq!(out, ["extract", "create", "list"]);
    }

    #[test]
    fn light_stems() {
        for (a, b) in [
            ("tables", "table"),
            ("entries", "entry"),
            ("branches", "branch"),
            ("forwarding", "forward"),
            ("redirected", "redirect"),
            ("redirects", "redirect"),
            ("mutations", "mutation"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} ~ {b}");
        }
        for (a, b) in [
            ("string", "str"),
            ("status", "statu"),
            ("class", "clas"),
            ("us", "u"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} !~ {b}");
        }
        assert!(is_stop_word("and") && !is_stop_word("all"));
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
