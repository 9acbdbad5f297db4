//! `reach export`: the layers and the road graph as GeoJSON files, so GIS
//! staff can check what the engine sees.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use reach_engine::to_geojson::{edge_feature, facility_feature};
use reach_engine::{EdgeId, Layer};

use crate::cli::LoadArgs;
use crate::loading;
use crate::output::{write_feature_collection, write_feature_collection_par};
use crate::progress::TerminalProgress;

/// Arguments of `reach export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to read from, and how.
    #[command(flatten)]
    pub load: LoadArgs,
    /// Write stations.geojson, merchants.geojson and parking.geojson.
    #[arg(long)]
    pub layers: bool,
    /// Write roads.geojson: one LineString per directed edge.
    #[arg(long)]
    pub roads: bool,
    /// The travel profile whose graph and snapping are exported.
    #[arg(long, default_value = "ebike")]
    pub profile: String,
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `reach export`; with neither `--layers` nor `--roads`, writes both.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (layers, roads) = if args.layers || args.roads { (args.layers, args.roads) } else { (true, true) };
    let profiles = loading::profiles(&args.load)?;
    let profile = profiles.get(&args.profile)?;
    let progress = TerminalProgress::new(args.load.quiet);
    let extract = loading::extract(&args.load, &progress)?;
    let engine = loading::engine(&args.load, &extract, profile, &progress)?;
    progress.finish();
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;

    if layers {
        for layer in Layer::ALL {
            let path = args.out.join(format!("{layer}.geojson"));
            let facilities = engine
                .facilities
                .in_layer(layer)
                .map(|i| facility_feature(engine.facilities.get(i), &engine.snaps[i as usize]));
            let count = write_feature_collection(&path, facilities, args.load.crs)?;
            eprintln!("wrote {} ({count} facilities)", path.display());
        }
    }
    if roads {
        let path = args.out.join("roads.geojson");
        let edges: Vec<EdgeId> = (0..engine.graph.edge_count() as EdgeId).collect();
        let count = write_feature_collection_par(&path, &edges, |&e| edge_feature(&engine.graph, e), args.load.crs)?;
        eprintln!("wrote {} ({count} directed edges, profile {})", path.display(), profile.name);
    }
    Ok(ExitCode::SUCCESS)
}
