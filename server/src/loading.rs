//! Turning [`LoadArgs`] into an extract, profiles and engines.

use anyhow::Context;
use reach_engine::{DemandSource, Engine, Extract, ExtractOptions, Profile, Profiles, TagMapping};

use crate::cli::LoadArgs;
use crate::progress::TerminalProgress;

/// The profiles: built-in, with the `--profiles` file on top.
pub fn profiles(args: &LoadArgs) -> anyhow::Result<Profiles> {
    match &args.profiles {
        None => Ok(Profiles::default()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read profiles file {}", path.display()))?;
            Profiles::with_overrides(&text).with_context(|| format!("profiles file {}", path.display()))
        }
    }
}

/// Reads the extract and the facility layers, with a progress bar.
pub fn extract(args: &LoadArgs, progress: &TerminalProgress) -> anyhow::Result<Extract> {
    extract_with_demand(args, DemandSource::None, progress)
}

/// Reads the extract, the facility layers and demand points.
pub fn extract_with_demand(
    args: &LoadArgs,
    demand: DemandSource,
    progress: &TerminalProgress,
) -> anyhow::Result<Extract> {
    let tag_mapping = match &args.tag_mapping {
        None => TagMapping::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read tag mapping file {}", path.display()))?;
            TagMapping::from_toml(&text).with_context(|| format!("tag mapping file {}", path.display()))?
        }
    };
    let options = ExtractOptions {
        tag_mapping,
        osm_facilities: !args.no_osm_facilities,
        layer_files: args.layer_files.clone(),
        demand,
        crs: args.crs,
    };
    Ok(Extract::read(&args.pbf, &options, &|p| progress.update(p))?)
}

/// Builds the engine of one profile.
pub fn engine(
    args: &LoadArgs,
    extract: &Extract,
    profile: &Profile,
    progress: &TerminalProgress,
) -> anyhow::Result<Engine> {
    Ok(Engine::build(extract, profile, args.max_snap_m, &|p| progress.update(p))?)
}
