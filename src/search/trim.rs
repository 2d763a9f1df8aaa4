//! "Common term" trimming: a pure function of a term's postings and the doc count, so
//! the incremental index can recompute it for just the terms whose result can change.

use super::format::{common_limit, very_common_limit, F_CODE, F_PROSE};

/// Drops the postings of a common term that carry no signal but dominate the download
/// (see `common_limit`, `very_common_limit`); true when the term is common, so its list
/// gets marked.
pub fn trim_common(list: &mut Vec<(u32, u8)>, docs: usize) -> bool {
    let limit = common_limit(docs);
    if list.len() > very_common_limit(docs) {
        // Its first code-only postings top its name postings up to a quarter of the
        // limit, so a term found (mostly) in code still finds cards, at a bounded size.
        // Only a term with few name postings keeps any: for the others, every card's code
        // match is dropped alike, so no card gains from its place in the index.
        let names = list
            .iter()
            .filter(|&&(_, m)| m & !(F_PROSE | F_CODE) != 0)
            .count();
        let mut code_room = (limit / CODE_KEPT_SHARE).saturating_sub(names);
        list.retain(|&(_, m)| {
            if m & !(F_PROSE | F_CODE) != 0 {
                true
            } else if m & F_CODE != 0 && code_room > 0 {
                code_room -= 1;
                true
            } else {
                false
            }
        });
        true
    } else if list.len() > limit {
        list.retain(|&(_, m)| m & !F_PROSE != 0);
        true
    } else {
        false
    }
}

/// Postings a very common term keeps at least (names first, then code-only): a quarter
/// of the common limit.
const CODE_KEPT_SHARE: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::format::{F_CARD, F_CODE, F_MEMBER, F_META, F_PROSE};

    /// `n` postings, one per doc, all with `mask`, starting at doc `from`.
    fn run(from: u32, n: u32, mask: u8) -> Vec<(u32, u8)> {
        (from..from + n).map(|d| (d, mask)).collect()
    }

    #[test]
    fn a_rare_term_keeps_every_posting() {
        let mut list = run(0, 400, F_PROSE);
        assert!(!trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 400);
    }

    #[test]
    fn a_common_term_loses_its_prose_only_postings() {
        // 10k docs: common above 500 entries, very common above 2,000.
        let mut list = run(0, 100, F_CARD);
        list.extend(run(100, 600, F_CODE));
        list.extend(run(700, 600, F_PROSE));
        assert!(trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 700);
        assert!(list.iter().all(|&(_, m)| m != F_PROSE));
    }

    #[test]
    fn a_very_common_term_keeps_its_names_and_a_few_code_postings() {
        let mut list = run(0, 100, F_CARD | F_CODE);
        list.extend(run(100, 50, F_MEMBER));
        list.extend(run(150, 2_400, F_CODE));
        list.extend(run(2_550, 100, F_PROSE | F_CODE));
        list.extend(run(2_650, 300, F_PROSE));
        assert!(trim_common(&mut list, 10_000));
        // 150 name postings are more than a quarter of the limit (125): no code-only ones.
        assert_eq!(list.len(), 150);
        assert_eq!(list.last(), Some(&(149, F_MEMBER)));
    }

    #[test]
    fn a_very_common_term_with_few_names_is_topped_up_with_code() {
        let mut list = run(0, 2_400, F_CODE);
        list.extend(run(2_400, 25, F_META));
        assert!(trim_common(&mut list, 10_000));
        // The first 100 code-only postings, then the 25 names: 125 in all.
        assert_eq!(list.len(), 125);
        assert_eq!(list[99], (99, F_CODE));
        assert_eq!(list[100], (2_400, F_META));
    }

    #[test]
    fn a_very_common_term_only_in_code_still_finds_cards() {
        let mut list = run(0, 3_000, F_CODE);
        assert!(trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 125);
    }
}
