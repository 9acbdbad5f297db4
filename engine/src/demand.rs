//! Demand: weighted points where riders are needed, from OSM tags (the
//! built-in `engine/demand_tags.toml`) or from the city's own file.
//!
//! A demand file is CSV with the columns `lon`, `lat` and optionally `weight`
//! (default 1), `id` and `kind`, or a GeoJSON FeatureCollection of points
//! with the same properties. As with layer files, a file with any bad row is
//! refused whole, every bad row listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::facility::Source;
use crate::layer_file::{Fields, LayerFileError, convert_all, lon_lat, number, position, read_rows, text};
use crate::osm::{OsmType, PointOfInterest, TagSource};
use crate::tag_mapping::TagFilter;

/// The built-in demand mapping file.
pub const BUILT_IN_DEMAND_TAGS: &str = include_str!("../demand_tags.toml");

/// A weighted point where riders are needed.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    /// `node/ID`, `way/ID`, the file's id, or the row's position.
    pub id: String,
    /// `pickup`, `delivery`, or the file's kind.
    pub kind: String,
    /// Relative demand, positive.
    pub weight: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    rule: Vec<RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    kind: String,
    tags: BTreeMap<String, String>,
    weight: f64,
}

/// Which OSM elements are demand, of which kind and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandMapping {
    rules: Vec<(TagFilter, String, f64)>,
}

impl Default for DemandMapping {
    /// The built-in mapping.
    fn default() -> Self {
        DemandMapping::from_toml(BUILT_IN_DEMAND_TAGS).expect("the built-in demand_tags.toml is valid (tested)")
    }
}

impl DemandMapping {
    /// Parses and checks a mapping file.
    pub fn from_toml(text: &str) -> Result<DemandMapping, String> {
        let file: MappingFile = toml::from_str(text).map_err(|e| format!("demand mapping is not valid: {e}"))?;
        let rules = file
            .rule
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let what = format!("demand rule {}", i + 1);
                if !(r.weight.is_finite() && r.weight > 0.0) {
                    return Err(format!("{what}: weight {} is not positive", r.weight));
                }
                Ok((TagFilter::new(r.tags, &what)?, r.kind, r.weight))
            })
            .collect::<Result<_, String>>()?;
        Ok(DemandMapping { rules })
    }

    /// Whether any rule selects an element with these tags.
    pub fn selects(&self, tags: &(impl TagSource + ?Sized)) -> bool {
        self.rules.iter().any(|(filter, _, _)| filter.matches(tags))
    }

    /// The demand point of a selected element, by the first matching rule.
    pub fn point(&self, poi: &PointOfInterest) -> Option<DemandPoint> {
        let (_, kind, weight) = self.rules.iter().find(|(filter, _, _)| filter.matches(&poi.tags))?;
        let element = match poi.osm_type {
            OsmType::Node => "node",
            OsmType::Way => "way",
        };
        Some(DemandPoint {
            id: format!("{element}/{}", poi.id),
            kind: kind.clone(),
            weight: *weight,
            lon: poi.lon_lat[0],
            lat: poi.lon_lat[1],
        })
    }
}

/// Reads a demand file (CSV, or GeoJSON by its `.geojson`/`.json` extension).
pub fn read_demand_file(path: &Path) -> Result<Vec<DemandPoint>, LayerFileError> {
    let (file, rows) = read_rows(path, &["lon", "lat"])?;
    convert_all(&file, rows, demand_point, |_| None)
}

/// A demand point from its fields; the error says which field is wrong.
fn demand_point(fields: Fields, source: Source) -> Result<DemandPoint, String> {
    let [lon, lat] = lon_lat(&fields)?;
    let weight = if text(&fields, "weight").is_some() { number(&fields, "weight", "weight")? } else { 1.0 };
    if !(weight.is_finite() && weight > 0.0) {
        return Err(format!("weight {weight} is not a positive number"));
    }
    Ok(DemandPoint {
        id: text(&fields, "id").unwrap_or_else(|| position(source)),
        kind: text(&fields, "kind").unwrap_or_else(|| "file".into()),
        weight,
        lon,
        lat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osm::Tags;

    fn poi(tags: &[(&str, &str)]) -> PointOfInterest {
        let tags: Tags = tags.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        PointOfInterest { osm_type: OsmType::Way, id: 9, tags, lon_lat: [1.0, 2.0] }
    }

    #[test]
    fn restaurants_and_homes_are_weighted_demand() {
        let mapping = DemandMapping::default();
        let restaurant = mapping.point(&poi(&[("amenity", "restaurant")])).unwrap();
        assert_eq!((restaurant.kind.as_str(), restaurant.weight, restaurant.id.as_str()), ("pickup", 1.0, "way/9"));
        let flats = mapping.point(&poi(&[("building", "apartments")])).unwrap();
        assert_eq!((flats.kind.as_str(), flats.weight), ("delivery", 5.0));
        assert!(mapping.point(&poi(&[("building", "garage")])).is_none());
        assert!(mapping.selects(&poi(&[("shop", "bakery")]).tags));
    }

    #[test]
    fn demand_files_load_whole_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("reach-demand-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("orders.csv");
        std::fs::write(&good, "lon,lat,weight,kind\n24.94,60.17,12,orders\n24.95,60.16,,\n").unwrap();
        let points = read_demand_file(&good).unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].weight, points[0].kind.as_str(), points[0].id.as_str()), (12.0, "orders", "line 2"));
        assert_eq!((points[1].weight, points[1].kind.as_str()), (1.0, "file"));
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "lon,lat,weight\n24.94,91,1\n24.94,60.1,-3\n24.94,60.1,lots\n").unwrap();
        let err = read_demand_file(&bad).unwrap_err().to_string();
        for expected in [
            "3 bad row(s)",
            "line 2: latitude 91",
            "line 3: weight -3 is not a positive number",
            "line 4: weight \"lots\" is not a number",
        ] {
            assert!(err.contains(expected), "{expected:?} missing from {err}");
        }
        let err = DemandMapping::from_toml("[[rule]]\nkind = \"x\"\ntags = { a = \"b\" }\nweight = 0.0").unwrap_err();
        assert!(err.contains("demand rule 1: weight 0 is not positive"), "{err}");
    }
}
