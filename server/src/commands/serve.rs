//! `reach serve`: the HTTP API and the web map.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Args;
use reach_engine::DemandSource;
use reach_engine::demand::DemandMapping;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::cli::LoadArgs;
use crate::http::{AppState, CoverageParams, Limits, app, compute_coverage};
use crate::loading;
use crate::progress::TerminalProgress;

/// The environment variable that may hold the admin token.
const TOKEN_VARIABLE: &str = "REACH_ADMIN_TOKEN";

/// Arguments of `reach serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The OpenStreetMap extract (.osm.pbf); the bundled sample if not given.
    pub pbf: Option<PathBuf>,
    /// A city layer file (CSV or GeoJSON) to add; repeat for several.
    #[arg(long = "layers", alias = "layer-file", value_name = "FILE")]
    pub layer_files: Vec<PathBuf>,
    /// Take no facilities from OSM tags, only from layer files.
    #[arg(long)]
    pub no_osm_facilities: bool,
    /// Demand points from this CSV or GeoJSON file instead of from OSM tags.
    #[arg(long, value_name = "FILE")]
    pub demand: Option<PathBuf>,
    /// A TOML file of profiles that replace or add to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub profiles: Option<PathBuf>,
    /// A TOML file that replaces the built-in OSM tag mapping for facilities.
    #[arg(long, value_name = "FILE")]
    pub tag_mapping: Option<PathBuf>,
    /// The travel profile served.
    #[arg(long, default_value = "ebike")]
    pub profile: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The bearer token that allows layer uploads (or set REACH_ADMIN_TOKEN);
    /// without one, writes are off.
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// The coordinate system of the layer and demand files (`wgs84`,
    /// `gcj02` or `bd09`); requests choose theirs with `crs=`.
    #[arg(long, default_value = "wgs84", value_parser = |t: &str| t.parse::<reach_engine::Crs>())]
    pub crs: reach_engine::Crs,
    /// No progress bar, even on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The bundled sample, found beside the working directory or the source tree.
fn sample() -> PathBuf {
    let here = PathBuf::from("data/helsinki.osm.pbf");
    if here.exists() { here } else { PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/helsinki.osm.pbf")) }
}

/// Runs `reach serve` until SIGINT or SIGTERM.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let load = LoadArgs {
        pbf: args.pbf.clone().unwrap_or_else(sample),
        layer_files: args.layer_files.clone(),
        no_osm_facilities: args.no_osm_facilities,
        profiles: args.profiles.clone(),
        tag_mapping: args.tag_mapping.clone(),
        max_snap_m: reach_engine::DEFAULT_MAX_SNAP_M,
        crs: args.crs,
        quiet: args.quiet,
    };
    let profiles = loading::profiles(&load)?;
    let profile = profiles.get(&args.profile)?.clone();
    let demand = match &args.demand {
        Some(path) => DemandSource::File(path.clone()),
        None => DemandSource::Osm(DemandMapping::default()),
    };
    let token = args.admin_token.clone().or_else(|| std::env::var(TOKEN_VARIABLE).ok()).filter(|t| !t.is_empty());
    let state = Arc::new(AppState::new(Limits::default(), token));
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener =
            TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
        tracing::info!(addr = %args.addr, writes = state.admin_token.is_some(), "listening; loading {}", load.pbf.display());
        // A failed load stops the server and becomes the command's error.
        let load_error: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
        let failed = Arc::new(Notify::new());
        let (loader, error_slot, failure) = (state.clone(), load_error.clone(), failed.clone());
        tokio::spawn(async move {
            let loaded = tokio::task::spawn_blocking(move || load_and_publish(&load, demand, &profile, &loader)).await;
            let error = match loaded {
                Ok(Ok(())) => return,
                Ok(Err(error)) => error,
                Err(panic) => anyhow::anyhow!("loading stopped: {panic}"),
            };
            if let Ok(mut slot) = error_slot.lock() {
                *slot = Some(error);
            }
            failure.notify_one();
        });
        let stopping = async move {
            tokio::select! {
                () = shutdown_signal() => {},
                () = failed.notified() => {},
            }
        };
        axum::serve(listener, app(state.clone())).with_graceful_shutdown(stopping).await.context("the server failed")?;
        match load_error.lock().ok().and_then(|mut slot| slot.take()) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the extract, builds the engine, publishes it and precomputes the
/// default coverage.
fn load_and_publish(
    load: &LoadArgs,
    demand: DemandSource,
    profile: &reach_engine::Profile,
    state: &AppState,
) -> anyhow::Result<()> {
    let progress = TerminalProgress::new(load.quiet);
    let extract = loading::extract_with_demand(load, demand, &progress)?;
    let engine = loading::engine(load, &extract, profile, &progress)?;
    progress.finish();
    // Publishing also contracts the graph in the background.
    let snapshot = state.publish(extract, engine);
    let defaults = CoverageParams::default();
    if let Ok(ask) = defaults.ask() {
        compute_coverage(&snapshot, &defaults, &ask).map_err(|e| anyhow::anyhow!(e.message))?;
    }
    tracing::info!(version = snapshot.version, "ready");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
