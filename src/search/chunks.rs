//! Term shard boundaries by content, so one added or removed term moves them only nearby.
//!
//! Terms are in sorted order. A term is *forced* to start a shard when a hash of it falls
//! below its share of a shard (`size / TERM_SHARD_BYTES`): about one boundary every
//! `TERM_SHARD_BYTES`, decided by the term alone. Between two forced terms (a *segment*)
//! shards are cut greedily when they reach `TERM_SHARD_MAX` bytes. So the shards of a
//! segment depend only on that segment's terms, and an update re-cuts just the segments
//! holding changed terms. A shard is named by a hash of its first term (`-<n>` added for
//! the n-th of several first terms with the same hash, in term order).

use super::format::{TERM_SHARD_BYTES, TERM_SHARD_MAX};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// Raw bytes a term adds to its shard (JSON quotes, colon and comma included).
pub fn entry_size(term: &str, postings: &str) -> usize {
    term.len() + postings.len() + 6
}

/// The hash deciding whether a term starts a shard.
pub fn term_hash(term: &str) -> u64 {
    let h = blake3::hash(term.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(b)
}

/// True when a term of this hash and entry size starts a shard whatever comes before it.
pub fn is_forced(hash: u64, size: usize) -> bool {
    u128::from(hash) * (TERM_SHARD_BYTES as u128) < (size as u128) << 64
}

fn base_name(term: &str) -> String {
    blake3::hash(term.as_bytes()).to_hex()[16..16 + NAME_HEX].to_string()
}

/// Hex chars of a shard name: 40 bits, so names rarely collide. Unit tests use one, so
/// nearly every shard shares its name with others and the numbering is well exercised.
const NAME_HEX: usize = if cfg!(test) { 1 } else { 10 };

/// Shard starts among `terms` (sorted; each with its entry size and whether it is
/// forced): the first term, each forced one, and where a shard reached `TERM_SHARD_MAX`.
pub fn cut<'t>(terms: impl Iterator<Item = (&'t str, usize, bool)>) -> Vec<&'t str> {
    let mut starts = Vec::new();
    let mut size = 0;
    for (term, term_size, forced) in terms {
        if starts.is_empty() || forced || size >= TERM_SHARD_MAX {
            starts.push(term);
            size = 0;
        }
        size += term_size;
    }
    starts
}

/// The shard starts of the whole index with their names.
#[derive(Debug, Default)]
pub struct Chunks {
    /// First term → shard name.
    starts: BTreeMap<String, String>,
    /// Forced terms.
    forced: BTreeSet<String>,
    /// Base name → the first terms that have it.
    names: HashMap<String, BTreeSet<String>>,
}

impl Chunks {
    pub fn set_forced(&mut self, term: &str, forced: bool) {
        if forced {
            if !self.forced.contains(term) {
                self.forced.insert(term.to_string());
            }
        } else {
            self.forced.remove(term);
        }
    }

    /// The segment holding `term`: from the last forced term at or before it (`None`:
    /// the leading segment) to the next forced term after that (exclusive; `None`: the end).
    pub fn segment(&self, term: &str) -> (Option<String>, Option<String>) {
        let start = self
            .forced
            .range::<str, _>((Bound::Unbounded, Bound::Included(term)))
            .next_back()
            .cloned();
        let end = match &start {
            Some(s) => self
                .forced
                .range::<str, _>((Bound::Excluded(s.as_str()), Bound::Unbounded))
                .next(),
            None => self.forced.iter().next(),
        };
        (start, end.cloned())
    }

    /// The first term of the shard holding `term`.
    pub fn start_of(&self, term: &str) -> Option<&str> {
        self.starts
            .range::<str, _>((Bound::Unbounded, Bound::Included(term)))
            .next_back()
            .map(|(s, _)| s.as_str())
    }

    /// The last shard start before `term`.
    pub fn start_before(&self, term: &str) -> Option<&str> {
        self.starts
            .range::<str, _>((Bound::Unbounded, Bound::Excluded(term)))
            .next_back()
            .map(|(s, _)| s.as_str())
    }

    /// The shard start after `start`.
    pub fn next_start(&self, start: &str) -> Option<&str> {
        self.starts
            .range::<str, _>((Bound::Excluded(start), Bound::Unbounded))
            .next()
            .map(|(s, _)| s.as_str())
    }

    pub fn name(&self, start: &str) -> Option<&str> {
        self.starts.get(start).map(String::as_str)
    }

    /// Shard starts in `[from, to)` (unbounded when `None`).
    pub fn starts_in(&self, from: Option<&str>, to: Option<&str>) -> Vec<String> {
        let lo = from.map_or(Bound::Unbounded, Bound::Included);
        let hi = to.map_or(Bound::Unbounded, Bound::Excluded);
        self.starts
            .range::<str, _>((lo, hi))
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// Removes a shard start; returns its name and the base names whose members changed.
    pub fn remove_start(&mut self, start: &str) -> Option<String> {
        let name = self.starts.remove(start)?;
        let base = base_name(start);
        if let Some(set) = self.names.get_mut(&base) {
            set.remove(start);
            if set.is_empty() {
                self.names.remove(&base);
            }
        }
        Some(name)
    }

    /// Adds a shard start, unnamed until `rename` (which settles collisions) names it.
    pub fn add_start(&mut self, start: &str) {
        self.names
            .entry(base_name(start))
            .or_default()
            .insert(start.to_string());
        self.starts.insert(start.to_string(), String::new());
    }

    /// Settles the names of the shards whose base name is `base_of(start)`; returns the
    /// starts whose name changed, with their old names (empty for a start just added).
    pub fn rename(&mut self, start: &str) -> Vec<(String, String)> {
        let base = base_name(start);
        let mut renamed = Vec::new();
        let Some(set) = self.names.get(&base) else {
            return renamed;
        };
        for (i, member) in set.iter().enumerate() {
            let name = if i == 0 {
                base.clone()
            } else {
                format!("{base}-{i}")
            };
            if let Some(old) = self.starts.get_mut(member) {
                if *old != name {
                    renamed.push((member.clone(), std::mem::replace(old, name)));
                }
            }
        }
        renamed
    }

    /// Every shard start and its name, in term order.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.starts.iter().map(|(s, n)| (s.as_str(), n.as_str()))
    }

    pub fn clear(&mut self) {
        *self = Chunks::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_forced_terms_and_full_shards() {
        let terms = [
            ("a", 10, false),
            ("b", TERM_SHARD_MAX, false),
            ("c", 10, false),
            ("d", 10, true),
            ("e", 10, false),
        ];
        assert_eq!(cut(terms.into_iter()), ["a", "c", "d"]);
        assert!(cut(std::iter::empty()).is_empty());
    }

    #[test]
    fn boundaries_come_about_once_per_shard_size() {
        let n = 20_000;
        let forced = (0..n)
            .filter(|i| is_forced(term_hash(&format!("term{i}")), 32))
            .count();
        let expected = n * 32 / TERM_SHARD_BYTES;
        assert!(forced > expected / 2 && forced < expected * 2, "{forced}");
        assert!(is_forced(u64::MAX, TERM_SHARD_BYTES));
    }

    #[test]
    fn colliding_names_are_numbered_in_term_order() {
        // Unit tests name shards with one hex char: 40 starts must collide.
        let terms: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let mut c = Chunks::default();
        for t in &terms {
            c.add_start(t);
        }
        assert_eq!(c.name("t0"), Some(""), "unnamed until renamed");
        for t in &terms {
            let renamed = c.rename(t);
            assert!(renamed.iter().all(|(s, _)| c.name(s).is_some()));
        }
        let names: BTreeSet<&str> = c.iter().map(|(_, n)| n).collect();
        assert_eq!(names.len(), 40);
        for (base, members) in &c.names {
            for (i, m) in members.iter().enumerate() {
                let want = if i == 0 {
                    base.clone()
                } else {
                    format!("{base}-{i}")
                };
                assert_eq!(c.name(m), Some(want.as_str()));
            }
        }
        // Removing the first of a base renumbers the rest, reporting their old names.
        let (base, first) = c
            .names
            .iter()
            .find(|(_, m)| m.len() > 1)
            .map(|(b, m)| (b.clone(), m.iter().next().unwrap().clone()))
            .unwrap();
        c.remove_start(&first);
        let renamed = c.rename(&first);
        assert!(renamed.iter().any(|(_, old)| *old == format!("{base}-1")));
    }
}
