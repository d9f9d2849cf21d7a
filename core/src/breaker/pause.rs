//! Pause scopes: global, per asset and per selector.

use crate::types::{AssetId, Selector};
use alloc::vec::Vec;

/// Most entries a pause list may hold, so a contract's pause state stays
/// bounded in storage and gas.
pub const MAX_PAUSED_ENTRIES: usize = 64;

/// What a pause covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PauseScope {
    Global,
    Asset(AssetId),
    Selector(Selector),
}

/// Errors of pause bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PauseError {
    AlreadyPaused,
    NotPaused,
    TooManyPaused,
    /// An asset scope names an asset the breaker does not watch.
    UnknownAsset,
}

/// The set of active pauses. Invariant: no duplicates, each list at most
/// [`MAX_PAUSED_ENTRIES`] long.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PauseScopes {
    pub global: bool,
    pub assets: Vec<AssetId>,
    pub selectors: Vec<Selector>,
}

impl PauseScopes {
    pub fn is_paused(&self, scope: PauseScope) -> bool {
        match scope {
            PauseScope::Global => self.global,
            PauseScope::Asset(a) => self.assets.contains(&a),
            PauseScope::Selector(s) => self.selectors.contains(&s),
        }
    }

    pub fn pause(&mut self, scope: PauseScope) -> Result<(), PauseError> {
        if self.is_paused(scope) {
            return Err(PauseError::AlreadyPaused);
        }
        match scope {
            PauseScope::Global => self.global = true,
            PauseScope::Asset(a) => push_bounded(&mut self.assets, a)?,
            PauseScope::Selector(s) => push_bounded(&mut self.selectors, s)?,
        }
        Ok(())
    }

    pub fn unpause(&mut self, scope: PauseScope) -> Result<(), PauseError> {
        if !self.is_paused(scope) {
            return Err(PauseError::NotPaused);
        }
        match scope {
            PauseScope::Global => self.global = false,
            PauseScope::Asset(a) => self.assets.retain(|x| *x != a),
            PauseScope::Selector(s) => self.selectors.retain(|x| *x != s),
        }
        Ok(())
    }
}

fn push_bounded<T>(list: &mut Vec<T>, item: T) -> Result<(), PauseError> {
    if list.len() >= MAX_PAUSED_ENTRIES {
        return Err(PauseError::TooManyPaused);
    }
    list.push(item);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_and_unpause_each_scope() {
        let mut p = PauseScopes::default();
        for scope in [PauseScope::Global, PauseScope::Asset(7), PauseScope::Selector([1, 2, 3, 4])] {
            assert!(!p.is_paused(scope));
            p.pause(scope).unwrap();
            assert!(p.is_paused(scope));
            assert_eq!(p.pause(scope), Err(PauseError::AlreadyPaused));
            p.unpause(scope).unwrap();
            assert_eq!(p.unpause(scope), Err(PauseError::NotPaused));
        }
        assert!(!p.is_paused(PauseScope::Asset(8)));
    }

    #[test]
    fn pause_lists_are_bounded() {
        let mut p = PauseScopes::default();
        for a in 0..MAX_PAUSED_ENTRIES as u32 {
            p.pause(PauseScope::Asset(a)).unwrap();
        }
        assert_eq!(p.pause(PauseScope::Asset(999)), Err(PauseError::TooManyPaused));
    }
}
