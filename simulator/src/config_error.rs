//! The error every check of the user's input returns: the config's fields,
//! the chain's units and the params bulwark-core refuses. It names the
//! field and what is allowed, and the CLI exits 2 with it.

use std::fmt;

/// A bad config value: where it is and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid config: `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for ConfigError {}
