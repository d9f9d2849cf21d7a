//! Primitive types shared by all mechanisms.
//!
//! They match what an ink! 5 contract sees on pallet-contracts: balances are
//! `u128`, block timestamps are milliseconds in a `u64`, accounts are 32 bytes.

/// An amount of a token, or of value, in its smallest unit.
pub type Balance = u128;
/// Milliseconds since the Unix epoch, as pallet-timestamp reports them.
pub type Timestamp = u64;
/// Basis points: 10_000 = 100%.
pub type Bps = u32;
/// Identifier of an asset the breaker watches.
pub type AssetId = u32;
/// A 32-byte account, as on Substrate chains.
pub type AccountId = [u8; 32];
/// The first four bytes of a message's name hash, as ink! computes them.
pub type Selector = [u8; 4];

/// 100% in basis points.
pub const BPS_DENOMINATOR: Bps = 10_000;
