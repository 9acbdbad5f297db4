//! Facilities riders can use, grouped in layers and indexed in an R-tree.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::amenity::Amenities;
use crate::geo_math::LocalProjection;
use crate::names::parse_by_name;

/// A facility layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Rider service stations (rest, water, charging, first aid...).
    Stations,
    /// Shops and restaurants that give riders water, charging or a rest.
    Merchants,
    /// Rider parking, charging piles and battery-swap points.
    Parking,
}

impl Layer {
    /// Every layer.
    pub const ALL: [Layer; 3] = [Layer::Stations, Layer::Merchants, Layer::Parking];

    /// The name used in files, URLs and output.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Stations => "stations",
            Layer::Merchants => "merchants",
            Layer::Parking => "parking",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layer {
    type Err = String;

    /// Parses a layer name, case-insensitively; the error lists the known
    /// layers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_by_name(s, &Layer::ALL, Layer::name, ("layer", "layers"))
    }
}

/// Where a facility was defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum Source {
    /// An OSM element selected by the tag mapping.
    Osm {
        /// `node/ID` or `way/ID`.
        element: String,
        /// The mapping rule's tags that selected it, as `key=value`.
        matched: String,
    },
    /// A row or feature of a city's layer file.
    File {
        /// The file as given.
        file: String,
        /// `line N` of a CSV or `feature N` of a GeoJSON file.
        position: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Osm { element, matched } => write!(f, "OSM {element} ({matched})"),
            Source::File { file, position } => write!(f, "{file}, {position}"),
        }
    }
}

/// A place a rider can use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    /// Unique id: `node/ID` or `way/ID` from OSM, the city's own id from a file.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Chinese name (`name:zh`), kept beside the local name.
    pub name_zh: Option<String>,
    /// The layer.
    pub layer: Layer,
    /// What it offers.
    pub amenities: Amenities,
    /// OSM `opening_hours` text, unparsed.
    pub opening_hours: Option<String>,
    /// Number of riders or vehicles it serves at once.
    pub capacity: Option<u32>,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// Where it was defined.
    #[serde(flatten)]
    pub source: Source,
}

/// Maps each facility id to its index; two facilities with the same id are
/// an error naming both sources.
fn unique_ids(items: &[Facility]) -> Result<HashMap<String, FacilityId>, String> {
    let mut by_id = HashMap::with_capacity(items.len());
    for (index, facility) in items.iter().enumerate() {
        if let Some(first) = by_id.insert(facility.id.clone(), index as FacilityId) {
            return Err(format!(
                "duplicate facility id {:?}: defined by {} and again by {}",
                facility.id, items[first as usize].source, facility.source
            ));
        }
    }
    Ok(by_id)
}

/// Checks that no two facilities share an id; the error names both sources.
pub fn check_unique_ids(items: &[Facility]) -> Result<(), String> {
    unique_ids(items).map(|_| ())
}

impl Facility {
    /// A facility with only an id, a layer, a position and a source; no
    /// name, amenities, hours or capacity.
    pub fn new(id: String, layer: Layer, lon_lat: [f64; 2], source: Source) -> Facility {
        Facility {
            id,
            name: None,
            name_zh: None,
            layer,
            amenities: Amenities::default(),
            opening_hours: None,
            capacity: None,
            lon: lon_lat[0],
            lat: lon_lat[1],
            source,
        }
    }
}

/// Index of a facility in [`Facilities`].
pub type FacilityId = u32;

/// A point of the facility R-tree: projected metres and the facility index.
type FacilityPoint = GeomWithData<[f64; 2], FacilityId>;

/// All facilities of every layer, with unique ids and an R-tree over their
/// positions.
#[derive(Debug, Clone)]
pub struct Facilities {
    items: Vec<Facility>,
    by_id: HashMap<String, FacilityId>,
    tree: RTree<FacilityPoint>,
    projection: LocalProjection,
}

impl Facilities {
    /// Indexes `items`; two facilities with the same id are an error naming
    /// both sources.
    pub fn new(items: Vec<Facility>, projection: LocalProjection) -> Result<Facilities, String> {
        let by_id = unique_ids(&items)?;
        let points = items
            .iter()
            .enumerate()
            .map(|(i, f)| FacilityPoint::new(projection.project([f.lon, f.lat]), i as FacilityId))
            .collect();
        Ok(Facilities { items, by_id, tree: RTree::bulk_load(points), projection })
    }

    /// Every facility, in load order (OSM first, then files in the order given).
    pub fn all(&self) -> &[Facility] {
        &self.items
    }

    /// The facility at `index`.
    pub fn get(&self, index: FacilityId) -> &Facility {
        &self.items[index as usize]
    }

    /// The index of the facility with this id.
    pub fn find(&self, id: &str) -> Option<FacilityId> {
        self.by_id.get(id).copied()
    }

    /// Indexes of the facilities in `layer`.
    pub fn in_layer(&self, layer: Layer) -> impl Iterator<Item = FacilityId> + '_ {
        (0..self.items.len() as FacilityId).filter(move |&i| self.items[i as usize].layer == layer)
    }

    /// Indexes of the facilities within `radius_m` metres (straight line) of
    /// `[lon, lat]`, nearest first.
    pub fn within(&self, lon_lat: [f64; 2], radius_m: f64) -> Vec<FacilityId> {
        let centre = self.projection.project(lon_lat);
        self.tree
            .nearest_neighbor_iter_with_distance_2(&centre)
            .take_while(|(_, d2)| *d2 <= radius_m * radius_m)
            .map(|(p, _)| p.data)
            .collect()
    }
}
