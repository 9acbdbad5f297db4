//! Which OSM elements become facilities, in which layer, with which
//! amenities. The built-in mapping is `engine/facility_tags.toml`, which
//! documents the format and every choice.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::amenity::{Amenities, Amenity};
use crate::facility::{Facility, Layer, Source};
use crate::osm::{OsmType, PointOfInterest, TagSource};

/// The built-in mapping file.
pub const BUILT_IN_TAG_MAPPING: &str = include_str!("../facility_tags.toml");

/// A set of tags an element must all have; the value `*` matches any value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagFilter(BTreeMap<String, String>);

impl TagFilter {
    /// A filter from `key = value` pairs; an empty set is refused (it would
    /// select everything), with `what` naming the rule.
    pub(crate) fn new(tags: BTreeMap<String, String>, what: &str) -> Result<TagFilter, String> {
        if tags.is_empty() { Err(format!("{what} has no tags to match")) } else { Ok(TagFilter(tags)) }
    }

    pub(crate) fn matches(&self, tags: &(impl TagSource + ?Sized)) -> bool {
        self.0.iter().all(|(k, v)| tags.tag(k).is_some_and(|actual| v == "*" || actual == v))
    }

    fn describe(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    layer: Layer,
    tags: TagFilter,
    amenities: Amenities,
}

#[derive(Debug, Clone, PartialEq)]
struct Extra {
    tags: TagFilter,
    amenity: Amenity,
}

/// The OSM tag mapping: ordered rules that select elements, and extra
/// amenities read from further tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TagMapping {
    rules: Vec<Rule>,
    extras: Vec<Extra>,
}

/// Why a tag mapping file was rejected.
#[derive(Debug, thiserror::Error)]
#[error("tag mapping is not valid: {0}")]
pub struct TagMappingError(String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    rule: Vec<RuleFile>,
    #[serde(default)]
    extra: Vec<ExtraFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    layer: String,
    tags: BTreeMap<String, String>,
    amenities: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraFile {
    tags: BTreeMap<String, String>,
    amenity: String,
}

impl Default for TagMapping {
    /// The built-in mapping.
    fn default() -> Self {
        TagMapping::from_toml(BUILT_IN_TAG_MAPPING).expect("the built-in facility_tags.toml is valid (tested)")
    }
}

impl TagMapping {
    /// Parses and checks a mapping file.
    pub fn from_toml(text: &str) -> Result<TagMapping, TagMappingError> {
        let file: MappingFile = toml::from_str(text).map_err(|e| TagMappingError(e.to_string()))?;
        let filter = |tags: BTreeMap<String, String>, what: &str| TagFilter::new(tags, what).map_err(TagMappingError);
        let rules = file
            .rule
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let what = format!("rule {}", i + 1);
                let layer = r.layer.parse().map_err(|e| TagMappingError(format!("{what}: {e}")))?;
                let amenities = Amenities::parse_list(&r.amenities.join(";"))
                    .map_err(|e| TagMappingError(format!("{what}: {e}")))?;
                Ok(Rule { layer, tags: filter(r.tags, &what)?, amenities })
            })
            .collect::<Result<_, TagMappingError>>()?;
        let extras = file
            .extra
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                let what = format!("extra {}", i + 1);
                let amenity = x.amenity.parse().map_err(|e| TagMappingError(format!("{what}: {e}")))?;
                Ok(Extra { tags: filter(x.tags, &what)?, amenity })
            })
            .collect::<Result<_, TagMappingError>>()?;
        Ok(TagMapping { rules, extras })
    }

    /// Whether any rule selects an element with these tags.
    pub fn selects(&self, tags: &(impl TagSource + ?Sized)) -> bool {
        self.rules.iter().any(|r| r.tags.matches(tags))
    }

    /// The facility for a selected element, by the first matching rule.
    pub fn facility(&self, poi: &PointOfInterest) -> Option<Facility> {
        let rule = self.rules.iter().find(|r| r.tags.matches(&poi.tags))?;
        let mut amenities = rule.amenities;
        for extra in self.extras.iter().filter(|x| x.tags.matches(&poi.tags)) {
            amenities.insert(extra.amenity);
        }
        let kind = match poi.osm_type {
            OsmType::Node => "node",
            OsmType::Way => "way",
        };
        let text = |key: &str| poi.tags.tag(key).map(str::to_string);
        Some(Facility {
            id: format!("{kind}/{}", poi.id),
            name: text("name"),
            name_zh: text("name:zh"),
            layer: rule.layer,
            amenities,
            opening_hours: text("opening_hours"),
            capacity: poi.tags.tag("capacity").and_then(|c| c.trim().parse().ok()),
            lon: poi.lon_lat[0],
            lat: poi.lon_lat[1],
            source: Source::Osm { element: format!("{kind}/{}", poi.id), matched: rule.tags.describe() },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osm::Tags;

    fn poi(tags: &[(&str, &str)]) -> PointOfInterest {
        PointOfInterest {
            osm_type: OsmType::Node,
            id: 42,
            tags: tags.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect::<Tags>(),
            lon_lat: [24.94, 60.17],
        }
    }

    #[test]
    fn charging_stations_become_parking_with_charging() {
        let mapping = TagMapping::default();
        let f = mapping.facility(&poi(&[("amenity", "charging_station"), ("capacity", "8")])).unwrap();
        assert_eq!(f.layer, Layer::Parking);
        assert_eq!(f.id, "node/42");
        assert_eq!(f.capacity, Some(8));
        let names: Vec<&str> = f.amenities.iter().map(Amenity::name).collect();
        assert_eq!(names, ["charging", "parking"]);
        assert_eq!(f.source, Source::Osm { element: "node/42".into(), matched: "amenity=charging_station".into() });
    }

    #[test]
    fn cafes_are_merchants_and_extras_add_amenities() {
        let mapping = TagMapping::default();
        let tags = [("amenity", "cafe"), ("name", "Kahvila"), ("name:zh", "咖啡馆"), ("toilets", "yes")];
        let f = mapping.facility(&poi(&tags)).unwrap();
        assert_eq!(f.layer, Layer::Merchants);
        assert_eq!((f.name.as_deref(), f.name_zh.as_deref()), (Some("Kahvila"), Some("咖啡馆")));
        assert!(f.amenities.contains(Amenity::Toilet) && f.amenities.contains(Amenity::Water));
    }

    #[test]
    fn banks_and_police_are_station_candidates() {
        let mapping = TagMapping::default();
        assert_eq!(mapping.facility(&poi(&[("amenity", "bank")])).unwrap().layer, Layer::Stations);
        assert_eq!(mapping.facility(&poi(&[("amenity", "police")])).unwrap().layer, Layer::Stations);
        assert!(mapping.facility(&poi(&[("amenity", "parking")])).is_none());
        assert!(!mapping.selects(&poi(&[("highway", "residential")]).tags));
    }

    #[test]
    fn wildcards_and_bad_files() {
        let mapping =
            TagMapping::from_toml("[[rule]]\nlayer = \"parking\"\ntags = { amenity = \"*\" }\namenities = []").unwrap();
        assert!(mapping.selects(&poi(&[("amenity", "anything")]).tags));
        let err = TagMapping::from_toml("[[rule]]\nlayer = \"depots\"\ntags = { a = \"b\" }\namenities = []")
            .unwrap_err()
            .to_string();
        assert!(err.contains("rule 1") && err.contains("depots"), "{err}");
        let err = TagMapping::from_toml("[[extra]]\ntags = {}\namenity = \"water\"").unwrap_err().to_string();
        assert!(err.contains("extra 1 has no tags"), "{err}");
    }
}
