//! A city's own facility lists, from CSV or GeoJSON files, and the point-file
//! reader they share with demand files ([`crate::demand`]) and rider
//! position files ([`read_point_file`]): rows become text fields, every bad
//! row is collected, and a file is taken whole or not at all.
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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geojson::{GeoJson, GeometryValue, JsonValue};

use crate::amenity::Amenities;
use crate::facility::{Facility, Source};
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

/// The fields of one row or feature, by lower-case column or property name,
/// as text (GeoJSON coordinates become `lon` and `lat`).
pub(crate) type Fields = BTreeMap<String, String>;

/// One row or feature: its position (`line N`, `feature N`) and its fields,
/// or why it could not be read.
type Row = (String, Result<Fields, String>);

/// Reads a layer file; `.geojson` and `.json` files are GeoJSON, anything
/// else is CSV.
pub fn read_layer_file(path: &Path) -> Result<Vec<Facility>, LayerFileError> {
    let (file, rows) = read_rows(path, &["id", "layer", "lon", "lat"])?;
    convert_all(&file, rows, facility, |f| Some(f.id.as_str()))
}

/// Parses a CSV layer file; `file` names it in errors and sources.
pub fn parse_csv(bytes: &[u8], file: &str) -> Result<Vec<Facility>, LayerFileError> {
    convert_all(file, csv_rows(bytes, file, &["id", "layer", "lon", "lat"])?, facility, |f| Some(f.id.as_str()))
}

/// Parses a GeoJSON layer file; `file` names it in errors and sources.
pub fn parse_geojson(bytes: &[u8], file: &str) -> Result<Vec<Facility>, LayerFileError> {
    convert_all(file, geojson_rows(bytes, file)?, facility, |f| Some(f.id.as_str()))
}

/// A point with an id, such as a rider's position.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPoint {
    /// The `id` field, or the row's position (`line N`, `feature N`).
    pub id: String,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
}

/// Reads a file of points (CSV with `lon` and `lat` columns and an optional
/// `id`, or GeoJSON Point features), whole or not at all.
pub fn read_point_file(path: &Path) -> Result<Vec<NamedPoint>, LayerFileError> {
    let (file, rows) = read_rows(path, &["lon", "lat"])?;
    convert_all(
        &file,
        rows,
        |fields, source| {
            let [lon, lat] = lon_lat(&fields)?;
            Ok(NamedPoint { id: text(&fields, "id").unwrap_or_else(|| position(source)), lon, lat })
        },
        |_| None,
    )
}

/// Reads the rows of a CSV or GeoJSON file (by its extension), checking
/// that a CSV header has the `required` columns.
pub(crate) fn read_rows(path: &Path, required: &[&str]) -> Result<(String, Vec<Row>), LayerFileError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|reason| LayerFileError::Io { file: file.clone(), reason })?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let rows = if extension == "geojson" || extension == "json" {
        geojson_rows(&bytes, &file)?
    } else {
        csv_rows(&bytes, &file, required)?
    };
    Ok((file, rows))
}

/// Converts every row with `convert`, collecting every problem (including
/// duplicate ids, where `id` gives one) before deciding: all rows or none.
pub(crate) fn convert_all<T>(
    file: &str,
    rows: Vec<Row>,
    convert: impl Fn(Fields, Source) -> Result<T, String>,
    id: impl Fn(&T) -> Option<&str>,
) -> Result<Vec<T>, LayerFileError> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for (position, fields) in rows {
        let source = Source::File { file: file.to_string(), position: position.clone() };
        match fields.and_then(|f| convert(f, source)) {
            Ok(item) => match id(&item).map(str::to_string) {
                Some(key) if first_seen.contains_key(&key) => {
                    problems.push(format!("{position}: duplicate id {key:?} (first at {})", first_seen[&key]));
                }
                key => {
                    if let Some(key) = key {
                        first_seen.insert(key, position);
                    }
                    items.push(item);
                }
            },
            Err(message) => problems.push(format!("{position}: {message}")),
        }
    }
    if problems.is_empty() { Ok(items) } else { Err(LayerFileError::BadRows { file: file.to_string(), problems }) }
}

/// A row's position in its file (`line N`, `feature N`), for rows without
/// an id.
pub(crate) fn position(source: Source) -> String {
    match source {
        Source::File { position, .. } => position,
        Source::Osm { element, .. } => element,
    }
}

/// A field as trimmed text, `None` when missing or empty.
pub(crate) fn text(fields: &Fields, key: &str) -> Option<String> {
    fields.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A required number field; the error names it.
pub(crate) fn number(fields: &Fields, key: &str, what: &str) -> Result<f64, String> {
    let value = text(fields, key).ok_or(format!("{what} is missing"))?;
    value.parse().map_err(|_| format!("{what} {value:?} is not a number"))
}

/// The `lon` and `lat` fields as a checked WGS84 position.
pub(crate) fn lon_lat(fields: &Fields) -> Result<[f64; 2], String> {
    let (lon, lat) = (number(fields, "lon", "longitude")?, number(fields, "lat", "latitude")?);
    check_lon_lat(lon, lat)?;
    Ok([lon, lat])
}

/// A facility from its fields; the error says which field is wrong.
fn facility(fields: Fields, source: Source) -> Result<Facility, String> {
    let id = text(&fields, "id").ok_or("id is missing")?;
    let layer = text(&fields, "layer").ok_or("layer is missing")?.parse()?;
    let [lon, lat] = lon_lat(&fields)?;
    let amenities = Amenities::parse_list(&text(&fields, "amenities").unwrap_or_default())?;
    let capacity = match text(&fields, "capacity") {
        None => None,
        Some(value) => Some(value.parse().map_err(|_| format!("capacity {value:?} is not a whole number"))?),
    };
    Ok(Facility {
        id,
        name: text(&fields, "name"),
        name_zh: text(&fields, "name_zh").or_else(|| text(&fields, "name:zh")),
        layer,
        amenities,
        opening_hours: text(&fields, "opening_hours"),
        capacity,
        lon,
        lat,
        source,
    })
}

/// The rows of a CSV file with a header that has the `required` columns.
fn csv_rows(bytes: &[u8], file: &str, required: &[&str]) -> Result<Vec<Row>, LayerFileError> {
    let invalid = |message: String| LayerFileError::Invalid { file: file.to_string(), message };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    for column in required {
        if !headers.iter().any(|h| h == column) {
            return Err(invalid(format!("the header row has no {column:?} column (required: {})", required.join(","))));
        }
    }
    Ok(reader
        .records()
        .map(|record| match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let fields = headers.iter().cloned().zip(record.iter().map(str::to_string)).collect();
                (format!("line {line}"), Ok(fields))
            }
            Err(e) => (format!("line {}", e.position().map_or(0, |p| p.line())), Err(csv_problem(&e))),
        })
        .collect())
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

/// The features of a GeoJSON FeatureCollection of points, as fields.
fn geojson_rows(bytes: &[u8], file: &str) -> Result<Vec<Row>, LayerFileError> {
    let invalid = |message: String| LayerFileError::Invalid { file: file.to_string(), message };
    let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8 text ({e})")))?;
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(collection)) => collection,
        Ok(other) => return Err(invalid(format!("expected a FeatureCollection, found a {}", kind(&other)))),
        Err(e) => return Err(invalid(format!("not valid GeoJSON: {e}"))),
    };
    Ok(collection
        .features
        .into_iter()
        .enumerate()
        .map(|(i, feature)| {
            let fields = match feature.geometry.map(|g| g.value) {
                Some(GeometryValue::Point { coordinates }) if coordinates.len() >= 2 => {
                    let mut fields: Fields = feature
                        .properties
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|(k, v)| property_text(&v).map(|v| (k.to_ascii_lowercase(), v)))
                        .collect();
                    if let Some(id) = feature.id {
                        fields.entry("id".into()).or_insert(match id {
                            geojson::feature::Id::String(s) => s,
                            geojson::feature::Id::Number(n) => n.to_string(),
                        });
                    }
                    fields.insert("lon".into(), coordinates[0].to_string());
                    fields.insert("lat".into(), coordinates[1].to_string());
                    Ok(fields)
                }
                Some(other) => Err(format!("geometry is a {}, not a Point", other.type_name())),
                None => Err("has no geometry; expected a Point".to_string()),
            };
            (format!("feature {}", i + 1), fields)
        })
        .collect())
}

fn kind(geojson: &GeoJson) -> &'static str {
    match geojson {
        GeoJson::Geometry(g) => g.value.type_name(),
        GeoJson::Feature(_) => "single Feature",
        GeoJson::FeatureCollection(_) => "FeatureCollection",
    }
}

/// A property value as text: arrays are joined with `;`.
fn property_text(value: &JsonValue) -> Option<String> {
    match value {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amenity::Amenity;
    use crate::facility::Layer;

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
