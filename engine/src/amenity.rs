//! What a facility offers riders, as a small closed set.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::names::parse_by_name;

/// One thing a facility offers riders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Amenity {
    /// Drinking water.
    Water,
    /// Charging sockets or piles for e-bike batteries and phones.
    Charging,
    /// A microwave to heat a meal.
    Microwave,
    /// A toilet.
    Toilet,
    /// A place to sit and rest, sheltered.
    Rest,
    /// A first-aid kit or emergency help.
    FirstAid,
    /// Battery swapping.
    BatterySwap,
    /// Rider parking.
    Parking,
    /// Wireless internet.
    Wifi,
    /// Tools or repair service.
    Repair,
}

impl Amenity {
    /// Every amenity, in the order of their names' documentation.
    pub const ALL: [Amenity; 10] = [
        Amenity::Water,
        Amenity::Charging,
        Amenity::Microwave,
        Amenity::Toilet,
        Amenity::Rest,
        Amenity::FirstAid,
        Amenity::BatterySwap,
        Amenity::Parking,
        Amenity::Wifi,
        Amenity::Repair,
    ];

    /// The name used in files, URLs and output (`first_aid`).
    pub fn name(self) -> &'static str {
        match self {
            Amenity::Water => "water",
            Amenity::Charging => "charging",
            Amenity::Microwave => "microwave",
            Amenity::Toilet => "toilet",
            Amenity::Rest => "rest",
            Amenity::FirstAid => "first_aid",
            Amenity::BatterySwap => "battery_swap",
            Amenity::Parking => "parking",
            Amenity::Wifi => "wifi",
            Amenity::Repair => "repair",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Amenity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Amenity {
    type Err = String;

    /// Parses a name, case-insensitively; the error lists the known names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_by_name(s, &Amenity::ALL, Amenity::name, ("amenity", "amenities"))
    }
}

/// A set of amenities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Amenities(u16);

impl Amenities {
    /// Adds one amenity.
    pub fn insert(&mut self, amenity: Amenity) {
        self.0 |= amenity.bit();
    }

    /// Whether the set has `amenity`.
    pub fn contains(self, amenity: Amenity) -> bool {
        self.0 & amenity.bit() != 0
    }

    /// Whether the set has every amenity of `other`.
    pub fn contains_all(self, other: Amenities) -> bool {
        self.0 & other.0 == other.0
    }

    /// The amenities in the set, in [`Amenity::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Amenity> {
        Amenity::ALL.into_iter().filter(move |a| self.contains(*a))
    }

    /// Parses a list separated by `;`, `,` or `|` (OSM's `;` style);
    /// empty items are ignored.
    pub fn parse_list(text: &str) -> Result<Amenities, String> {
        text.split([';', ',', '|']).filter(|item| !item.trim().is_empty()).map(Amenity::from_str).collect()
    }
}

impl FromIterator<Amenity> for Amenities {
    fn from_iter<I: IntoIterator<Item = Amenity>>(iter: I) -> Self {
        let mut set = Amenities::default();
        iter.into_iter().for_each(|a| set.insert(a));
        set
    }
}

impl Serialize for Amenities {
    /// A list of names.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Amenity::name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Amenity::ALL {
            assert_eq!(a.name().parse::<Amenity>(), Ok(a));
        }
    }

    #[test]
    fn lists_parse_in_any_common_separator() {
        let set = Amenities::parse_list("water; Charging|first_aid,").unwrap();
        let names: Vec<&str> = set.iter().map(Amenity::name).collect();
        assert_eq!(names, ["water", "charging", "first_aid"]);
        assert!(set.contains_all(Amenities::parse_list("water").unwrap()));
        assert!(!set.contains_all(Amenities::parse_list("water;toilet").unwrap()));
        assert_eq!(Amenities::parse_list("").unwrap(), Amenities::default());
    }

    #[test]
    fn unknown_amenity_lists_the_known_ones() {
        let err = Amenities::parse_list("water;sauna").unwrap_err();
        assert!(err.contains("\"sauna\"") && err.contains("battery_swap"), "{err}");
    }
}
