//! Shared helpers of the end-to-end tests: where the real extracts are, and
//! loading them.

use std::path::PathBuf;

use reach_engine::{Engine, Extract, ExtractOptions, Profiles};

/// The path of a shared extract; panics with a clear message when the shared
/// data folder is not beside the checkout.
pub fn extract_path(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(format!("{name}.osm.pbf"));
    assert!(path.exists(), "{} is missing: the tests need ../shared/data beside the checkout", path.display());
    path
}

/// Reads a shared extract with the default facility mapping.
pub fn read(name: &str) -> Extract {
    Extract::read(&extract_path(name), &ExtractOptions::default(), &|_| {}).expect("shared extracts load")
}

/// The engine of one profile on a shared extract.
pub fn engine(extract: &Extract, profile: &str) -> Engine {
    let profiles = Profiles::default();
    Engine::build(extract, profiles.get(profile).expect("built-in profile"), 300.0, &|_| {}).expect("engine builds")
}
