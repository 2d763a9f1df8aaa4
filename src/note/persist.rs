//! serde helpers for the persisted form of the per-note types (the build cache,
//! `build::cache`): a blake3 hash as its 32 bytes, and front matter's free-form JSON values
//! as JSON text in binary formats, which cannot carry self-describing values. Human-readable
//! formats (templates, `--format json`) keep seeing the values themselves.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// `#[serde(with = "crate::note::persist::hash_bytes")]` on a `blake3::Hash`.
pub mod hash_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(hash: &blake3::Hash, s: S) -> Result<S::Ok, S::Error> {
        hash.as_bytes().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<blake3::Hash, D::Error> {
        <[u8; 32]>::deserialize(d).map(blake3::Hash::from_bytes)
    }
}

/// `#[serde(with = "crate::note::persist::json_map")]` on a map of JSON values.
pub mod json_map {
    use super::*;

    type Map = BTreeMap<String, serde_json::Value>;

    pub fn serialize<S: Serializer>(map: &Map, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            map.serialize(s)
        } else {
            serde_json::to_string(map)
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        if d.is_human_readable() {
            Map::deserialize(d)
        } else {
            let text = String::deserialize(d)?;
            serde_json::from_str(&text).map_err(serde::de::Error::custom)
        }
    }
}
