//! YAML front matter (`---` … `---`) → `FrontMatter`. The only module that knows YAML.
//!
//! Known keys are checked one by one so a wrong type names its key and line; unknown keys
//! are kept in `extra` for templates. Lenient where users are inconsistent: `tags` may be a
//! list or a comma-separated string, scalars may be numbers.

use crate::diagnostics::Pos;
use serde::Serialize;
use serde_yaml::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A front matter problem at a position in the note.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatterError {
    pub pos: Pos,
    pub message: String,
}

/// The note split into front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    pub front_matter: FrontMatter,
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: u32,
}

/// Splits and parses front matter. A note without a leading `---` line has none.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let Some(after_open) = strip_delimiter_line(text) else {
        return Ok(Split {
            front_matter: FrontMatter::default(),
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
    let front_matter = parse_yaml(yaml)?;
    Ok(Split {
        front_matter,
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

/// `yaml` starts on line 2 of the file.
fn parse_yaml(yaml: &str) -> Result<FrontMatter, FrontMatterError> {
    const FIRST_LINE: u32 = 2;
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let value: Value = serde_yaml::from_str(yaml).map_err(|e| {
        let (line, column) = e.location().map_or((FIRST_LINE, 1), |l| {
            (l.line() as u32 + FIRST_LINE - 1, l.column() as u32)
        });
        FrontMatterError {
            pos: Pos::new(line, column),
            message: format!(
                "invalid YAML front matter: {}",
                strip_location(&e.to_string())
            ),
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
        let err = |message: String| FrontMatterError {
            pos: key_pos(yaml, &key, FIRST_LINE),
            message,
        };
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
            "date" => {
                fm.date =
                    scalar(&value).ok_or_else(|| err(expect(&key, "a date string", &value)))?
            }
            "updated" => {
                fm.updated =
                    scalar(&value).ok_or_else(|| err(expect(&key, "a date string", &value)))?
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
            _ => {
                let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
                fm.extra.insert(key, json);
            }
        }
    }
    Ok(fm)
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
        Value::String(s) => Some(Some(s.trim().to_string())),
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
            let mut out = Vec::new();
            for item in seq {
                out.push(scalar(item)??);
            }
            out
        }
        _ => return None,
    };
    Some(items.into_iter().filter(|s| !s.is_empty()).collect())
}

/// Line of `key:` at the start of a line in the YAML (for type errors, which the YAML
/// value no longer knows the position of).
fn key_pos(yaml: &str, key: &str, first_line: u32) -> Pos {
    for (i, line) in yaml.lines().enumerate() {
        let unquoted = line.trim_start_matches(['"', '\'']);
        if unquoted.starts_with(key)
            && unquoted[key.len()..]
                .trim_start_matches(['"', '\''])
                .starts_with(':')
        {
            return Pos::new(first_line + i as u32, 1);
        }
    }
    Pos::new(first_line, 1)
}

fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n").unwrap();
        assert_eq!(s.body, "# Title\n");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn full_front_matter() {
        let text =
            "---\ntitle: Git\ntags: a, b\nkeywords: [x, 2]\nweight: 3\nicon: git\n---\nBody\n";
        let s = split(text).unwrap();
        let fm = s.front_matter;
        assert_eq!(fm.title.as_deref(), Some("Git"));
        assert_eq!(fm.tags, vec!["a", "b"]);
        assert_eq!(fm.keywords, vec!["x", "2"]);
        assert_eq!(fm.weight, Some(3));
        assert_eq!(fm.extra["icon"], serde_json::json!("git"));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 8);
    }

    #[test]
    fn crlf_front_matter() {
        let s = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(s.front_matter.title.as_deref(), Some("A"));
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn bad_yaml_has_file_line() {
        let e = split("---\ntitle: ok\ntags: [a, b\n---\n").unwrap_err();
        assert!(e.pos.line >= 3, "{e:?}");
        assert!(e.message.contains("invalid YAML"));
    }

    #[test]
    fn wrong_type_names_key_line() {
        let e = split("---\ntitle: ok\ndraft: maybe\n---\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 1));
        assert!(e.message.contains("`draft`"));
    }

    #[test]
    fn not_a_mapping() {
        let e = split("---\n- a\n- b\n---\n").unwrap_err();
        assert!(e.message.contains("mapping"));
    }

    #[test]
    fn unterminated() {
        let e = split("---\ntitle: x\n\n# Body\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(1, 1));
        assert!(e.message.contains("closing"));
    }
}
