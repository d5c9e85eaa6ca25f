//! Brief templates on the start screen: the shared placeholder syntax lives in commis-core.

pub(crate) use commis_core::template::{fill, placeholders};
