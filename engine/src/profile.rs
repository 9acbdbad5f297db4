//! Travel profiles as data: which OSM ways a traveller may use, in which
//! direction, and how fast.
//!
//! The built-in profiles (`ebike`, `bicycle`, `walk`, `car`) come from
//! `engine/profiles.toml`, compiled in; the file documents every field. A
//! city's own TOML file in the same format replaces or adds whole profiles.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::osm::TagSource;

/// The built-in profiles file.
pub const BUILT_IN_PROFILES: &str = include_str!("../profiles.toml");

/// Values of access and riding keys that explicitly allow.
const ALLOWING_VALUES: [&str; 3] = ["yes", "designated", "permissive"];

/// How one kind of traveller moves. Field meanings are documented in
/// `engine/profiles.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile's name (the TOML table name).
    #[serde(skip)]
    pub name: String,
    /// One line for humans.
    pub description: String,
    /// No edge is faster than this.
    pub max_speed_kmh: f64,
    /// Ridden `highway=*` classes and their average speeds.
    pub ride_kmh: BTreeMap<String, f64>,
    /// Classes where the traveller pushes in both directions.
    pub push_highways: Vec<String>,
    /// Pushing speed.
    pub push_speed_kmh: f64,
    /// Keys that, set to an allowing value, permit riding on a push highway.
    pub push_riding_keys: Vec<String>,
    /// Riding speed on a push highway where riding is allowed.
    pub push_ride_kmh: f64,
    /// Access key levels for pushing (walking) along push highways.
    pub push_access: Vec<Vec<String>>,
    /// Access keys from general to specific, grouped in levels.
    pub access: Vec<Vec<String>>,
    /// Access values that close a way.
    pub denied_access: Vec<String>,
    /// Access values that turn riding into pushing.
    pub dismount_access: Vec<String>,
    /// `[key, value]` pairs that close a way.
    pub forbidden_tags: Vec<[String; 2]>,
    /// Keys read for one-way rules, the first present wins.
    pub oneway_keys: Vec<String>,
    /// Roundabouts are one-way unless tagged otherwise.
    pub roundabout_oneway: bool,
    /// Classes that are one-way unless tagged otherwise.
    pub implied_oneway: Vec<String>,
    /// `cycleway=opposite*` opens the reverse direction of a one-way street.
    pub opposite_cycleway: bool,
    /// Cap speeds at a numeric `maxspeed` tag.
    pub honour_maxspeed: bool,
}

/// Speeds in km/h along and against the way's node order; `None` where that
/// direction is closed. At least one direction is open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Travel {
    /// Speed along the way's node order.
    pub forward_kmh: Option<f64>,
    /// Speed against the way's node order.
    pub backward_kmh: Option<f64>,
}

/// Which way of travel a profile's one-way rules leave open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oneway {
    /// Both directions.
    Both,
    /// Along the node order only.
    Forward,
    /// Against the node order only.
    Backward,
    /// Neither (`oneway=reversible` and similar).
    Closed,
}

/// What the access tags say about a way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Default,
    Denied,
    Dismount,
}

impl Profile {
    /// How this profile travels a way with these tags; `None` if the way is
    /// closed to it.
    pub fn travel(&self, tags: &(impl TagSource + ?Sized)) -> Option<Travel> {
        let class = tags.tag("highway")?;
        if self.forbidden_tags.iter().any(|[k, v]| tags.tag(k) == Some(v.as_str())) {
            return None;
        }
        let access = self.access(&self.access, tags);
        let pushing = Travel { forward_kmh: Some(self.push_speed_kmh), backward_kmh: Some(self.push_speed_kmh) };
        let ride_kmh = if let Some(&kmh) = self.ride_kmh.get(class) {
            match access {
                Access::Denied => return None,
                Access::Dismount => return Some(pushing),
                Access::Default => kmh,
            }
        } else if self.push_highways.iter().any(|c| c == class) {
            let riding_allowed = access == Access::Default
                && self.push_riding_keys.iter().any(|k| tags.tag(k).is_some_and(|v| ALLOWING_VALUES.contains(&v)));
            if riding_allowed {
                self.push_ride_kmh
            } else {
                // Pushing is walking: only the walking access keys can forbid it.
                return (self.access(&self.push_access, tags) != Access::Denied).then_some(pushing);
            }
        } else {
            return None;
        };
        let kmh = self.cap_speed(ride_kmh, tags);
        let (forward, backward) = match self.direction(class, tags) {
            Oneway::Both => (true, true),
            Oneway::Forward => (true, false),
            Oneway::Backward => (false, true),
            Oneway::Closed => return None,
        };
        Some(Travel { forward_kmh: forward.then_some(kmh), backward_kmh: backward.then_some(kmh) })
    }

    /// The most specific of `levels` with a tag present decides.
    fn access(&self, levels: &[Vec<String>], tags: &(impl TagSource + ?Sized)) -> Access {
        for level in levels.iter().rev() {
            let values: Vec<&str> = level.iter().filter_map(|k| tags.tag(k)).collect();
            if values.is_empty() {
                continue;
            }
            if values.iter().any(|v| self.denied_access.iter().any(|d| d == v)) {
                return Access::Denied;
            }
            if values.iter().any(|v| self.dismount_access.iter().any(|d| d == v)) {
                return Access::Dismount;
            }
            return Access::Default;
        }
        Access::Default
    }

    /// The profile's speed cap, and the `maxspeed` tag where honoured.
    fn cap_speed(&self, kmh: f64, tags: &(impl TagSource + ?Sized)) -> f64 {
        let mut kmh = kmh.min(self.max_speed_kmh);
        if self.honour_maxspeed
            && let Some(limit) = tags.tag("maxspeed").and_then(parse_maxspeed)
        {
            kmh = kmh.min(limit);
        }
        kmh
    }

    /// One-way rules: the first oneway key present, then roundabouts and
    /// implied classes; `cycleway=opposite*` reopens the reverse direction.
    pub fn direction(&self, class: &str, tags: &(impl TagSource + ?Sized)) -> Oneway {
        let tagged = self.oneway_keys.iter().find_map(|k| tags.tag(k));
        let direction = match tagged {
            Some("yes" | "true" | "1") => Oneway::Forward,
            Some("-1" | "reverse") => Oneway::Backward,
            Some("reversible" | "alternating") => Oneway::Closed,
            Some(_) => Oneway::Both,
            None => {
                let roundabout = matches!(tags.tag("junction"), Some("roundabout" | "circular"));
                if (roundabout && self.roundabout_oneway) || self.implied_oneway.iter().any(|c| c == class) {
                    Oneway::Forward
                } else {
                    Oneway::Both
                }
            }
        };
        let opposite = self.opposite_cycleway
            && ["cycleway", "cycleway:left", "cycleway:right", "cycleway:both"]
                .iter()
                .any(|k| tags.tag(k).is_some_and(|v| v.starts_with("opposite")));
        match direction {
            Oneway::Forward | Oneway::Backward if opposite => Oneway::Both,
            other => other,
        }
    }

    /// Checks that every speed is a positive, finite number of km/h.
    fn validate(&self) -> Result<(), ProfileError> {
        let speeds = self.ride_kmh.iter().map(|(class, &v)| (format!("ride_kmh.{class}"), v)).chain([
            ("max_speed_kmh".to_string(), self.max_speed_kmh),
            ("push_speed_kmh".to_string(), self.push_speed_kmh),
            ("push_ride_kmh".to_string(), self.push_ride_kmh),
        ]);
        for (field, value) in speeds {
            if !(value.is_finite() && value > 0.0 && value <= 500.0) {
                return Err(ProfileError::BadSpeed { profile: self.name.clone(), field, value });
            }
        }
        Ok(())
    }
}

/// Parses a numeric `maxspeed` (`50`, `30 mph`); other values give `None`.
fn parse_maxspeed(value: &str) -> Option<f64> {
    let value = value.trim();
    let (number, factor) = match value.strip_suffix("mph") {
        Some(n) => (n.trim(), 1.609_344),
        None => (value.strip_suffix("km/h").unwrap_or(value).trim(), 1.0),
    };
    number.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0).map(|v| v * factor)
}

/// Why a profiles file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The TOML does not parse or does not match the schema.
    #[error("profiles file is not valid: {0}")]
    Parse(String),
    /// A speed is not a positive number of km/h.
    #[error("profile {profile}: {field} = {value} is not a speed in (0, 500] km/h")]
    BadSpeed {
        /// The profile.
        profile: String,
        /// The field.
        field: String,
        /// The value given.
        value: f64,
    },
    /// No profile of that name.
    #[error("unknown profile {name:?}; known profiles: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
}

/// A set of named profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Profiles {
    by_name: BTreeMap<String, Profile>,
}

impl Default for Profiles {
    /// The built-in profiles.
    fn default() -> Self {
        Profiles::from_toml(BUILT_IN_PROFILES).expect("the built-in profiles.toml is valid (tested)")
    }
}

impl Profiles {
    /// Parses and validates a profiles file.
    pub fn from_toml(text: &str) -> Result<Profiles, ProfileError> {
        let mut by_name: BTreeMap<String, Profile> =
            toml::from_str(text).map_err(|e| ProfileError::Parse(e.to_string()))?;
        for (name, profile) in &mut by_name {
            profile.name = name.clone();
            profile.validate()?;
        }
        Ok(Profiles { by_name })
    }

    /// The built-in profiles with those of `text` replacing or adding
    /// profiles by name.
    pub fn with_overrides(text: &str) -> Result<Profiles, ProfileError> {
        let mut profiles = Profiles::default();
        profiles.by_name.extend(Profiles::from_toml(text)?.by_name);
        Ok(profiles)
    }

    /// The profile called `name`, or an error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.by_name.get(name).ok_or_else(|| ProfileError::Unknown {
            name: name.to_string(),
            known: self.names().collect::<Vec<_>>().join(", "),
        })
    }

    /// Profile names in alphabetical order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// All profiles in alphabetical order.
    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.by_name.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        Profiles::default().get(name).unwrap().clone()
    }

    fn travel(name: &str, tags: &[(&str, &str)]) -> Option<(Option<f64>, Option<f64>)> {
        profile(name).travel(tags).map(|t| (t.forward_kmh, t.backward_kmh))
    }

    #[test]
    fn built_in_profiles_parse() {
        let names: Vec<String> = Profiles::default().names().map(String::from).collect();
        assert_eq!(names, ["bicycle", "car", "ebike", "walk"]);
    }

    #[test]
    fn ebike_rides_roads_and_cycleways_at_capped_speeds() {
        assert_eq!(travel("ebike", &[("highway", "residential")]), Some((Some(16.0), Some(16.0))));
        assert_eq!(travel("ebike", &[("highway", "cycleway")]), Some((Some(20.0), Some(20.0))));
        for &kmh in profile("ebike").ride_kmh.values() {
            assert!(kmh <= 25.0, "GB 17761-2018 caps e-bikes at 25 km/h");
        }
    }

    #[test]
    fn ebike_is_kept_off_motorways_trunks_and_motorroads() {
        assert_eq!(travel("ebike", &[("highway", "motorway")]), None);
        assert_eq!(travel("ebike", &[("highway", "trunk")]), None);
        assert_eq!(travel("ebike", &[("highway", "primary"), ("motorroad", "yes")]), None);
    }

    #[test]
    fn access_tags_close_ways_and_the_most_specific_level_decides() {
        assert_eq!(travel("ebike", &[("highway", "service"), ("access", "private")]), None);
        assert_eq!(travel("ebike", &[("highway", "primary"), ("bicycle", "no")]), None);
        assert_eq!(travel("ebike", &[("highway", "primary"), ("moped", "no")]), None);
        // A 25 km/h e-bike is a bicycle first: bicycle=designated wins over moped=no.
        let cycleway = [("highway", "cycleway"), ("bicycle", "designated"), ("moped", "no")];
        assert_eq!(travel("ebike", &cycleway), Some((Some(20.0), Some(20.0))));
        assert!(travel("ebike", &[("highway", "service"), ("access", "no"), ("bicycle", "yes")]).is_some());
        assert!(travel("ebike", &[("highway", "service"), ("access", "delivery")]).is_some());
        assert_eq!(travel("car", &[("highway", "service"), ("access", "delivery")]), None);
    }

    #[test]
    fn footways_are_pushed_both_ways_unless_riding_is_allowed() {
        assert_eq!(travel("ebike", &[("highway", "footway")]), Some((Some(4.0), Some(4.0))));
        assert_eq!(
            travel("ebike", &[("highway", "footway"), ("bicycle", "designated"), ("oneway", "yes")]),
            Some((Some(12.0), None))
        );
        assert_eq!(travel("ebike", &[("highway", "primary"), ("bicycle", "dismount")]), Some((Some(4.0), Some(4.0))));
        // Riding forbidden on a footway or pedestrian street: the rider still pushes.
        assert_eq!(travel("ebike", &[("highway", "footway"), ("bicycle", "no")]), Some((Some(4.0), Some(4.0))));
        assert_eq!(travel("ebike", &[("highway", "pedestrian"), ("vehicle", "no")]), Some((Some(4.0), Some(4.0))));
        assert_eq!(travel("ebike", &[("highway", "footway"), ("foot", "no")]), None);
        assert_eq!(travel("ebike", &[("highway", "footway"), ("access", "private")]), None);
        assert_eq!(travel("ebike", &[("highway", "steps")]), None);
        assert_eq!(travel("car", &[("highway", "footway")]), None);
    }

    #[test]
    fn oneway_rules_per_profile() {
        let oneway = [("highway", "residential"), ("oneway", "yes")];
        assert_eq!(travel("ebike", &oneway), Some((Some(16.0), None)));
        assert_eq!(travel("walk", &oneway), Some((Some(5.0), Some(5.0))));
        let reverse = [("highway", "residential"), ("oneway", "-1")];
        assert_eq!(travel("car", &reverse), Some((None, Some(25.0))));
        let bike_exempt = [("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")];
        assert_eq!(travel("ebike", &bike_exempt), Some((Some(16.0), Some(16.0))));
        assert_eq!(travel("car", &bike_exempt), Some((Some(25.0), None)));
        let contraflow = [("highway", "residential"), ("oneway", "yes"), ("cycleway", "opposite_lane")];
        assert_eq!(travel("bicycle", &contraflow), Some((Some(15.0), Some(15.0))));
        assert_eq!(travel("car", &contraflow), Some((Some(25.0), None)));
        let roundabout = [("highway", "primary"), ("junction", "roundabout")];
        assert_eq!(travel("ebike", &roundabout), Some((Some(18.0), None)));
        assert_eq!(travel("walk", &roundabout), Some((Some(5.0), Some(5.0))));
        let open_roundabout = [("highway", "primary"), ("junction", "roundabout"), ("oneway", "no")];
        assert_eq!(travel("car", &open_roundabout), Some((Some(45.0), Some(45.0))));
        assert_eq!(travel("car", &[("highway", "motorway")]), Some((Some(90.0), None)));
        assert_eq!(travel("car", &[("highway", "primary"), ("oneway", "reversible")]), None);
    }

    #[test]
    fn car_honours_numeric_maxspeed() {
        assert_eq!(travel("car", &[("highway", "primary"), ("maxspeed", "30")]), Some((Some(30.0), Some(30.0))));
        let mph = travel("car", &[("highway", "primary"), ("maxspeed", "20 mph")]).unwrap().0.unwrap();
        assert!((mph - 32.186_88).abs() < 1e-9);
        assert_eq!(travel("car", &[("highway", "primary"), ("maxspeed", "none")]), Some((Some(45.0), Some(45.0))));
        assert_eq!(travel("ebike", &[("highway", "primary"), ("maxspeed", "10")]), Some((Some(18.0), Some(18.0))));
    }

    #[test]
    fn overrides_replace_whole_profiles_and_are_validated() {
        let custom = BUILT_IN_PROFILES.replace("residential = 16.0", "residential = 11.0");
        let profiles = Profiles::with_overrides(&custom).unwrap();
        assert_eq!(profiles.get("ebike").unwrap().ride_kmh["residential"], 11.0);
        let bad = BUILT_IN_PROFILES.replace("residential = 16.0", "residential = -3.0");
        let err = Profiles::with_overrides(&bad).unwrap_err().to_string();
        assert!(err.contains("ebike") && err.contains("ride_kmh.residential") && err.contains("-3"), "{err}");
        let err = Profiles::from_toml("[x]\nspeed = 1").unwrap_err().to_string();
        assert!(err.contains("not valid"), "{err}");
        let err = Profiles::default().get("horse").unwrap_err().to_string();
        assert!(err.contains("horse") && err.contains("bicycle, car, ebike, walk"), "{err}");
    }
}
