//! `reach inspect`: what the engine makes of an extract, per profile.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use reach_engine::osm::ReadReport;
use reach_engine::{GraphReport, Layer, LayerReport, UnsnappedFacility};
use serde::Serialize;

use crate::cli::LoadArgs;
use crate::loading;
use crate::output::print;
use crate::progress::TerminalProgress;

/// Arguments of `reach inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Where to read from, and how.
    #[command(flatten)]
    pub load: LoadArgs,
    /// Only this profile (repeat for several); every profile by default.
    #[arg(long, value_name = "NAME")]
    pub profile: Vec<String>,
    /// Print one JSON object (keys documented in the README) instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The JSON printed by `reach inspect --json`.
#[derive(Debug, Serialize)]
struct InspectReport {
    file: String,
    seconds: f64,
    osm: ReadReport,
    facilities: BTreeMap<&'static str, usize>,
    layer_files: Vec<String>,
    areas: Vec<AreaReport>,
    max_snap_m: f64,
    profiles: BTreeMap<String, ProfileReport>,
}

/// An administrative area of the extract, usable as a study area when
/// complete.
#[derive(Debug, Serialize)]
struct AreaReport {
    id: i64,
    name: Option<String>,
    name_zh: Option<String>,
    admin_level: Option<String>,
    complete: bool,
    problem: Option<String>,
}

/// One profile's part of the report: the graph and the layers, or why the
/// profile has no graph.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ProfileReport {
    Built {
        #[serde(flatten)]
        graph: GraphReport,
        layers: BTreeMap<&'static str, LayerReport>,
        unsnapped: Vec<UnsnappedFacility>,
    },
    Failed {
        error: String,
    },
}

/// Runs `reach inspect`.
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let profiles = loading::profiles(&args.load)?;
    let chosen: Vec<&reach_engine::Profile> = if args.profile.is_empty() {
        profiles.iter().collect()
    } else {
        args.profile.iter().map(|name| profiles.get(name)).collect::<Result<_, _>>()?
    };
    let progress = TerminalProgress::new(args.load.quiet);
    let extract = loading::extract(&args.load, &progress)?;
    let mut reports = BTreeMap::new();
    for profile in chosen {
        let report = match loading::engine(&args.load, &extract, profile, &progress) {
            Ok(engine) => ProfileReport::Built {
                graph: engine.report.graph,
                layers: engine.report.layers,
                unsnapped: engine.report.unsnapped,
            },
            Err(error) => ProfileReport::Failed { error: format!("{error:#}") },
        };
        reports.insert(profile.name.clone(), report);
    }
    progress.finish();

    let mut facilities: BTreeMap<&'static str, usize> = Layer::ALL.iter().map(|l| (l.name(), 0)).collect();
    for facility in &extract.facilities {
        *facilities.entry(facility.layer.name()).or_default() += 1;
    }
    let areas = extract
        .osm
        .boundaries
        .iter()
        .map(|b| AreaReport {
            id: b.id,
            name: b.name.clone(),
            name_zh: b.name_zh.clone(),
            admin_level: b.admin_level.clone(),
            complete: b.area.is_ok(),
            problem: b.area.as_ref().err().cloned(),
        })
        .collect();
    let report = InspectReport {
        areas,
        file: extract.file,
        seconds: started.elapsed().as_secs_f64(),
        osm: extract.osm.report,
        facilities,
        layer_files: args.load.layer_files.iter().map(|p| p.display().to_string()).collect(),
        max_snap_m: args.load.max_snap_m,
        profiles: reports,
    };
    if args.json {
        print(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        print(&render(&report))?;
    }
    let all_failed = report.profiles.values().all(|p| matches!(p, ProfileReport::Failed { .. }));
    Ok(if all_failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Groups thousands for readability: 12345 → 12,345.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The report as tables for a person.
fn render(report: &InspectReport) -> String {
    let mut out = String::new();
    let osm = &report.osm;
    let _ = writeln!(out, "extract     {}", report.file);
    let _ = writeln!(
        out,
        "osm         {} nodes, {} ways ({} highway), {} relations",
        thousands(osm.nodes),
        thousands(osm.ways),
        thousands(osm.highway_ways),
        thousands(osm.relations)
    );
    if osm.missing_node_refs > 0 {
        let _ = writeln!(
            out,
            "clipped     {} references to nodes not in the file, in {} ways ({} in {} highway ways, cut there)",
            thousands(osm.missing_node_refs),
            thousands(osm.ways_with_missing_nodes),
            thousands(osm.highway_missing_node_refs),
            thousands(osm.highway_ways_with_missing_nodes)
        );
    }
    let layers: Vec<String> = report.facilities.iter().map(|(l, n)| format!("{l} {}", thousands(*n))).collect();
    let _ = writeln!(out, "facilities  {} (snap limit {} m)", layers.join(", "), report.max_snap_m);
    let usable: Vec<String> = report
        .areas
        .iter()
        .filter(|a| a.complete)
        .map(|a| {
            format!("{} (level {})", a.name.as_deref().unwrap_or("unnamed"), a.admin_level.as_deref().unwrap_or("?"))
        })
        .collect();
    let _ = writeln!(
        out,
        "areas       {} administrative boundaries, {} complete (usable with coverage --area): {}",
        report.areas.len(),
        usable.len(),
        if usable.is_empty() { "none".to_string() } else { usable.join(", ") }
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<9} {:>9} {:>9} {:>9}  {:>24}  {:>10}  snapped stations / merchants / parking",
        "profile", "nodes", "edges", "road km", "kept nodes / edges / km", "components"
    );
    for (name, profile) in &report.profiles {
        match profile {
            ProfileReport::Built { graph, layers, .. } => {
                let kept = &graph.component_filter;
                let snapped: Vec<String> = Layer::ALL
                    .iter()
                    .map(|l| layers.get(l.name()).map_or("0/0".into(), |r| format!("{}/{}", r.snapped, r.facilities)))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<9} {:>9} {:>9} {:>9.1}  {:>24}  {:>10}  {}",
                    name,
                    thousands(graph.size.nodes),
                    thousands(graph.size.edges),
                    graph.size.road_km,
                    format!(
                        "{} / {} / {}",
                        percent(kept.nodes_share),
                        percent(kept.edges_share),
                        percent(kept.road_km_share)
                    ),
                    thousands(kept.components),
                    snapped.join(" / ")
                );
            }
            ProfileReport::Failed { error } => {
                let _ = writeln!(out, "{name:<9} no graph: {error}");
            }
        }
    }
    for (name, profile) in &report.profiles {
        if let ProfileReport::Built { unsnapped, .. } = profile
            && !unsnapped.is_empty()
        {
            let _ = writeln!(out, "\nunsnapped facilities ({name}): {}", unsnapped.len());
            for u in unsnapped.iter().take(10) {
                let _ = writeln!(out, "  {} ({}): {}", u.id, u.layer, u.reason);
            }
            if unsnapped.len() > 10 {
                let _ = writeln!(out, "  ... and {} more (see --json)", unsnapped.len() - 10);
            }
        }
    }
    let _ = writeln!(out, "\nloaded in {:.2} s", report.seconds);
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
