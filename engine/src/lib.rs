//! # reach-engine
//!
//! Travel-time reach of rider service stations on OpenStreetMap road graphs.
//!
//! The engine reads a `.osm.pbf` extract, builds a routable road graph for one
//! travel profile, loads facility layers from OSM tags and from a city's own
//! files, and snaps every facility to the road network. Later stages
//! (isochrones, coverage, nearest facility) search this graph.
//!
//! ## Words we use
//! - **profile**: how a traveller moves: which roads are allowed, in which
//!   direction, and at what speed ([`Profile`]). `ebike` is the default.
//! - **road**: a stretch of OSM way between two graph nodes, drawn by its full
//!   polyline ([`RoadId`]). A road carries up to two directed **edges**, one per
//!   direction of travel that the profile allows ([`EdgeId`]).
//! - **graph node**: an intersection, a dead end or the end of a clipped way
//!   ([`NodeId`]). Intermediate OSM nodes are only shape points of a road.
//! - **facility**: a place a rider can use, in one **layer** (`stations`,
//!   `merchants`, `parking`), offering **amenities** ([`Facility`]).
//! - **snap**: the point on the nearest routable road where a location joins
//!   the network, given as road, fraction along it and distance ([`Snap`]).
//! - **time**: travel times are integers in deciseconds
//!   ([`TIME_UNITS_PER_SECOND`]), so results are exact and reproducible.
//!
//! ## Flow
//! [`osm::read_pbf`] → [`Graph::build`] per [`Profile`] →
//! [`Facilities`] from [`TagMapping`] and [`layer_file`] → [`RoadIndex`] snapping,
//! all tied together by [`Engine`].

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod amenity;
pub mod coverage;
pub mod crs;
pub mod demand;
mod engine;
mod facility;
mod geo_math;
mod graph;
pub mod hierarchy;
pub mod isochrone;
pub mod layer_file;
mod names;
pub mod nearest;
pub mod opening;
pub mod osm;
mod profile;
pub mod search;
mod snap;
mod tag_mapping;
#[cfg(test)]
mod test_random;
mod time_queue;
pub mod to_geojson;

pub use amenity::{Amenities, Amenity};
pub use crs::Crs;
pub use engine::{
    DemandReport, DemandSource, Engine, EngineError, Extract, ExtractOptions, LayerReport, LoadReport,
    MAX_SNAP_LIMIT_M, Progress, UnsnappedFacility,
};
pub use facility::{Facilities, Facility, FacilityId, Layer, Source};
pub use geo_math::{LocalProjection, check_lon_lat, haversine_m};
pub use graph::{ComponentReport, EdgeId, Graph, GraphError, GraphReport, GraphSize, NodeId, RoadId};
pub use profile::{BUILT_IN_PROFILES, Oneway, Profile, ProfileError, Profiles, Travel};
pub use snap::{DEFAULT_MAX_SNAP_M, RoadIndex, Snap, SnapError};
pub use tag_mapping::{BUILT_IN_TAG_MAPPING, TagMapping, TagMappingError};

/// Travel times are stored as integers in this many units per second
/// (deciseconds).
pub const TIME_UNITS_PER_SECOND: u32 = 10;
