//! RFC 7946 GeoJSON features for what the engine holds: longitude first,
//! WGS84, one feature per facility or directed edge. Writing them to files
//! or sockets is the caller's business.

use geo::{Coord, MapCoords, MultiLineString, MultiPolygon};
use geojson::{Feature, Geometry, GeometryValue, JsonObject, JsonValue};
use serde_json::json;

use crate::TIME_UNITS_PER_SECOND;
use crate::engine::Engine;
use crate::facility::{Facility, Layer};
use crate::graph::{EdgeId, Graph};
use crate::isochrone::{ContourNetwork, ContourPolygons};
use crate::nearest::{Answer, Nearest};
use crate::snap::{Snap, SnapError};

/// Rounds to centimetres (or centiseconds) for readable output.
fn centi(value: f64) -> f64 {
    round_to(value, 2)
}

/// Rounds a coordinate to 10⁻⁷ degrees (about 1 cm), OSM's own precision.
fn round7(c: Coord<f64>) -> Coord<f64> {
    Coord { x: (c.x * 1e7).round() / 1e7, y: (c.y * 1e7).round() / 1e7 }
}

fn feature(geometry: Geometry, properties: JsonObject) -> Feature {
    Feature { geometry: Some(geometry), properties: Some(properties), ..Feature::default() }
}

/// A facility as a Point feature. Properties: `id`, `name`, `name_zh`,
/// `layer`, `amenities` (array), `opening_hours`, `capacity`, `source`
/// (`osm` or `file`) with `element` and `matched` or `file` and `position`,
/// `snapped`, and `snap_distance_m` or `snap_error`.
pub fn facility_feature(facility: &Facility, snap: &Result<Snap, SnapError>) -> Feature {
    let mut properties = match serde_json::to_value(facility) {
        Ok(JsonValue::Object(map)) => map,
        _ => JsonObject::new(),
    };
    properties.remove("lon");
    properties.remove("lat");
    properties.insert("snapped".into(), json!(snap.is_ok()));
    match snap {
        Ok(s) => properties.insert("snap_distance_m".into(), json!(centi(s.distance_m))),
        Err(e) => properties.insert("snap_error".into(), json!(e.to_string())),
    };
    feature(Geometry::new_point([facility.lon, facility.lat]), properties)
}

/// A directed edge as a LineString feature from its tail to its head.
/// Properties: `edge`, `from` and `to` (graph node ids), `from_osm` and
/// `to_osm` (OSM node ids), `osm_way`, `highway`, `name`, `length_m`,
/// `time_s`.
pub fn edge_feature(graph: &Graph, edge: EdgeId) -> Feature {
    let (road, _) = graph.edge_road(edge);
    let (from, to) = (graph.tail(edge), graph.head(edge));
    let properties = json!({
        "edge": edge,
        "from": from,
        "to": to,
        "from_osm": graph.node_osm_id(from),
        "to_osm": graph.node_osm_id(to),
        "osm_way": graph.road_way_id(road),
        "highway": graph.road_highway(road),
        "name": graph.road_name(road),
        "length_m": centi(graph.edge_length_m(edge)),
        "time_s": f64::from(graph.time(edge)) / f64::from(TIME_UNITS_PER_SECOND),
    });
    let JsonValue::Object(properties) = properties else { unreachable!("json! of an object literal") };
    feature(Geometry::new_line_string(graph.edge_geometry(edge)), properties)
}

/// What an isochrone feature is the isochrone of.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// One facility.
    Facility(&'a Facility),
    /// An arbitrary point, `[lon, lat]` as asked.
    Point([f64; 2]),
    /// The service circle of a selection of facilities.
    ServiceCircle {
        /// The layer, if the selection is one layer.
        layer: Option<Layer>,
        /// How many facilities took part.
        facilities: usize,
    },
}

impl Origin<'_> {
    /// The properties naming the origin: `kind` (`isochrone` or
    /// `service_circle`), then `facility`, `layer`, `name` for a facility,
    /// `lon`, `lat` for a point, `layer`, `facilities` for a service circle.
    fn properties(&self) -> JsonObject {
        let value = match self {
            Origin::Facility(f) => {
                json!({"kind": "isochrone", "facility": f.id, "layer": f.layer, "name": f.name})
            }
            Origin::Point([lon, lat]) => json!({"kind": "isochrone", "lon": lon, "lat": lat}),
            Origin::ServiceCircle { layer, facilities } => {
                json!({"kind": "service_circle", "layer": layer, "facilities": facilities})
            }
        };
        match value {
            JsonValue::Object(map) => map,
            _ => JsonObject::new(),
        }
    }
}

/// One contour's polygons as a MultiPolygon feature with the origin's
/// properties and `minutes`, `direction` (`to` or `from`), `profile`,
/// `area_km2`, `road_km`.
pub fn contour_polygons_feature(origin: Origin, direction: &str, profile: &str, contour: &ContourPolygons) -> Feature {
    let mut properties = contour_properties(origin, direction, profile, contour.minutes, contour.road_km);
    properties.insert("area_km2".into(), json!(round_to(contour.area_km2, 6)));
    let polygons: MultiPolygon<f64> = contour.polygons.map_coords(round7);
    feature(Geometry::new(GeometryValue::from(&polygons)), properties)
}

/// One contour's reached network as a MultiLineString feature, with the
/// same properties as [`contour_polygons_feature`] but no `area_km2`.
pub fn contour_network_feature(origin: Origin, direction: &str, profile: &str, contour: &ContourNetwork) -> Feature {
    let properties = contour_properties(origin, direction, profile, contour.minutes, contour.road_km);
    let lines: MultiLineString<f64> = contour.lines.map_coords(round7);
    feature(Geometry::new(GeometryValue::from(&lines)), properties)
}

/// The properties every contour feature has.
fn contour_properties(origin: Origin, direction: &str, profile: &str, minutes: f64, road_km: f64) -> JsonObject {
    let mut properties = origin.properties();
    properties.insert("minutes".into(), json!(minutes));
    properties.insert("direction".into(), json!(direction));
    properties.insert("profile".into(), json!(profile));
    properties.insert("road_km".into(), json!(round_to(road_km, 4)));
    properties
}

/// The properties of one nearest-facility answer: `rank` (from 1), the
/// facility's `facility` (id), `name`, `name_zh`, `layer`, `amenities`,
/// `opening_hours` and `capacity`, then `seconds`, `minutes`, `distance_m`
/// (along the route), `snap_distance_m` (from the rider's point to the road)
/// and `profile`.
pub fn answer_properties(engine: &Engine, result: &Nearest, rank: usize, answer: &Answer) -> JsonObject {
    let facility = engine.facilities.get(answer.facility);
    let properties = json!({
        "rank": rank + 1,
        "facility": facility.id,
        "name": facility.name,
        "name_zh": facility.name_zh,
        "layer": facility.layer,
        "amenities": facility.amenities,
        "opening_hours": facility.opening_hours,
        "capacity": facility.capacity,
        "seconds": answer.seconds(),
        "minutes": centi(answer.seconds() / 60.0),
        "distance_m": centi(answer.route.length_m),
        "snap_distance_m": centi(result.start.distance_m),
        "profile": engine.profile.name,
    });
    match properties {
        JsonValue::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// One nearest-facility answer as a feature with [`answer_properties`]: the
/// route from the rider's snapped point to the facility's as a LineString,
/// or a Point where the two coincide.
pub fn answer_feature(engine: &Engine, result: &Nearest, rank: usize, answer: &Answer) -> Feature {
    let line = answer.route.geometry(engine).map_coords(round7);
    let geometry = match line.0.as_slice() {
        [only] => Geometry::new_point([only.x, only.y]),
        [] => Geometry::new_point(result.start.lon_lat),
        _ => Geometry::new(GeometryValue::from(&line)),
    };
    feature(geometry, answer_properties(engine, result, rank, answer))
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{ebike_town, edge};

    #[test]
    fn edges_are_linestrings_longitude_first_with_their_properties() {
        let graph = ebike_town();
        let e = edge(&graph, 4, 6).unwrap();
        let text = serde_json::to_string(&edge_feature(&graph, e)).unwrap();
        let value: JsonValue = serde_json::from_str(&text).unwrap();
        assert_eq!(value["geometry"]["type"], "LineString");
        assert_eq!(value["geometry"]["coordinates"], json!([[0.001, 0.002], [0.001, 0.001], [0.001, 0.0]]));
        let p = &value["properties"];
        assert_eq!((p["from_osm"].as_i64(), p["to_osm"].as_i64(), p["osm_way"].as_i64()), (Some(4), Some(6), Some(2)));
        assert_eq!(p["time_s"], 50.0);
        assert_eq!(p["length_m"], 222.39);
        assert_eq!(p["highway"], "residential");
    }
}
