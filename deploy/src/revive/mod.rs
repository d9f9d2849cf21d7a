//! pallet-revive: the ink! 6 shells in contracts on a chain whose
//! metadata has a `Revive` pallet (Polkadot Hub, Kusama Hub, and the local
//! revive-dev-runtime of scripts/node.sh).
//!
//! - [`client`]: the small chain interface the deployment uses, and
//!   [`subxt`]: its implementation over subxt.
//! - [`abi`]: the contracts' messages (ink! ABI: selector and SCALE).
//! - [`deploy`]: the plan, the steps and the verification.
//!
//! Addresses here are pallet-revive's, and this module is the one place
//! that relates them to the 32-byte accounts of params.json and of
//! bulwark-core (see each function).

pub mod abi;
pub mod client;
pub mod deploy;
pub mod metadata;
pub mod subxt;

pub use client::{AccountId32, Hash, H160};
use sha3::{Digest, Keccak256};

pub fn keccak_256(bytes: &[u8]) -> Hash {
    Keccak256::digest(bytes).into()
}

/// pallet-revive's code hash: keccak256 of the PolkaVM blob
/// (pallet-revive 0.20.2, src/vm/pvm/env.rs `from_code`).
pub fn code_hash(code: &[u8]) -> Hash {
    keccak_256(code)
}

/// pallet-revive's address of a contract instantiated with a salt
/// (CREATE2; pallet-revive 0.20.2, src/address.rs `create2`):
/// `keccak256(0xff ++ deployer ++ salt ++ keccak256(code ++ input))[12..]`.
/// Without a salt the address would depend on the deployer's nonce, and a
/// rerun could not know it in advance.
pub fn create2(deployer: &H160, code: &[u8], input: &[u8], salt: &Hash) -> H160 {
    let init_code_hash = keccak_256(&[code, input].concat());
    let mut bytes = [0u8; 85];
    bytes[0] = 0xff;
    bytes[1..21].copy_from_slice(deployer);
    bytes[21..53].copy_from_slice(salt);
    bytes[53..85].copy_from_slice(&init_code_hash);
    let hash = keccak_256(&bytes);
    let mut out = [0u8; 20];
    out.copy_from_slice(&hash[12..]);
    out
}

/// pallet-revive's salt is 32 bytes: the `--salt` text's keccak256.
pub fn salt32(salt: &[u8]) -> Hash {
    keccak_256(salt)
}

/// The H160 a 32-byte account acts as on pallet-revive, as the runtime's
/// `AccountId32Mapper::to_address` computes it (pallet-revive 0.20.2,
/// src/address.rs): an Ethereum-derived account (its last 12 bytes 0xEE)
/// is its first 20 bytes; any other (sr25519, ed25519) is
/// `keccak256(account)[12..]`. `verify` checks every role account against
/// the chain's own `ReviveApi_address`.
pub fn h160_of(account: &AccountId32) -> H160 {
    let mut out = [0u8; 20];
    if account[20..] == [0xEE; 12] {
        out.copy_from_slice(&account[..20]);
    } else {
        out.copy_from_slice(&keccak_256(account)[12..]);
    }
    out
}

/// The 32-byte bulwark-core account of an H160, right-aligned (12 zero
/// bytes, then the address): how the ink! 6 shells hand addresses to core
/// (contracts/bulwark_ink, `convert::account`). The multisig's
/// owners and vetoers and its allow-list targets are core accounts.
pub fn core_account(address: &H160) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(address);
    out
}

/// `0x`-prefixed hex of an address.
pub fn show(address: &H160) -> String {
    crate::record::hex(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex<const N: usize>(s: &str) -> [u8; N] {
        crate::record::unhex::<N>(s).unwrap()
    }

    /// pallet-revive 0.20.2's own vector (src/address.rs, `create2_works`).
    #[test]
    fn create2_is_pallet_revives() {
        let code = ::hex::decode("600060005560016000").unwrap();
        let salt = unhex::<32>("0x1234567890123456789012345678901234567890123456789012345678901234");
        assert_eq!(create2(&[1; 20], &code, &[0x55], &salt), unhex::<20>("0x7f31e795e5836a19a8f919ab5a9de9a197ecd2b6"));
    }

    /// Alice's H160 on the local revive chain (docs/chain.md's spike: 0x9621…f99d).
    #[test]
    fn alice_maps_to_her_keccak_address() {
        let alice = subxt_signer::sr25519::dev::alice().public_key().0;
        let h = show(&h160_of(&alice));
        assert!(h.starts_with("0x9621") && h.ends_with("f99d"), "{h}");
        let mut eth = [0xEE; 32];
        eth[..20].copy_from_slice(&[7; 20]);
        assert_eq!(h160_of(&eth), [7; 20], "an Ethereum-derived account is its own first 20 bytes");
        assert_eq!(core_account(&[7; 20])[..12], [0; 12]);
        assert_eq!(core_account(&[7; 20])[12..], [7; 20]);
    }
}
