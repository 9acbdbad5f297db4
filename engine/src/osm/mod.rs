//! Reading `.osm.pbf` extracts: node coordinates, highway ways and the
//! elements that the facility tag mapping asks for.
//!
//! Decoding uses osmpbfreader, one blob at a time, in parallel with rayon; the
//! file's framing is checked first (`framing`) so that a damaged file is an
//! error with a byte offset, never a panic. Clipped extracts are normal: way
//! references to nodes that are not in the file are counted in
//! [`ReadReport`] and the ways are cut there by the graph builder.

mod block;
mod boundary;
mod framing;

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use osmpbfreader::{OsmObj, OsmPbfReader};
use rayon::prelude::*;
use serde::Serialize;

use framing::{FrameKind, scan_frames};

pub use boundary::Boundary;
pub use osmpbfreader::Tags;

/// Marks a way reference to a node that is not in the file.
pub const MISSING_NODE: u32 = u32::MAX;

/// Looking up OSM tags by key, so profiles and mappings work on decoded
/// tags and on hand-written lists alike.
pub trait TagSource {
    /// The value of `key`, if the element has it.
    fn tag(&self, key: &str) -> Option<&str>;
}

impl TagSource for Tags {
    fn tag(&self, key: &str) -> Option<&str> {
        self.get(key).map(|v| v.as_str())
    }
}

impl TagSource for [(&str, &str)] {
    fn tag(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// An OSM way tagged `highway=*`, with its node references resolved to
/// indexes into [`OsmData`]'s node arrays ([`MISSING_NODE`] where the file
/// lacks the node).
#[derive(Debug, Clone)]
pub struct HighwayWay {
    /// OSM way id.
    pub id: i64,
    /// All tags of the way.
    pub tags: Tags,
    /// Node indexes in way order.
    pub nodes: Vec<u32>,
}

/// Whether a point of interest came from an OSM node or way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OsmType {
    /// An OSM node.
    Node,
    /// An OSM way (its position is the mean of its nodes).
    Way,
}

/// Decides which tagged elements the reader keeps as points of interest.
pub type Selector<'a> = &'a (dyn Fn(&Tags) -> bool + Sync);

/// An OSM element that the reader's selector kept (facility or demand).
#[derive(Debug, Clone)]
pub struct PointOfInterest {
    /// Node or way.
    pub osm_type: OsmType,
    /// OSM id.
    pub id: i64,
    /// All tags of the element.
    pub tags: Tags,
    /// `[lon, lat]` in WGS84.
    pub lon_lat: [f64; 2],
}

/// Counts from reading an extract, reported by `reach inspect`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadReport {
    /// OSM nodes in the file.
    pub nodes: usize,
    /// OSM ways in the file.
    pub ways: usize,
    /// OSM relations in the file.
    pub relations: usize,
    /// Ways tagged `highway=*`.
    pub highway_ways: usize,
    /// References from any way to nodes that are not in the file (a
    /// clipped extract).
    pub missing_node_refs: usize,
    /// Ways with at least one missing node.
    pub ways_with_missing_nodes: usize,
    /// References from highway ways to nodes that are not in the file; the
    /// graph builder cuts the ways there.
    pub highway_missing_node_refs: usize,
    /// Highway ways with at least one missing node.
    pub highway_ways_with_missing_nodes: usize,
    /// Elements selected by the facility tag mapping.
    pub points_of_interest: usize,
    /// Selected ways none of whose nodes are in the file (skipped).
    pub points_of_interest_without_location: usize,
}

/// What the engine needs from an extract.
#[derive(Debug, Clone, Default)]
pub struct OsmData {
    /// OSM node ids, sorted ascending.
    node_ids: Vec<i64>,
    /// `[lon, lat]` of each node in 10⁻⁷ degrees, parallel to `node_ids`.
    node_coords: Vec<[i32; 2]>,
    /// Every way tagged `highway=*`.
    pub highways: Vec<HighwayWay>,
    /// Elements selected by the facility tag mapping.
    pub points_of_interest: Vec<PointOfInterest>,
    /// `boundary=administrative` relations, as areas where complete.
    pub boundaries: Vec<Boundary>,
    /// Counts for the load report.
    pub report: ReadReport,
}

/// Why an extract could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: std::io::Error,
    },
    /// The file has no bytes.
    #[error("{path} is empty: expected an OpenStreetMap .osm.pbf extract")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The blob framing is broken: not a PBF, or truncated.
    #[error("{path}: at byte {offset}: {message}")]
    Framing {
        /// The file.
        path: PathBuf,
        /// Byte offset of the broken frame.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A blob could not be decoded.
    #[error("{path}: data blob {blob} at byte {offset} cannot be decoded: {message}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// Index of the data blob, from 0.
        blob: usize,
        /// Byte offset of the blob's frame.
        offset: usize,
        /// The decoder's reason.
        message: String,
    },
}

/// Reads an extract from disk, keeping the tagged elements `select` asks
/// for. `on_blob(done, total)` reports decoding progress from any thread.
pub fn read_pbf(path: &Path, select: Selector, on_blob: &(dyn Fn(usize, usize) + Sync)) -> Result<OsmData, OsmError> {
    let bytes = std::fs::read(path).map_err(|reason| OsmError::Io { path: path.to_owned(), reason })?;
    read_pbf_bytes(&bytes, path, select, on_blob)
}

/// Reads an extract already in memory; `path` only names it in errors.
pub fn read_pbf_bytes(
    bytes: &[u8],
    path: &Path,
    select: Selector,
    on_blob: &(dyn Fn(usize, usize) + Sync),
) -> Result<OsmData, OsmError> {
    if bytes.is_empty() {
        return Err(OsmError::Empty { path: path.to_owned() });
    }
    let frames = scan_frames(bytes).map_err(|e| OsmError::Framing {
        path: path.to_owned(),
        offset: e.offset,
        message: e.message,
    })?;
    let data_offsets: Vec<usize> = frames.iter().filter(|f| f.kind == FrameKind::Data).map(|f| f.offset).collect();
    let decode_error = |blob: usize, message: String| OsmError::Decode {
        path: path.to_owned(),
        blob,
        offset: data_offsets.get(blob).copied().unwrap_or(0),
        message,
    };

    let mut reader = OsmPbfReader::new(Cursor::new(bytes));
    let blobs = reader
        .blobs()
        .enumerate()
        .map(|(i, blob)| blob.map_err(|e| decode_error(i, e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let total = blobs.len();
    let done = AtomicUsize::new(0);
    let chunks = blobs
        .par_iter()
        .enumerate()
        .map(|(i, blob)| {
            let block = block::decode_blob(blob).map_err(|message| decode_error(i, message))?;
            // The block is checked, but osmpbfreader may still overflow on
            // absurd coordinate or id deltas: a panic there is a bad blob.
            let chunk = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Chunk::decode(&block, select)))
                .map_err(|_| decode_error(i, "the block's contents are corrupt".to_string()))?;
            on_blob(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Ok(chunk)
        })
        .collect::<Result<Vec<_>, OsmError>>()?;
    Ok(OsmData::assemble(chunks))
}

/// A `boundary=administrative` relation as read: id, tags, and its member
/// ways with their roles.
type RawBoundary = (i64, Tags, Vec<(i64, String)>);

/// The part of the extract decoded from one blob.
#[derive(Default)]
struct Chunk {
    node_ids: Vec<i64>,
    node_coords: Vec<[i32; 2]>,
    highways: Vec<(i64, Tags, Vec<i64>)>,
    poi_nodes: Vec<(i64, Tags)>,
    poi_ways: Vec<(i64, Tags, Vec<i64>)>,
    /// Ids and node references of the other ways (for missing-node counts
    /// and boundary rings).
    other_ways: Vec<(i64, Vec<i64>)>,
    /// `boundary=administrative` relations.
    boundaries: Vec<RawBoundary>,
    ways: usize,
    relations: usize,
}

impl Chunk {
    fn decode(block: &osmpbfreader::osmformat::PrimitiveBlock, select: Selector) -> Chunk {
        let mut chunk = Chunk::default();
        for obj in osmpbfreader::blocks::iter(block) {
            match obj {
                OsmObj::Node(node) => {
                    chunk.node_ids.push(node.id.0);
                    chunk.node_coords.push([node.decimicro_lon, node.decimicro_lat]);
                    if !node.tags.is_empty() && select(&node.tags) {
                        chunk.poi_nodes.push((node.id.0, node.tags));
                    }
                }
                OsmObj::Way(way) => {
                    chunk.ways += 1;
                    let refs: Vec<i64> = way.nodes.iter().map(|n| n.0).collect();
                    let is_poi = select(&way.tags);
                    match (way.tags.contains_key("highway"), is_poi) {
                        (true, true) => {
                            chunk.poi_ways.push((way.id.0, way.tags.clone(), refs.clone()));
                            chunk.highways.push((way.id.0, way.tags, refs));
                        }
                        (true, false) => chunk.highways.push((way.id.0, way.tags, refs)),
                        (false, true) => chunk.poi_ways.push((way.id.0, way.tags, refs)),
                        (false, false) => chunk.other_ways.push((way.id.0, refs)),
                    }
                }
                OsmObj::Relation(relation) => {
                    chunk.relations += 1;
                    if relation.tags.contains("boundary", "administrative") {
                        let members = relation
                            .refs
                            .iter()
                            .filter_map(|r| r.member.way().map(|w| (w.0, r.role.to_string())))
                            .collect();
                        chunk.boundaries.push((relation.id.0, relation.tags, members));
                    }
                }
            }
        }
        chunk
    }
}

/// A hand-made way for [`OsmData::from_elements`]: id, tags, node ids.
pub type HandWay<'a> = (i64, &'a [(&'a str, &'a str)], &'a [i64]);

impl OsmData {
    /// Extract data from hand-made elements, for tests and examples: nodes
    /// as `(id, [lon, lat])`, ways as `(id, tags, node ids)`. Ways without a
    /// `highway` tag are ignored; node ids missing from `nodes` behave like
    /// a clipped extract.
    pub fn from_elements(nodes: &[(i64, [f64; 2])], ways: &[HandWay<'_>]) -> OsmData {
        let to_decimicro = |v: f64| (v * 1e7).round() as i32;
        let chunk = Chunk {
            node_ids: nodes.iter().map(|n| n.0).collect(),
            node_coords: nodes.iter().map(|(_, p)| [to_decimicro(p[0]), to_decimicro(p[1])]).collect(),
            highways: ways
                .iter()
                .filter(|(_, tags, _)| tags.tag("highway").is_some())
                .map(|(id, tags, refs)| {
                    let tags: Tags = tags.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
                    (*id, tags, refs.to_vec())
                })
                .collect(),
            ways: ways.len(),
            ..Chunk::default()
        };
        OsmData::assemble(vec![chunk])
    }

    /// Merges decoded chunks (in file order), sorts nodes by id and resolves
    /// way references.
    fn assemble(chunks: Vec<Chunk>) -> OsmData {
        let mut data = OsmData::default();
        let mut highways = Vec::new();
        let mut poi_nodes = Vec::new();
        let mut poi_ways = Vec::new();
        let mut other_ways = Vec::new();
        let mut boundaries = Vec::new();
        for chunk in chunks {
            data.node_ids.extend(chunk.node_ids);
            data.node_coords.extend(chunk.node_coords);
            highways.extend(chunk.highways);
            poi_nodes.extend(chunk.poi_nodes);
            poi_ways.extend(chunk.poi_ways);
            other_ways.extend(chunk.other_ways);
            boundaries.extend(chunk.boundaries);
            data.report.ways += chunk.ways;
            data.report.relations += chunk.relations;
        }
        if !data.node_ids.is_sorted() {
            let mut order: Vec<u32> = (0..data.node_ids.len() as u32).collect();
            order.sort_unstable_by_key(|&i| data.node_ids[i as usize]);
            data.node_ids = order.iter().map(|&i| data.node_ids[i as usize]).collect();
            data.node_coords = order.iter().map(|&i| data.node_coords[i as usize]).collect();
        }
        data.report.nodes = data.node_ids.len();
        data.report.highway_ways = highways.len();

        let members: std::collections::HashSet<i64> = boundaries
            .iter()
            .flat_map(|(_, _, m): &(i64, Tags, Vec<(i64, String)>)| m.iter().map(|(w, _)| *w))
            .collect();
        let way_refs: HashMap<i64, Vec<i64>> = highways
            .iter()
            .map(|(id, _, refs)| (*id, refs))
            .chain(poi_ways.iter().map(|(id, _, refs)| (*id, refs)))
            .chain(other_ways.iter().map(|(id, refs)| (*id, refs)))
            .filter(|(id, _)| members.contains(id))
            .map(|(id, refs)| (id, refs.clone()))
            .collect();
        data.boundaries =
            boundaries.iter().map(|(id, tags, m)| boundary::boundary(*id, tags, m, &way_refs, &data)).collect();

        for (id, tags, refs) in highways {
            let nodes: Vec<u32> = refs.iter().map(|&r| data.node_index(r).unwrap_or(MISSING_NODE)).collect();
            let missing = nodes.iter().filter(|&&n| n == MISSING_NODE).count();
            data.report.highway_missing_node_refs += missing;
            data.report.highway_ways_with_missing_nodes += usize::from(missing > 0);
            data.highways.push(HighwayWay { id, tags, nodes });
        }
        data.report.missing_node_refs = data.report.highway_missing_node_refs;
        data.report.ways_with_missing_nodes = data.report.highway_ways_with_missing_nodes;
        let poi_way_refs = poi_ways.iter().filter(|(_, tags, _)| !tags.contains_key("highway")).map(|w| &w.2);
        for refs in other_ways.iter().map(|w| &w.1).chain(poi_way_refs) {
            let missing = refs.iter().filter(|&&r| data.node_index(r).is_none()).count();
            data.report.missing_node_refs += missing;
            data.report.ways_with_missing_nodes += usize::from(missing > 0);
        }

        for (id, tags) in poi_nodes {
            if let Some(index) = data.node_index(id) {
                let lon_lat = data.lon_lat(index);
                data.points_of_interest.push(PointOfInterest { osm_type: OsmType::Node, id, tags, lon_lat });
            }
        }
        for (id, tags, refs) in poi_ways {
            match data.mean_position(&refs) {
                Some(lon_lat) => {
                    data.points_of_interest.push(PointOfInterest { osm_type: OsmType::Way, id, tags, lon_lat })
                }
                None => data.report.points_of_interest_without_location += 1,
            }
        }
        data.report.points_of_interest = data.points_of_interest.len();
        data
    }

    /// Index of OSM node `id` in the node arrays, if the file has it.
    pub fn node_index(&self, id: i64) -> Option<u32> {
        self.node_ids.binary_search(&id).ok().map(|i| i as u32)
    }

    /// OSM id of the node at `index`.
    pub fn node_id(&self, index: u32) -> i64 {
        self.node_ids[index as usize]
    }

    /// `[lon, lat]` in degrees of the node at `index`.
    pub fn lon_lat(&self, index: u32) -> [f64; 2] {
        let [lon, lat] = self.node_coords[index as usize];
        [f64::from(lon) / 1e7, f64::from(lat) / 1e7]
    }

    /// Number of nodes read.
    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    /// Mean position of the nodes of a way that the file has (the closing
    /// node of a closed way counted once).
    fn mean_position(&self, refs: &[i64]) -> Option<[f64; 2]> {
        let open = match refs {
            [first, .., last] if first == last => &refs[..refs.len() - 1],
            _ => refs,
        };
        let (mut sum, mut n) = ([0.0, 0.0], 0.0);
        for index in open.iter().filter_map(|&r| self.node_index(r)) {
            let p = self.lon_lat(index);
            sum = [sum[0] + p[0], sum[1] + p[1]];
            n += 1.0;
        }
        (n > 0.0).then(|| [sum[0] / n, sum[1] / n])
    }
}
