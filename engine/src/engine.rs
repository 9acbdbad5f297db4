//! The [`Engine`]: one extract's road graph for one profile, its facility
//! layers and the indexes, built once and then shared read-only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{Coord, LineString};
use serde::Serialize;

use crate::amenity::Amenities;
use crate::crs::Crs;
use crate::demand::{DemandMapping, DemandPoint, read_demand_file};
use crate::facility::{Facilities, Facility, FacilityId, Layer, check_unique_ids};
use crate::geo_math::LocalProjection;
use crate::graph::{Graph, GraphError, GraphReport, RoadId};
use crate::isochrone::{DEFAULT_BUFFER_M, RoadCells};
use crate::layer_file::{LayerFileError, read_layer_file};
use crate::nearest::Arrivals;
use crate::osm::{OsmData, OsmError, ReadReport, read_pbf};
use crate::profile::Profile;
use crate::snap::{RoadIndex, Snap, SnapError};
use crate::tag_mapping::TagMapping;

/// The largest snap limit accepted, in metres.
pub const MAX_SNAP_LIMIT_M: f64 = 5_000.0;

/// What the loader is doing, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Decoding the extract: `done` of `total` data blobs.
    Decoding {
        /// Blobs decoded so far.
        done: usize,
        /// Blobs in the file.
        total: usize,
    },
    /// A named step after decoding.
    Step(&'static str),
}

/// What to read besides the road network.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// How OSM elements become facilities.
    pub tag_mapping: TagMapping,
    /// Whether to take facilities from OSM tags at all.
    pub osm_facilities: bool,
    /// The city's own layer files (CSV or GeoJSON), loaded after OSM.
    pub layer_files: Vec<PathBuf>,
    /// Where demand points come from.
    pub demand: DemandSource,
    /// The coordinate system of the layer and demand files (OSM is WGS84);
    /// their positions are converted to WGS84 when read.
    pub crs: Crs,
}

/// Where demand points come from.
#[derive(Debug, Clone, Default)]
pub enum DemandSource {
    /// No demand (the default: only coverage uses it, and reading every
    /// building costs load time).
    #[default]
    None,
    /// OSM elements, through a demand mapping.
    Osm(DemandMapping),
    /// The city's own file of weighted points.
    File(PathBuf),
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            tag_mapping: TagMapping::default(),
            osm_facilities: true,
            layer_files: Vec::new(),
            demand: DemandSource::None,
            crs: Crs::Wgs84,
        }
    }
}

/// An extract read from disk with its facilities, before any profile is
/// applied; one extract serves every profile.
#[derive(Debug, Clone)]
pub struct Extract {
    /// The file as given, for reports.
    pub file: String,
    /// Nodes, highway ways and selected elements.
    pub osm: OsmData,
    /// Facilities from OSM tags and from the layer files, ids unique.
    pub facilities: Vec<Facility>,
    /// Demand points, from the demand file or else from OSM tags.
    pub demand: Vec<DemandPoint>,
}

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The extract could not be read.
    #[error(transparent)]
    Osm(#[from] OsmError),
    /// The extract has no highway at all.
    #[error("{file} has no highway=* ways: there is no road network to route on")]
    NoHighways {
        /// The file.
        file: String,
    },
    /// The profile can use no road of the extract.
    #[error("{file}: {reason}")]
    Graph {
        /// The file.
        file: String,
        /// The reason.
        reason: GraphError,
    },
    /// A layer file was refused.
    #[error(transparent)]
    LayerFile(#[from] LayerFileError),
    /// Two facilities share an id.
    #[error("{0}")]
    DuplicateFacility(String),
    /// An option is out of range.
    #[error("{0}")]
    BadOption(String),
}

impl Extract {
    /// Reads a `.osm.pbf` extract and the facility layers.
    pub fn read(
        path: &Path,
        options: &ExtractOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Extract, EngineError> {
        let file = path.display().to_string();
        let osm_demand = match &options.demand {
            DemandSource::Osm(mapping) => Some(mapping),
            _ => None,
        };
        let select =
            |tags: &crate::osm::Tags| options.tag_mapping.selects(tags) || osm_demand.is_some_and(|m| m.selects(tags));
        let osm = read_pbf(path, &select, &|done, total| progress(Progress::Decoding { done, total }))?;
        if osm.highways.is_empty() {
            return Err(EngineError::NoHighways { file });
        }
        progress(Progress::Step("loading facility layers"));
        let mut facilities: Vec<Facility> = if options.osm_facilities {
            osm.points_of_interest.iter().filter_map(|p| options.tag_mapping.facility(p)).collect()
        } else {
            Vec::new()
        };
        for layer_file in &options.layer_files {
            facilities.extend(read_layer_file(layer_file)?.into_iter().map(|mut f| {
                [f.lon, f.lat] = options.crs.to_wgs84([f.lon, f.lat]);
                f
            }));
        }
        check_unique_ids(&facilities).map_err(EngineError::DuplicateFacility)?;
        let demand = match &options.demand {
            DemandSource::None => Vec::new(),
            DemandSource::Osm(mapping) => osm.points_of_interest.iter().filter_map(|p| mapping.point(p)).collect(),
            DemandSource::File(path) => read_demand_file(path)?
                .into_iter()
                .map(|mut d| {
                    [d.lon, d.lat] = options.crs.to_wgs84([d.lon, d.lat]);
                    d
                })
                .collect(),
        };
        Ok(Extract { file, osm, facilities, demand })
    }
}

/// Facilities of one layer and how many joined the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LayerReport {
    /// Facilities in the layer.
    pub facilities: usize,
    /// Those snapped to a routable road.
    pub snapped: usize,
    /// Those too far from every routable road.
    pub unsnapped: usize,
}

/// A facility that could not be snapped, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnsnappedFacility {
    /// The facility's id.
    pub id: String,
    /// Its layer.
    pub layer: Layer,
    /// Distance to the nearest routable road in metres, if any road exists.
    pub nearest_road_m: Option<f64>,
    /// Why it was not snapped.
    pub reason: String,
}

/// Demand points and how many joined the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DemandReport {
    /// Demand points.
    pub points: usize,
    /// Their total weight.
    pub weight: f64,
    /// Points too far from every routable road (left out of coverage).
    pub unsnapped: usize,
}

/// How an engine was built: the extract, the graph and the layers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// The extract file.
    pub file: String,
    /// Counts from reading the extract.
    pub osm: ReadReport,
    /// The graph of the profile.
    pub graph: GraphReport,
    /// The snap limit in metres.
    pub max_snap_m: f64,
    /// Per layer name, facility counts.
    pub layers: BTreeMap<&'static str, LayerReport>,
    /// Every facility that could not be snapped.
    pub unsnapped: Vec<UnsnappedFacility>,
    /// Demand points.
    pub demand: DemandReport,
}

/// One extract's road graph for one profile, with its facilities snapped to
/// it and the indexes built. Build once, then share (`Arc`) read-only.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The travel profile.
    pub profile: Profile,
    /// The routable graph.
    pub graph: Graph,
    /// The R-tree over road segments, for snapping.
    pub roads: RoadIndex,
    /// The polygon-lattice cells of every road at the default isochrone
    /// buffer.
    pub road_cells: RoadCells,
    /// Every facility, with the R-tree over their positions.
    pub facilities: Facilities,
    /// Each facility's snap, parallel to `facilities.all()`.
    pub snaps: Vec<Result<Snap, SnapError>>,
    /// Where the facilities sit on the graph, for nearest-facility searches.
    pub arrivals: Arrivals,
    /// Demand points.
    pub demand: Vec<DemandPoint>,
    /// Each demand point's snap, parallel to `demand`.
    pub demand_snaps: Vec<Result<Snap, SnapError>>,
    /// How it was built.
    pub report: LoadReport,
}

impl Engine {
    /// Reads `path` and builds the engine for `profile`, snapping facilities
    /// within `max_snap_m` metres.
    pub fn load(
        path: &Path,
        options: &ExtractOptions,
        profile: &Profile,
        max_snap_m: f64,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Engine, EngineError> {
        let extract = Extract::read(path, options, progress)?;
        Engine::build(&extract, profile, max_snap_m, progress)
    }

    /// Builds the engine for `profile` from an extract already read.
    pub fn build(
        extract: &Extract,
        profile: &Profile,
        max_snap_m: f64,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Engine, EngineError> {
        if !(max_snap_m.is_finite() && max_snap_m > 0.0 && max_snap_m <= MAX_SNAP_LIMIT_M) {
            return Err(EngineError::BadOption(format!(
                "snap limit {max_snap_m} m is outside (0, {MAX_SNAP_LIMIT_M}] m"
            )));
        }
        progress(Progress::Step("building the road graph"));
        let (graph, graph_report) = Graph::build(&extract.osm, profile)
            .map_err(|reason| EngineError::Graph { file: extract.file.clone(), reason })?;
        progress(Progress::Step("indexing roads and facilities"));
        let projection = centre_projection(&graph);
        let roads = RoadIndex::new(&graph, projection);
        let road_cells = RoadCells::for_buffer(&graph, &roads, DEFAULT_BUFFER_M);
        let facilities =
            Facilities::new(extract.facilities.clone(), projection).map_err(EngineError::DuplicateFacility)?;
        let snaps: Vec<Result<Snap, SnapError>> =
            facilities.all().iter().map(|f| roads.snap([f.lon, f.lat], max_snap_m)).collect();

        let mut layers: BTreeMap<&'static str, LayerReport> =
            Layer::ALL.iter().map(|l| (l.name(), LayerReport::default())).collect();
        let mut unsnapped = Vec::new();
        for (facility, snap) in facilities.all().iter().zip(&snaps) {
            let counts = layers.entry(facility.layer.name()).or_default();
            counts.facilities += 1;
            match snap {
                Ok(_) => counts.snapped += 1,
                Err(e) => {
                    counts.unsnapped += 1;
                    let nearest_road_m = match e {
                        SnapError::TooFar { distance_m, .. } if distance_m.is_finite() => Some(*distance_m),
                        _ => None,
                    };
                    unsnapped.push(UnsnappedFacility {
                        id: facility.id.clone(),
                        layer: facility.layer,
                        nearest_road_m,
                        reason: e.to_string(),
                    });
                }
            }
        }
        let demand_snaps: Vec<Result<Snap, SnapError>> =
            extract.demand.iter().map(|d| roads.snap([d.lon, d.lat], max_snap_m)).collect();
        let demand_report = DemandReport {
            points: extract.demand.len(),
            weight: extract.demand.iter().map(|d| d.weight).sum(),
            unsnapped: demand_snaps.iter().filter(|s| s.is_err()).count(),
        };
        let report = LoadReport {
            file: extract.file.clone(),
            osm: extract.osm.report.clone(),
            graph: graph_report,
            max_snap_m,
            layers,
            unsnapped,
            demand: demand_report,
        };
        let demand = extract.demand.clone();
        let arrivals = Arrivals::new(&graph, &snaps);
        Ok(Engine {
            profile: profile.clone(),
            graph,
            roads,
            road_cells,
            facilities,
            snaps,
            arrivals,
            demand,
            demand_snaps,
            report,
        })
    }

    /// The facilities of `layer` (every layer if `None`) that offer all of
    /// `amenities`, or, if `ids` is not empty, exactly the facilities with
    /// those ids; an unknown id is an error naming it.
    pub fn select_facilities(
        &self,
        layer: Option<Layer>,
        amenities: Amenities,
        ids: &[String],
    ) -> Result<Vec<FacilityId>, String> {
        if !ids.is_empty() {
            return ids
                .iter()
                .map(|id| self.facilities.find(id).ok_or_else(|| format!("no facility has the id {id:?}")))
                .collect();
        }
        Ok((0..self.facilities.all().len() as FacilityId)
            .filter(|&i| {
                let f = self.facilities.get(i);
                layer.is_none_or(|l| f.layer == l) && f.amenities.contains_all(amenities)
            })
            .collect())
    }

    /// The part of a road between two fractions of its length (as measured
    /// by snapping), `[lon, lat]`, cut at the exact points.
    pub fn road_part(&self, road: RoadId, lo: f64, hi: f64) -> LineString<f64> {
        let geometry = self.graph.road_geometry(road);
        let (_, fractions) = self.roads.projected_road(road);
        let at = |f: f64| {
            let k = fractions.partition_point(|&x| x <= f).clamp(1, fractions.len() - 1) - 1;
            let span = fractions[k + 1] - fractions[k];
            let t = if span > 0.0 { ((f - fractions[k]) / span).clamp(0.0, 1.0) } else { 0.0 };
            let (a, b) = (geometry[k], geometry[k + 1]);
            Coord { x: a[0] + t * (b[0] - a[0]), y: a[1] + t * (b[1] - a[1]) }
        };
        let mut coords = vec![at(lo)];
        let inside = fractions.iter().zip(geometry).filter(|&(&f, _)| f > lo && f < hi);
        coords.extend(inside.map(|(_, p)| Coord { x: p[0], y: p[1] }));
        coords.push(at(hi));
        LineString::new(coords)
    }

    /// Snaps a point within the engine's snap limit.
    pub fn snap(&self, lon_lat: [f64; 2]) -> Result<Snap, SnapError> {
        self.roads.snap(lon_lat, self.report.max_snap_m)
    }
}

/// A projection centred on the graph's bounding box.
fn centre_projection(graph: &Graph) -> LocalProjection {
    let [min_lon, min_lat, max_lon, max_lat] = graph.bounds();
    LocalProjection::new((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0)
}
