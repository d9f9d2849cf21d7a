//! Core values in contract storage, split into cells pallet-revive accepts.
//!
//! pallet-revive 0.20.2 refuses (traps on) any storage value longer than
//! 416 bytes (`limits::STORAGE_BYTES`). Core values are longer: one rolling
//! window alone is 224 bytes, an `AssetFlow` with its elastic buffer is
//! over 600, a `Proposal` may carry 4 KiB of call input and a `Multisig`
//! 50 owners. Under ink! 5 each was one packed cell. Here each value is
//! SCALE-encoded, prefixed with its compact length, and cut into cells of
//! [`CHUNK_BYTES`] bytes, stored under `(key, 0)`, `(key, 1)`, ... of a
//! [`Chunks`] mapping (a `Vec<u8>` of at most 400 bytes encodes in 402).
//! A value that shrinks gives its surplus cells back (and their deposit).
//!
//! Only this module writes these cells, each value whole within one call,
//! so a value that does not decode cannot occur; reading one traps, as
//! ink!'s own `Mapping::get` does on an undecodable cell.

use alloc::vec::Vec;
use ink::storage::traits::{AutoKey, StorageKey};
use ink::storage::Mapping;
use scale::{Compact, Decode, DecodeAll, Encode, EncodeLike};

/// Payload bytes per storage cell (pallet-revive's limit is 416 per value).
pub const CHUNK_BYTES: usize = 400;

/// The cells of core values keyed by `K`: `(key, i)` holds the `i`-th chunk.
/// (`S` is the storage key ink!'s `#[ink(storage)]` resolves for the field.)
pub type Chunks<K, S = AutoKey> = Mapping<(K, u32), Vec<u8>, S>;

/// The value stored under `key`, if any.
pub fn load<K, T, S: StorageKey>(cells: &Chunks<K, S>, key: K) -> Option<T>
where
    K: Encode + EncodeLike + Copy,
    T: Decode,
{
    let first = cells.get((key, 0u32))?;
    let (len, head) = header(&first).unwrap_or_else(|| corrupt());
    let mut bytes = first;
    for i in 1..chunk_count(len, head) {
        match cells.get((key, i)) {
            Some(more) => bytes.extend_from_slice(&more),
            None => corrupt(),
        }
    }
    let body = bytes.get(head..).filter(|b| b.len() == len).unwrap_or_else(|| corrupt());
    match T::decode_all(&mut &body[..]) {
        Ok(value) => Some(value),
        Err(_) => corrupt(),
    }
}

/// Whether a value is stored under `key`.
pub fn exists<K, S: StorageKey>(cells: &Chunks<K, S>, key: K) -> bool
where
    K: Encode + EncodeLike + Copy,
{
    cells.get((key, 0u32)).is_some()
}

/// Stores `value` under `key`, replacing (and cleaning up after) any
/// earlier value.
pub fn save<K, T, S: StorageKey>(cells: &mut Chunks<K, S>, key: K, value: &T)
where
    K: Encode + EncodeLike + Copy,
    T: Encode,
{
    let old = stored_chunks(cells, key);
    let body = value.encode();
    // A usize always fits a u64 (no platform has wider pointers).
    let mut bytes = Compact(u64::try_from(body.len()).unwrap_or(u64::MAX)).encode();
    bytes.extend_from_slice(&body);
    let mut new = 0u32;
    for piece in bytes.chunks(CHUNK_BYTES) {
        cells.insert((key, new), &piece.to_vec());
        new = new.saturating_add(1);
    }
    for i in new..old {
        cells.remove((key, i));
    }
}

/// Removes the value stored under `key` (nothing if there is none).
pub fn remove<K, S: StorageKey>(cells: &mut Chunks<K, S>, key: K)
where
    K: Encode + EncodeLike + Copy,
{
    for i in 0..stored_chunks(cells, key) {
        cells.remove((key, i));
    }
}

/// How many cells the value under `key` occupies (0 if none).
fn stored_chunks<K, S: StorageKey>(cells: &Chunks<K, S>, key: K) -> u32
where
    K: Encode + EncodeLike + Copy,
{
    match cells.get((key, 0u32)) {
        None => 0,
        Some(first) => match header(&first) {
            Some((len, head)) => chunk_count(len, head),
            None => corrupt(),
        },
    }
}

/// The value's length and the length of its compact prefix.
fn header(first: &[u8]) -> Option<(usize, usize)> {
    let mut input = first;
    let Compact(len) = Compact::<u64>::decode(&mut input).ok()?;
    let head = first.len().checked_sub(input.len())?;
    Some((usize::try_from(len).ok()?, head))
}

/// Cells a value of `len` bytes behind a `head`-byte prefix takes.
fn chunk_count(len: usize, head: usize) -> u32 {
    let total = len.saturating_add(head);
    u32::try_from(total.div_ceil(CHUNK_BYTES)).unwrap_or(u32::MAX)
}

/// Storage this module wrote does not read back: impossible (see the module
/// documentation). Traps, like ink!'s own storage reads.
#[cold]
fn corrupt() -> ! {
    panic!("bulwark_ink::store: a stored core value does not decode")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// pallet-revive 0.20.2's `limits::STORAGE_BYTES`.
    const REVIVE_STORAGE_BYTES: usize = 416;

    #[ink::test]
    fn values_round_trip_in_cells_revive_accepts() {
        let mut cells: Chunks<u8> = Mapping::default();
        assert_eq!(load::<_, Vec<u8>, _>(&cells, 1), None);
        assert!(!exists(&cells, 1));
        for len in [0usize, 1, 397, 398, 399, 400, 401, 5_000, 12_345] {
            let value: Vec<u8> = (0..len).map(|i| i as u8).collect();
            save(&mut cells, 1, &value);
            assert_eq!(load::<_, Vec<u8>, _>(&cells, 1), Some(value.clone()), "length {len}");
            let n = stored_chunks(&cells, 1);
            let stream = value.encode().len() + Compact(value.encode().len() as u64).encode().len();
            assert_eq!(n as usize, stream.div_ceil(CHUNK_BYTES));
            for i in 0..n {
                let cell = cells.get((1, i)).expect("every chunk stored");
                assert!(cell.encode().len() <= REVIVE_STORAGE_BYTES, "cell {i} of length {len}");
            }
            assert_eq!(cells.get((1, n)), None, "no cell beyond the value");
        }
        assert_eq!(load::<_, Vec<u8>, _>(&cells, 2), None, "keys are apart");
    }

    #[ink::test]
    fn a_shrinking_value_gives_its_surplus_cells_back_and_remove_clears_all() {
        let mut cells: Chunks<(u32, [u8; 32])> = Mapping::default();
        let key = (7, [9; 32]);
        save(&mut cells, key, &vec![1u8; 2_000]);
        assert_eq!(stored_chunks(&cells, key), 6);
        save(&mut cells, key, &vec![2u8; 10]);
        assert_eq!(stored_chunks(&cells, key), 1);
        for i in 1..6 {
            assert_eq!(cells.get((key, i)), None, "cell {i} given back");
        }
        assert_eq!(load::<_, Vec<u8>, _>(&cells, key), Some(vec![2u8; 10]));
        remove(&mut cells, key);
        assert_eq!(cells.get((key, 0)), None);
        assert!(!exists(&cells, key));
        remove(&mut cells, key);
    }
}
