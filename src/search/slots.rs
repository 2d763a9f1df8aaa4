//! Which slot each sheet owns: the high bits of its entries' doc ids (`format::doc_id`).
//!
//! An open-addressing table with linear probing and Robin Hood ordering: a sheet's home
//! slot is a hash of its key, and within a run of occupied slots sheets sit in order of
//! (home, key). That layout depends only on the set of keys, not on the order they came
//! in (so any sequence of updates ends where a clean build starts), and an insert or a
//! removal moves only the sheets after it in its run — usually none. The table size is a
//! function of the sheet count alone (`size_for`); when it changes, every sheet moves.

use super::format::MAX_SLOTS;

/// Slots of a table for `sheets` sheets: a power of two, at most a quarter full. A moved
/// sheet rewrites every file holding its terms: on 1,000 generated notes a sheet removed or
/// added rewrote a median of 351 index files with the table half full, 301 a quarter full
/// (where 2 of 20 removals moved another sheet). Sparser slots cost one bit per posting
/// that starts a new sheet.
pub fn size_for(sheets: usize) -> usize {
    sheets
        .saturating_mul(4)
        .checked_next_power_of_two()
        .unwrap_or(MAX_SLOTS)
        .clamp(MIN_SLOTS, MAX_SLOTS)
}
const MIN_SLOTS: usize = 16;

/// A sheet that changed slot (`from` is `None` for the inserted sheet, `to` is `None`
/// for the removed one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub key: String,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct SlotTable {
    /// Per slot: the sheet's home hash and key.
    slots: Vec<Option<(u64, String)>>,
    len: usize,
}

/// The stable hash a key's home slot comes from.
fn home_hash(key: &str) -> u64 {
    let h = blake3::hash(key.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(b)
}

impl SlotTable {
    /// An empty table sized for `sheets` sheets.
    pub fn with_capacity_for(sheets: usize) -> SlotTable {
        SlotTable {
            slots: vec![None; size_for(sheets)],
            len: 0,
        }
    }

    pub fn size(&self) -> usize {
        self.slots.len()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// How far slot `at` is from `hash`'s home slot, wrapping around the end.
    fn distance(&self, hash: u64, at: usize) -> usize {
        at.wrapping_sub(hash as usize) & self.mask()
    }

    pub fn slot_of(&self, key: &str) -> Option<u32> {
        let hash = home_hash(key);
        let mut at = hash as usize & self.mask();
        for dist in 0..self.slots.len() {
            match &self.slots[at] {
                None => return None,
                Some((h, k)) => {
                    if k == key {
                        return Some(at as u32);
                    }
                    // Robin Hood: past a sheet closer to its home, `key` cannot be.
                    if self.distance(*h, at) < dist {
                        return None;
                    }
                }
            }
            at = (at + 1) & self.mask();
        }
        None
    }

    /// Inserts `key` (absent, and the table not full); returns every sheet that moved,
    /// the new one included. A full table inserts nothing.
    pub fn insert(&mut self, key: &str) -> Vec<Move> {
        let mut moves = Vec::new();
        if self.len >= self.slots.len() {
            return moves;
        }
        let mut carry = (home_hash(key), key.to_string());
        let mut from: Option<u32> = None;
        let mask = self.mask();
        let mut at = carry.0 as usize & mask;
        let mut dist = 0;
        loop {
            match &mut self.slots[at] {
                empty @ None => {
                    moves.push(Move {
                        key: carry.1.clone(),
                        from,
                        to: Some(at as u32),
                    });
                    *empty = Some(carry);
                    self.len += 1;
                    return moves;
                }
                Some(occupant) => {
                    let theirs = at.wrapping_sub(occupant.0 as usize) & mask;
                    // Order within a run: home slot, then key — so the layout is the same
                    // whatever order keys came in.
                    if theirs < dist || (theirs == dist && occupant.1 > carry.1) {
                        moves.push(Move {
                            key: carry.1.clone(),
                            from,
                            to: Some(at as u32),
                        });
                        std::mem::swap(occupant, &mut carry);
                        from = Some(at as u32);
                        dist = theirs;
                    }
                }
            }
            at = (at + 1) & mask;
            dist += 1;
        }
    }

    /// Removes `key` if present; returns every sheet that moved, the removed one included.
    pub fn remove(&mut self, key: &str) -> Vec<Move> {
        let Some(slot) = self.slot_of(key) else {
            return Vec::new();
        };
        let mut at = slot as usize;
        self.slots[at] = None;
        self.len -= 1;
        let mut moves = vec![Move {
            key: key.to_string(),
            from: Some(slot),
            to: None,
        }];
        // Backward shift: the sheets after it in its run step back towards their homes.
        loop {
            let next = (at + 1) & self.mask();
            let shift = match &self.slots[next] {
                Some((h, _)) => self.distance(*h, next) > 0,
                None => false,
            };
            if !shift {
                return moves;
            }
            let entry = self.slots[next].take();
            if let Some((_, k)) = &entry {
                moves.push(Move {
                    key: k.clone(),
                    from: Some(next as u32),
                    to: Some(at as u32),
                });
            }
            self.slots[at] = entry;
            at = next;
        }
    }

    /// The key in `slot`, if any.
    pub fn key_at(&self, slot: u32) -> Option<&str> {
        self.slots
            .get(slot as usize)?
            .as_ref()
            .map(|(_, k)| k.as_str())
    }

    /// Every (slot, key), in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|(_, k)| (i as u32, k.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(t: &SlotTable) -> Vec<(u32, String)> {
        t.iter().map(|(s, k)| (s, k.to_string())).collect()
    }

    #[test]
    fn the_layout_does_not_depend_on_insertion_order() {
        let keys: Vec<String> = (0..7).map(|i| format!("/sheet-{i}/")).collect();
        let mut a = SlotTable::with_capacity_for(7);
        let mut b = SlotTable::with_capacity_for(7);
        for k in &keys {
            a.insert(k);
        }
        for k in keys.iter().rev() {
            b.insert(k);
        }
        assert_eq!(layout(&a), layout(&b));
        for k in &keys {
            assert!(a.slot_of(k).is_some(), "{k}");
        }
    }

    #[test]
    fn a_full_run_of_collisions_stays_canonical_through_removals() {
        // A 16-slot table filled to the brim: long runs, wrap-around, many collisions.
        let keys: Vec<String> = (0..16).map(|i| format!("k{i}")).collect();
        let mut a = SlotTable::with_capacity_for(1);
        assert_eq!(a.size(), 16);
        for k in &keys {
            a.insert(k);
        }
        assert_eq!(a.len(), 16);
        assert!(a.insert("one too many").is_empty());
        for k in keys.iter().step_by(3) {
            let moves = a.remove(k);
            assert_eq!(moves[0].to, None);
        }
        let mut b = SlotTable::with_capacity_for(1);
        for k in keys
            .iter()
            .rev()
            .filter(|k| !keys.iter().step_by(3).any(|r| r == *k))
        {
            b.insert(k);
        }
        assert_eq!(layout(&a), layout(&b));
        for (slot, key) in layout(&a) {
            assert_eq!(a.slot_of(&key), Some(slot));
        }
        assert_eq!(a.slot_of("k0"), None);
    }

    #[test]
    fn moves_report_every_shifted_sheet() {
        let mut t = SlotTable::with_capacity_for(4);
        let mut at: std::collections::BTreeMap<String, u32> = Default::default();
        for i in 0..12 {
            for m in t.insert(&format!("s{i}")) {
                assert_eq!(m.from, m.from.and(at.get(&m.key).copied()));
                at.insert(m.key, m.to.unwrap());
            }
        }
        for (slot, key) in layout(&t) {
            assert_eq!(at[&key], slot);
        }
        for i in (0..12).step_by(2) {
            for m in t.remove(&format!("s{i}")) {
                match m.to {
                    Some(to) => at.insert(m.key, to),
                    None => at.remove(&m.key),
                };
            }
        }
        assert_eq!(at.len(), 6);
        for (slot, key) in layout(&t) {
            assert_eq!(at[&key], slot);
        }
    }

    #[test]
    fn sizes_follow_the_sheet_count() {
        assert_eq!(size_for(0), 16);
        assert_eq!(size_for(1000), 4096);
        assert_eq!(size_for(1025), 8192);
        assert_eq!(size_for(usize::MAX / 4), MAX_SLOTS);
        assert_eq!(size_for(usize::MAX), MAX_SLOTS);
    }
}
