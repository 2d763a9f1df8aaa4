//! YAML front matter (`---` … `---`) → `FrontMatter`. The only module that knows YAML.
//!
//! Known keys are checked one by one so a wrong type names its key and line; unknown keys
//! are kept in `extra` for templates. Lenient where users are inconsistent: `tags` may be a
//! list or a comma-separated string, scalars may be numbers. Forgiving where collections
//! are sloppy: a field (or list item) of the wrong shape is dropped with a warning and the
//! note is still built; only YAML that does not parse skips the note.
//! Jekyll keys: `categories:` (a list; the first is the category), `intro:` (Markdown
//! shown under the title).
//!
//! Hostile input is bounded before YAML sees it: front matter over `MAX_BYTES` or nested
//! deeper than `MAX_DEPTH` is rejected with its position (deep flow nesting makes the YAML
//! parser super-linear). Dates are validated here, so every later stage (pages, feed,
//! sitemap) only ever sees a date that parses.

use crate::diagnostics::Pos;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub keywords: Vec<String>,
    pub aliases: Vec<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub slug: Option<String>,
    pub date: Option<String>,
    pub updated: Option<String>,
    /// Jekyll `categories:` beyond the first (which becomes `category`).
    pub categories: Vec<String>,
    /// Markdown shown under the title (Jekyll/devhints `intro:`).
    pub intro: Option<String>,
    /// Jekyll `redirect_to:`: the note is a redirect stub to this URL.
    pub redirect_to: Option<String>,
    #[serde(with = "crate::note::persist::json_map")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A front matter problem at a position in the note.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterError {
    pub pos: Pos,
    pub message: String,
}

/// Largest front matter block accepted (bytes between the `---` lines).
pub const MAX_BYTES: usize = 64 * 1024;
/// Deepest nesting of lists and mappings accepted in front matter.
pub const MAX_DEPTH: usize = 64;

/// The note split into front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    pub front_matter: FrontMatter,
    /// Problems that do not stop the note (the field is dropped), e.g. an invalid date.
    pub warnings: Vec<FrontMatterError>,
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: u32,
}

/// Splits and parses front matter. A note without a leading `---` line has none.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let Some(after_open) = strip_delimiter_line(text) else {
        return Ok(Split {
            front_matter: FrontMatter::default(),
            warnings: Vec::new(),
            body: text,
            body_line: 1,
        });
    };
    // Find the closing `---` (or `...`) line.
    let mut offset = text.len() - after_open.len();
    let mut line_no = 2u32;
    let mut close = None;
    for line in after_open.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
        line_no += 1;
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(FrontMatterError {
            pos: Pos::new(1, 1),
            message: "front matter starts with `---` but has no closing `---` line".into(),
        });
    };
    let yaml = &text[text.len() - after_open.len()..yaml_end];
    check_limits(yaml)?;
    let mut warnings = Vec::new();
    let front_matter = parse_yaml(yaml, &mut warnings)?;
    Ok(Split {
        front_matter,
        warnings,
        body: &text[body_start..],
        body_line: line_no + 1,
    })
}

fn strip_delimiter_line(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
}

/// Line of the YAML's first line in the file (after the opening `---`).
const FIRST_LINE: u32 = 2;

/// Rejects front matter too large or too deeply nested to parse in bounded time.
fn check_limits(yaml: &str) -> Result<(), FrontMatterError> {
    if yaml.len() > MAX_BYTES {
        return Err(FrontMatterError {
            pos: Pos::new(FIRST_LINE, 1),
            message: format!(
                "front matter is {} KiB, more than the {} KiB limit",
                yaml.len().div_ceil(1024),
                MAX_BYTES / 1024
            ),
        });
    }
    // Flow nesting (`[[[`, `{{{`) outside quoted strings; block nesting is bounded by the
    // size limit and is linear for the parser.
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (line_no, line) in yaml.lines().enumerate() {
        let mut prev = ' ';
        for (col, ch) in line.char_indices() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if matches!(prev, ' ' | '[' | '{' | ',' | ':') => {
                    quote = Some(ch)
                }
                (None, '#') if prev == ' ' => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = ch;
            if depth > MAX_DEPTH {
                return Err(FrontMatterError {
                    pos: Pos::new(
                        FIRST_LINE + line_no as u32,
                        line[..col].chars().count() as u32 + 1,
                    ),
                    message: format!("front matter is nested more than {MAX_DEPTH} levels deep"),
                });
            }
        }
    }
    Ok(())
}

/// `yaml` starts on line 2 of the file.
fn parse_yaml(
    yaml: &str,
    warnings: &mut Vec<FrontMatterError>,
) -> Result<FrontMatter, FrontMatterError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: Value = serde_yaml::from_str(yaml).map_err(|e| {
        let message = strip_location(&e.to_string());
        // serde_yaml places a duplicate key at the start of its mapping; point at the
        // repeated key itself.
        let duplicate = message
            .strip_prefix("duplicate entry with key ")
            .and_then(|k| serde_yaml::from_str::<String>(k).ok())
            .and_then(|key| nth_key_pos(yaml, &key, 1));
        let pos = duplicate.unwrap_or_else(|| {
            e.location().map_or(Pos::new(FIRST_LINE, 1), |l| {
                Pos::new(l.line() as u32 + FIRST_LINE - 1, l.column() as u32)
            })
        });
        FrontMatterError {
            pos,
            message: format!("invalid YAML front matter: {message}"),
        }
    })?;
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => return Ok(FrontMatter::default()),
        other => {
            return Err(FrontMatterError {
                pos: Pos::new(FIRST_LINE, 1),
                message: format!(
                    "front matter must be a mapping of `key: value` lines, found {}",
                    kind(&other)
                ),
            })
        }
    };
    let mut fm = FrontMatter::default();
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_string) else {
            continue;
        };
        if let Err(e) = apply_key(&mut fm, &key, value, yaml, warnings) {
            // Wrong shape: drop the field, keep the note.
            warnings.push(FrontMatterError {
                message: format!("{}; field ignored", e.message),
                ..e
            });
        }
    }
    if fm.category.is_none() && !fm.categories.is_empty() {
        fm.category = Some(fm.categories.remove(0));
    }
    Ok(fm)
}

/// Reads one known key into `fm` (unknown keys go to `extra`).
fn apply_key(
    fm: &mut FrontMatter,
    key: &str,
    value: Value,
    yaml: &str,
    warnings: &mut Vec<FrontMatterError>,
) -> Result<(), FrontMatterError> {
    let key = key.to_string();
    let err = |message: String| FrontMatterError {
        pos: key_pos(yaml, &key, FIRST_LINE),
        message,
    };
    {
        match key.as_str() {
            "title" => {
                fm.title = scalar(&value).ok_or_else(|| err(expect(&key, "a string", &value)))?
            }
            "description" => {
                fm.description =
                    scalar(&value).ok_or_else(|| err(expect(&key, "a string", &value)))?
            }
            "category" => {
                fm.category = scalar(&value).ok_or_else(|| err(expect(&key, "a string", &value)))?
            }
            "slug" => {
                fm.slug = scalar(&value).ok_or_else(|| err(expect(&key, "a string", &value)))?
            }
            "date" | "updated" => {
                let raw =
                    scalar(&value).ok_or_else(|| err(expect(&key, "a date string", &value)))?;
                let valid = raw.filter(|d| {
                    let ok = parse_date(d).is_some();
                    if !ok {
                        warnings.push(FrontMatterError {
                            pos: value_pos(yaml, &key),
                            message: format!(
                                "front matter `{key}` is not a date ({d:?}); expected \
                                 YYYY-MM-DD or an RFC 3339 timestamp, the date is ignored"
                            ),
                        });
                    }
                    ok
                });
                if key == "date" {
                    fm.date = valid;
                } else {
                    fm.updated = valid;
                }
            }
            "tags" => {
                fm.tags = string_list(&value).ok_or_else(|| {
                    err(expect(
                        &key,
                        "a list of strings or a comma-separated string",
                        &value,
                    ))
                })?
            }
            "keywords" => {
                fm.keywords = string_list(&value).ok_or_else(|| {
                    err(expect(
                        &key,
                        "a list of strings or a comma-separated string",
                        &value,
                    ))
                })?
            }
            "aliases" => {
                fm.aliases = string_list(&value)
                    .ok_or_else(|| err(expect(&key, "a list of strings", &value)))?
            }
            "weight" => {
                fm.weight = match &value {
                    Value::Null => None,
                    Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
                    _ => return Err(err(expect(&key, "an integer", &value))),
                }
            }
            "draft" => {
                fm.draft = match &value {
                    Value::Bool(b) => *b,
                    Value::Null => false,
                    _ => return Err(err(expect(&key, "true or false", &value))),
                }
            }
            "redirect_to" => {
                // jekyll-redirect-from allows a list; the first entry is where it goes.
                let first = match &value {
                    Value::Sequence(seq) => seq.first().cloned().unwrap_or(Value::Null),
                    _ => value.clone(),
                };
                fm.redirect_to = scalar(&first).ok_or_else(|| err(expect(&key, "a URL", &value)))?
            }
            "intro" => {
                fm.intro = scalar(&value).ok_or_else(|| err(expect(&key, "a string", &value)))?
            }
            "categories" => {
                // Also kept whole for templates (`page.extra.categories`) to list them all.
                fm.extra.insert(
                    key.clone(),
                    serde_json::to_value(&value).unwrap_or(serde_json::Value::Null),
                );
                fm.categories = string_list(&value).ok_or_else(|| {
                    err(expect(
                        &key,
                        "a list of strings or a comma-separated string",
                        &value,
                    ))
                })?
            }
            _ => {
                let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
                fm.extra.insert(key, json);
            }
        }
    }
    Ok(())
}

fn expect(key: &str, what: &str, found: &Value) -> String {
    format!("front matter `{key}` must be {what}, found {}", kind(found))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// `Some(None)` for null/empty, `Some(Some(s))` for a scalar, `None` for a wrong type.
fn scalar(v: &Value) -> Option<Option<String>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        // YAML escapes (`"\0"`) can produce a NUL the file itself did not hold.
        Value::String(s) => Some(Some(s.trim().replace('\0', "\u{fffd}"))),
        Value::Number(n) => Some(Some(n.to_string())),
        Value::Bool(b) => Some(Some(b.to_string())),
        _ => None,
    }
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    let items: Vec<String> = match v {
        Value::Null => Vec::new(),
        Value::String(s) => s.split(',').map(|t| t.trim().to_string()).collect(),
        Value::Sequence(seq) => {
            // An empty item (`  -`) is dropped; a nested list or mapping makes it the
            // wrong shape.
            let mut out = Vec::new();
            for item in seq {
                if let Some(s) = scalar(item)? {
                    out.push(s);
                }
            }
            out
        }
        _ => return None,
    };
    Some(items.into_iter().filter(|s| !s.is_empty()).collect())
}

/// A front matter date as an RFC 3339 timestamp: `2026-01-02` (midnight UTC),
/// `2026-01-02 10:00[:00]` (UTC) or a full RFC 3339 timestamp. `None` when it is not a
/// real date.
pub fn parse_date(raw: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let raw = raw.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(raw) {
        return Some(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    let naive = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        })?;
    Some(
        naive
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

/// Line of `key:` at the start of a line in the YAML (for type errors, which the YAML
/// value no longer knows the position of).
fn key_pos(yaml: &str, key: &str, first_line: u32) -> Pos {
    debug_assert_eq!(first_line, FIRST_LINE);
    nth_key_pos(yaml, key, 0).unwrap_or(Pos::new(first_line, 1))
}

/// Position of the `n`th (0-based) top-level `key:` line.
fn nth_key_pos(yaml: &str, key: &str, n: usize) -> Option<Pos> {
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| {
            let unquoted = line.trim_start_matches(['"', '\'']);
            unquoted.starts_with(key)
                && unquoted[key.len()..]
                    .trim_start_matches(['"', '\''])
                    .starts_with(':')
        })
        .nth(n)
        .map(|(i, _)| Pos::new(FIRST_LINE + i as u32, 1))
}

/// Position of the value after `key:` (for messages about the value).
fn value_pos(yaml: &str, key: &str) -> Pos {
    let pos = key_pos(yaml, key, FIRST_LINE);
    let line = yaml
        .lines()
        .nth((pos.line - FIRST_LINE) as usize)
        .unwrap_or("");
    let column = line.find(':').map_or(1, |colon| {
        let after = &line[colon + 1..];
        let value_at = colon + 1 + (after.len() - after.trim_start().len());
        line[..value_at].chars().count() as u32 + 1
    });
    Pos::new(pos.line, column)
}

fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests;
