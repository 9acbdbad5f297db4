//! Formats besides GeoJSON, for layers too large to draw from GeoJSON:
//! FlatGeobuf files (flatgeobuf crate) and Mapbox Vector Tiles of the roads
//! with their coverage (geozero's MVT encoder), both built from the same
//! features as the GeoJSON answers.

use std::f64::consts::PI;

use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geo::{Coord, LineString, MapCoords};
use geojson::{Feature, GeometryValue, JsonValue};
use geozero::ToMvt;
use geozero::geojson::GeoJsonReader;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue, tile};
use reach_engine::coverage::Coverage;
use reach_engine::{Engine, RoadId};

use crate::coverage_report::road_feature;

/// The media type of FlatGeobuf.
pub const FLATGEOBUF: &str = "application/flatgeobuf";
/// The media type of Mapbox Vector Tiles.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

/// A FlatGeobuf file (WGS84, with a spatial index) of a GeoJSON
/// FeatureCollection whose geometries are all of one `kind`. An empty
/// collection gets no index: a FlatGeobuf index needs a feature.
pub fn flatgeobuf(name: &str, kind: GeometryType, geojson: &[u8]) -> Result<Vec<u8>, String> {
    const NO_FEATURES: &[u8] = br#""features":[]"#;
    let empty = geojson.windows(NO_FEATURES.len()).any(|w| w == NO_FEATURES);
    let crs = FgbCrs { code: 4326, ..Default::default() };
    let options = FgbWriterOptions { write_index: !empty, crs, ..Default::default() };
    let mut writer =
        FgbWriter::create_with_options(name, kind, options).map_err(|e| format!("FlatGeobuf {name}: {e}"))?;
    let mut reader = GeoJsonReader(geojson);
    geozero::GeozeroDatasource::process(&mut reader, &mut writer).map_err(|e| format!("FlatGeobuf {name}: {e}"))?;
    let mut bytes = Vec::new();
    writer.write(&mut bytes).map_err(|e| format!("FlatGeobuf {name}: {e}"))?;
    Ok(bytes)
}

/// One tile of the usual web-map tiling (Web Mercator, XYZ, y down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileId {
    /// Zoom level, 0 to [`MAX_ZOOM`].
    pub z: u32,
    /// Column, from the antimeridian eastwards.
    pub x: u32,
    /// Row, from the north.
    pub y: u32,
}

/// The deepest zoom level served.
pub const MAX_ZOOM: u32 = 22;
/// Tile coordinates per tile side (the MVT default).
const EXTENT: u32 = 4096;
/// Half the Web Mercator world, metres.
const HALF_WORLD_M: f64 = 6_378_137.0 * PI;

impl TileId {
    /// A tile, checked against the zoom level's grid.
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileId, String> {
        if z > MAX_ZOOM {
            return Err(format!("zoom {z} is over the limit of {MAX_ZOOM}"));
        }
        let n = 1u32 << z;
        if x >= n || y >= n {
            return Err(format!("tile {z}/{x}/{y} does not exist: x and y are below {n} at zoom {z}"));
        }
        Ok(TileId { z, x, y })
    }

    /// The tile's bounds in Web Mercator metres: `[left, bottom, right, top]`.
    fn mercator_bounds(self) -> [f64; 4] {
        let size = 2.0 * HALF_WORLD_M / f64::from(1u32 << self.z);
        let left = -HALF_WORLD_M + f64::from(self.x) * size;
        let top = HALF_WORLD_M - f64::from(self.y) * size;
        [left, top - size, left + size, top]
    }

    /// The tile's bounds in degrees, grown by `margin` of its size on every
    /// side: `[min_lon, min_lat, max_lon, max_lat]`.
    fn lon_lat_bounds(self, margin: f64) -> [f64; 4] {
        let [left, bottom, right, top] = self.mercator_bounds();
        let grow = (right - left) * margin;
        let [min_lon, min_lat] = from_mercator([left - grow, bottom - grow]);
        let [max_lon, max_lat] = from_mercator([right + grow, top + grow]);
        [min_lon, min_lat.max(-85.0511), max_lon, max_lat.min(85.0511)]
    }
}

/// WGS84 degrees to Web Mercator metres.
fn to_mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-85.0511, 85.0511).to_radians();
    Coord { x: c.x.to_radians() * 6_378_137.0, y: (PI / 4.0 + lat / 2.0).tan().ln() * 6_378_137.0 }
}

/// Web Mercator metres to WGS84 degrees.
fn from_mercator([x, y]: [f64; 2]) -> [f64; 2] {
    [(x / 6_378_137.0).to_degrees(), (2.0 * (y / 6_378_137.0).exp().atan() - PI / 2.0).to_degrees()]
}

/// A property value as an MVT value; `None` for nulls, arrays and objects.
fn tile_value(value: &JsonValue) -> Option<TileValue> {
    match value {
        JsonValue::String(s) => Some(TileValue::Str(s.clone())),
        JsonValue::Bool(b) => Some(TileValue::Bool(*b)),
        JsonValue::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Some(TileValue::Sint(i)),
            (None, Some(f)) => Some(TileValue::Double(f)),
            _ => None,
        },
        _ => None,
    }
}

/// The roads with their coverage (the properties of `roads.geojson`) in one
/// vector tile, layer `roads`: every road with a segment within the tile or
/// a sixteenth of a tile around it, so lines continue across tile edges.
pub fn roads_tile(engine: &Engine, result: &Coverage, id: TileId) -> Result<Vec<u8>, String> {
    let [left, bottom, right, top] = id.mercator_bounds();
    let roads: Vec<RoadId> = engine.roads.roads_in_box(id.lon_lat_bounds(1.0 / 16.0));
    let mut tags = TagsBuilder::new();
    let mut features = Vec::with_capacity(roads.len());
    for road in roads {
        let Feature { geometry, properties, .. } = road_feature(engine, result, road);
        let Some(GeometryValue::LineString { coordinates }) = geometry.map(|g| g.value) else { continue };
        let line: LineString<f64> = coordinates.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
        let projected = line.map_coords(to_mercator);
        let mut feature =
            geo::Geometry::LineString(projected).to_mvt(EXTENT, left, bottom, right, top).map_err(|e| e.to_string())?;
        feature.id = Some(u64::from(road));
        for (key, value) in properties.iter().flatten() {
            if let Some(value) = tile_value(value) {
                let (k, v) = tags.insert(key.clone(), value);
                feature.tags.extend([k, v]);
            }
        }
        features.push(feature);
    }
    let (keys, values) = tags.into_tags();
    let layer = tile::Layer {
        version: 2,
        name: "roads".to_string(),
        features,
        keys,
        values: values.into_iter().map(tile::Value::from).collect(),
        extent: Some(EXTENT),
    };
    Ok(Tile { layers: vec![layer] }.encode_to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_world_and_refuse_what_does_not_exist() {
        let world = TileId::new(0, 0, 0).unwrap();
        let [min_lon, min_lat, max_lon, max_lat] = world.lon_lat_bounds(0.0);
        assert!((min_lon + 180.0).abs() < 1e-9 && (max_lon - 180.0).abs() < 1e-9);
        assert!(min_lat < -85.0 && max_lat > 85.0);
        // Heidelberg's old town at zoom 14.
        let tile = TileId::new(14, 8587, 5597).unwrap();
        let [a, b, c, d] = tile.lon_lat_bounds(0.0);
        assert!(a < 8.71 && c > 8.69 && b < 49.42 && d > 49.40, "{a} {b} {c} {d}");
        assert!(TileId::new(23, 0, 0).unwrap_err().contains("over the limit of 22"));
        assert!(TileId::new(2, 4, 0).unwrap_err().contains("x and y are below 4"));
        let round = from_mercator({
            let c = to_mercator(Coord { x: 116.4, y: 39.9 });
            [c.x, c.y]
        });
        assert!((round[0] - 116.4).abs() < 1e-9 && (round[1] - 39.9).abs() < 1e-9);
    }
}
