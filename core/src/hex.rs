//! `0x`-prefixed hex for fixed byte arrays (accounts, selectors), so
//! parameter files read the way Substrate tools print these values.

use alloc::string::String;

/// Parses `0x` followed by exactly `2·N` hex digits.
pub fn parse<const N: usize>(s: &str) -> Option<[u8; N]> {
    let digits = s.strip_prefix("0x")?.as_bytes();
    if digits.len() != N.checked_mul(2)? {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        *byte = u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()?;
    }
    Some(out)
}

/// Formats bytes as `0x` followed by lowercase hex.
pub fn format(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len().saturating_mul(2).saturating_add(2));
    s.push_str("0x");
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from(DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0')));
        }
    }
    s
}

#[cfg(feature = "serde")]
fn not_hex<E: serde::de::Error>(s: &str, bytes: usize) -> E {
    E::custom(alloc::format!("{s:?} is not 0x followed by {bytes} bytes in hex"))
}

/// `#[serde(with = "crate::hex::array")]` for `[u8; N]`.
#[cfg(feature = "serde")]
pub mod array {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
        let s = alloc::string::String::deserialize(d)?;
        super::parse(&s).ok_or_else(|| super::not_hex::<D::Error>(&s, N))
    }
}

/// `#[serde(with = "crate::hex::list")]` for `Vec<[u8; N]>`.
#[cfg(feature = "serde")]
pub mod list {
    use alloc::{string::String, vec::Vec};
    use serde::{ser::SerializeSeq, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(v: &[[u8; N]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for item in v {
            seq.serialize_element(&super::format(item))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<Vec<[u8; N]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| super::parse(s).ok_or_else(|| super::not_hex::<D::Error>(s, N)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_rejects_bad_input() {
        let bytes = [0xde, 0xad, 0x00, 0x0f];
        assert_eq!(super::format(&bytes), "0xdead000f");
        assert_eq!(super::parse::<4>("0xdead000f"), Some(bytes));
        assert_eq!(super::parse::<4>("0xDEAD000F"), Some(bytes));
        assert_eq!(super::parse::<4>("dead000f"), None);
        assert_eq!(super::parse::<4>("0xdead00"), None);
        assert_eq!(super::parse::<4>("0xdead00zz"), None);
    }
}
