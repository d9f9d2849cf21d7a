//! The ink! glue the three Bulwark contracts share.
//!
//! bulwark-core has no ink! dependency, so its types implement SCALE and
//! `TypeInfo` but not ink!'s `StorageLayout`. [`Stored`] carries a core
//! value into contract storage as one packed cell and describes it in the
//! metadata as a leaf of the core type.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

/// A bulwark-core value held in one storage cell.
#[derive(Clone, Debug, PartialEq, Eq, scale::Encode, scale::Decode, scale_info::TypeInfo)]
pub struct Stored<T>(pub T);

#[cfg(feature = "std")]
impl<T: scale_info::TypeInfo + 'static> ink::storage::traits::StorageLayout for Stored<T> {
    fn layout(key: &ink::primitives::Key) -> ink::metadata::layout::Layout {
        use ink::metadata::layout::{Layout, LayoutKey, LeafLayout};
        Layout::Leaf(LeafLayout::from_key::<T>(LayoutKey::from(key)))
    }
}

/// Converts between ink!'s `AccountId` and core's 32-byte accounts.
pub fn account(a: &ink::primitives::AccountId) -> [u8; 32] {
    *<ink::primitives::AccountId as AsRef<[u8; 32]>>::as_ref(a)
}
