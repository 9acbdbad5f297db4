//! A city's own facility lists, from CSV or GeoJSON files.
//!
//! **CSV** (UTF-8, a header row, columns in any order):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `id` | yes | unique id of the facility |
//! | `name` | no | display name |
//! | `name_zh` | no | Chinese name |
//! | `layer` | yes | `stations`, `merchants` or `parking` |
//! | `lon`, `lat` | yes | WGS84 degrees |
//! | `amenities` | no | names separated by `;` (also `,` or `\|`) |
//! | `opening_hours` | no | OSM `opening_hours` syntax |
//! | `capacity` | no | a whole number |
//!
//! **GeoJSON**: a FeatureCollection of Point features whose properties have
//! the same names (`name:zh` is accepted for `name_zh`, `amenities` may be an
//! array, and the feature's own `id` stands in for a missing `id` property).
//!
//! A file is accepted whole or not at all: if any row is bad, nothing is
//! loaded and the error lists every bad row with its line (CSV) or feature
//! number (GeoJSON), so the file can be fixed in one pass. A city's official
//! list is better refused than half-loaded without anyone noticing.

use std::collections::HashMap;
use std::path::Path;

use geojson::{GeoJson, GeometryValue, JsonObject, JsonValue};

use crate::amenity::Amenities;
use crate::facility::{Facility, Layer, Source};
use crate::geo_math::check_lon_lat;

/// How many bad rows an error lists before it summarises the rest.
const LISTED_PROBLEMS: usize = 20;

/// Why a layer file was refused.
#[derive(Debug, thiserror::Error)]
pub enum LayerFileError {
    /// The file could not be read.
    #[error("cannot read layer file {file}: {reason}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's reason.
        reason: std::io::Error,
    },
    /// The file as a whole is not usable (not GeoJSON, missing columns...).
    #[error("layer file {file}: {message}; nothing loaded")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Some rows are bad; the whole file is refused.
    #[error("layer file {file}: {} bad row(s), nothing loaded:\n{}", problems.len(), list(problems))]
    BadRows {
        /// The file.
        file: String,
        /// One message per bad row, starting with its position.
        problems: Vec<String>,
    },
}

fn list(problems: &[String]) -> String {
    let mut text: Vec<String> = problems.iter().take(LISTED_PROBLEMS).map(|p| format!("  {p}")).collect();
    if problems.len() > LISTED_PROBLEMS {
        text.push(format!("  ... and {} more", problems.len() - LISTED_PROBLEMS));
    }
    text.join("\n")
}

/// Reads a layer file; `.geojson` and `.json` files are GeoJSON, anything
/// else is CSV.
pub fn read_layer_file(path: &Path) -> Result<Vec<Facility>, LayerFileError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|reason| LayerFileError::Io { file: file.clone(), reason })?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if extension == "geojson" || extension == "json" { parse_geojson(&bytes, &file) } else { parse_csv(&bytes, &file) }
}

/// The fields of one row or feature, as text.
#[derive(Default)]
struct RawFacility {
    id: Option<String>,
    name: Option<String>,
    name_zh: Option<String>,
    layer: Option<String>,
    lon: Option<String>,
    lat: Option<String>,
    amenities: Option<String>,
    opening_hours: Option<String>,
    capacity: Option<String>,
}

impl RawFacility {
    /// Checks and converts the fields; the error says which field is wrong.
    fn into_facility(self, source: Source) -> Result<Facility, String> {
        let id = self.id.filter(|s| !s.is_empty()).ok_or("id is missing")?;
        let layer: Layer = self.layer.as_deref().ok_or("layer is missing")?.parse()?;
        let number = |value: Option<String>, what: &str| -> Result<f64, String> {
            let text = value.filter(|s| !s.is_empty()).ok_or(format!("{what} is missing"))?;
            text.parse().map_err(|_| format!("{what} {text:?} is not a number"))
        };
        let lon = number(self.lon, "longitude")?;
        let lat = number(self.lat, "latitude")?;
        check_lon_lat(lon, lat)?;
        let amenities = Amenities::parse_list(self.amenities.as_deref().unwrap_or_default())?;
        let capacity = match self.capacity.filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(text.parse().map_err(|_| format!("capacity {text:?} is not a whole number"))?),
        };
        let text = |v: Option<String>| v.filter(|s| !s.is_empty());
        Ok(Facility {
            id,
            name: text(self.name),
            name_zh: text(self.name_zh),
            layer,
            amenities,
            opening_hours: text(self.opening_hours),
            capacity,
            lon,
            lat,
            source,
        })
    }
}

/// Converts raw rows to facilities, collecting every problem (including
/// duplicate ids) before deciding.
fn check_all(file: &str, rows: Vec<(String, Result<RawFacility, String>)>) -> Result<Vec<Facility>, LayerFileError> {
    let mut facilities = Vec::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for (position, raw) in rows {
        let source = Source::File { file: file.to_string(), position: position.clone() };
        match raw.and_then(|r| r.into_facility(source)) {
            Ok(f) => match first_seen.get(&f.id) {
                Some(first) => problems.push(format!("{position}: duplicate id {:?} (first at {first})", f.id)),
                None => {
                    first_seen.insert(f.id.clone(), position);
                    facilities.push(f);
                }
            },
            Err(message) => problems.push(format!("{position}: {message}")),
        }
    }
    if problems.is_empty() { Ok(facilities) } else { Err(LayerFileError::BadRows { file: file.to_string(), problems }) }
}

/// Parses a CSV layer file; `file` names it in errors and sources.
pub fn parse_csv(bytes: &[u8], file: &str) -> Result<Vec<Facility>, LayerFileError> {
    let invalid = |message: String| LayerFileError::Invalid { file: file.to_string(), message };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|e| invalid(format!("cannot read the header row: {e}")))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    for required in ["id", "layer", "lon", "lat"] {
        if column(required).is_none() {
            return Err(invalid(format!(
                "the header row has no {required:?} column (expected id,name,layer,lon,lat,amenities,opening_hours,capacity)"
            )));
        }
    }
    let columns =
        ["id", "name", "name_zh", "layer", "lon", "lat", "amenities", "opening_hours", "capacity"].map(column);
    let mut rows = Vec::new();
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let get = |i: usize| columns[i].and_then(|c| record.get(c)).map(str::to_string);
                let raw = RawFacility {
                    id: get(0),
                    name: get(1),
                    name_zh: get(2),
                    layer: get(3),
                    lon: get(4),
                    lat: get(5),
                    amenities: get(6),
                    opening_hours: get(7),
                    capacity: get(8),
                };
                (format!("line {line}"), Ok(raw))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                (format!("line {line}"), Err(csv_problem(&e)))
            }
        };
        rows.push(row);
    }
    check_all(file, rows)
}

/// A CSV reading problem without the position (the caller adds it).
fn csv_problem(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_string(),
        _ => error.to_string(),
    }
}

/// Parses a GeoJSON layer file; `file` names it in errors and sources.
pub fn parse_geojson(bytes: &[u8], file: &str) -> Result<Vec<Facility>, LayerFileError> {
    let invalid = |message: String| LayerFileError::Invalid { file: file.to_string(), message };
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(collection)) => collection,
        Ok(other) => return Err(invalid(format!("expected a FeatureCollection, found a {}", kind(&other)))),
        Err(e) => return Err(invalid(format!("not valid GeoJSON: {e}"))),
    };
    let rows = collection
        .features
        .into_iter()
        .enumerate()
        .map(|(i, feature)| {
            let position = format!("feature {}", i + 1);
            let raw = match feature.geometry.map(|g| g.value) {
                Some(GeometryValue::Point { coordinates }) if coordinates.len() >= 2 => {
                    let properties = feature.properties.unwrap_or_default();
                    let feature_id = feature.id.map(|id| match id {
                        geojson::feature::Id::String(s) => s,
                        geojson::feature::Id::Number(n) => n.to_string(),
                    });
                    Ok(raw_from_properties(&properties, feature_id, [coordinates[0], coordinates[1]]))
                }
                Some(other) => Err(format!("geometry is a {}, not a Point", other.type_name())),
                None => Err("has no geometry; expected a Point".to_string()),
            };
            (position, raw)
        })
        .collect();
    check_all(file, rows)
}

fn kind(geojson: &GeoJson) -> &'static str {
    match geojson {
        GeoJson::Geometry(g) => g.value.type_name(),
        GeoJson::Feature(_) => "single Feature",
        GeoJson::FeatureCollection(_) => "FeatureCollection",
    }
}

/// The fields of a GeoJSON feature's properties, as text.
fn raw_from_properties(properties: &JsonObject, feature_id: Option<String>, lon_lat: [f64; 2]) -> RawFacility {
    let text = |key: &str| {
        properties.get(key).and_then(|v| match v {
            JsonValue::String(s) => Some(s.trim().to_string()),
            JsonValue::Number(n) => Some(n.to_string()),
            JsonValue::Array(items) => Some(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            JsonValue::Bool(b) => Some(b.to_string()),
            JsonValue::Null | JsonValue::Object(_) => None,
        })
    };
    RawFacility {
        id: text("id").or(feature_id),
        name: text("name"),
        name_zh: text("name_zh").or_else(|| text("name:zh")),
        layer: text("layer"),
        lon: Some(lon_lat[0].to_string()),
        lat: Some(lon_lat[1].to_string()),
        amenities: text("amenities"),
        opening_hours: text("opening_hours"),
        capacity: text("capacity"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amenity::Amenity;

    const HEADER: &str = "id,name,layer,lon,lat,amenities,opening_hours,capacity\n";

    fn csv(rows: &str) -> Result<Vec<Facility>, LayerFileError> {
        parse_csv(format!("{HEADER}{rows}").as_bytes(), "city.csv")
    }

    #[test]
    fn good_csv_rows_load_with_every_field() {
        let facilities =
            csv("s1,Station One,stations,24.94,60.17,water;charging,24/7,12\nm1,,merchants,24.95,60.16,,,\n").unwrap();
        assert_eq!(facilities.len(), 2);
        let s1 = &facilities[0];
        assert_eq!((s1.id.as_str(), s1.name.as_deref(), s1.layer), ("s1", Some("Station One"), Layer::Stations));
        assert_eq!((s1.lon, s1.lat, s1.capacity), (24.94, 60.17, Some(12)));
        assert!(s1.amenities.contains(Amenity::Charging));
        assert_eq!(s1.opening_hours.as_deref(), Some("24/7"));
        assert_eq!(s1.source, Source::File { file: "city.csv".into(), position: "line 2".into() });
        assert_eq!((facilities[1].name.as_ref(), facilities[1].capacity), (None, None));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_loads() {
        let err = csv(concat!(
            "ok,A,stations,24.94,60.17,,,\n",
            "bad_lat,B,stations,24.94,91,,,\n",
            "bad_nan,C,stations,NaN,60.1,,,\n",
            "bad_layer,D,depots,24.94,60.17,,,\n",
            "ok,E,stations,24.94,60.17,,,\n",
            "short,F,stations\n",
            "bad_amenity,G,parking,24.9,60.1,sauna,,\n",
            "bad_capacity,H,parking,24.9,60.1,,,many\n",
            ",I,parking,24.9,60.1,,,\n",
        ))
        .unwrap_err()
        .to_string();
        for expected in [
            "city.csv: 8 bad row(s), nothing loaded",
            "line 3: latitude 91 is not a number in [-90, 90]",
            "line 4: longitude NaN",
            "line 5: unknown layer \"depots\"; known layers: stations, merchants, parking",
            "line 6: duplicate id \"ok\" (first at line 2)",
            "line 7: has 3 fields, the header has 8",
            "line 8: unknown amenity \"sauna\"",
            "line 9: capacity \"many\" is not a whole number",
            "line 10: id is missing",
        ] {
            assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
        }
    }

    #[test]
    fn a_csv_without_required_columns_is_refused() {
        let err = parse_csv(b"id,name,layer,lon\n1,a,stations,3\n", "x.csv").unwrap_err().to_string();
        assert!(err.contains("x.csv") && err.contains("no \"lat\" column"), "{err}");
    }

    #[test]
    fn a_header_only_csv_is_an_empty_layer() {
        assert!(csv("").unwrap().is_empty());
    }

    #[test]
    fn geojson_points_load_with_array_amenities_and_feature_ids() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[104.06,30.66]},
             "properties":{"name":"骑手驿站","name:zh":"骑手驿站","layer":"stations","amenities":["water","microwave"],"capacity":6}}]}"#;
        let facilities = parse_geojson(text.as_bytes(), "city.geojson").unwrap();
        assert_eq!(facilities.len(), 1);
        let f = &facilities[0];
        assert_eq!((f.id.as_str(), f.name_zh.as_deref(), f.capacity), ("7", Some("骑手驿站"), Some(6)));
        assert!(f.amenities.contains(Amenity::Microwave));
        assert_eq!((f.lon, f.lat), (104.06, 30.66));
    }

    #[test]
    fn geojson_that_is_not_points_is_refused_by_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"a","layer":"parking"}},
            {"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{"id":"b","layer":"parking"}},
            {"type":"Feature","geometry":null,"properties":{"id":"c","layer":"parking"}}]}"#;
        let err = parse_geojson(text.as_bytes(), "city.geojson").unwrap_err().to_string();
        assert!(err.contains("feature 2: geometry is a LineString, not a Point"), "{err}");
        assert!(err.contains("feature 3: has no geometry"), "{err}");
        let err = parse_geojson(br#"{"type":"Point","coordinates":[1,2]}"#, "p.geojson").unwrap_err().to_string();
        assert!(err.contains("expected a FeatureCollection, found a Point"), "{err}");
        let err = parse_geojson(b"{not json", "p.geojson").unwrap_err().to_string();
        assert!(err.contains("p.geojson: not valid GeoJSON"), "{err}");
    }
}
