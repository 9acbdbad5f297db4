//! Opening hours: which facilities are open at a given local time, with the
//! OSM `opening_hours` syntax evaluated by the `opening-hours` crate.
//!
//! Times are the city's local clock time (no time zone is attached): a
//! planner asking about 02:00 means 02:00 in the city. A facility without
//! `opening_hours` is taken as always open (station lists usually record
//! only the exceptions); hours that do not parse, or that leave the state
//! unknown at that time, are listed and counted open or closed as asked.

use std::str::FromStr;

use chrono::NaiveDateTime;
use opening_hours::OpeningHours;

use crate::facility::{Facilities, FacilityId};

/// How to count a facility whose hours cannot be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownHours {
    /// Count it as open (the default: better a station too many than a
    /// rider sent away from one that is open).
    #[default]
    Open,
    /// Count it as closed.
    Closed,
}

impl FromStr for UnknownHours {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(UnknownHours::Open),
            "closed" => Ok(UnknownHours::Closed),
            other => Err(format!("unknown treatment {other:?} for unknown hours; use open or closed")),
        }
    }
}

/// Parses a local date and time: `2026-11-23T02:00`, `2026-11-23 02:00`, or
/// either with seconds.
pub fn parse_local_time(text: &str) -> Result<NaiveDateTime, String> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| format!("time {text:?} does not parse; expected a local time like 2026-11-23T02:00"))
}

/// Which facilities of a selection are open at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenCheck {
    /// Open (or counted open).
    pub open: Vec<FacilityId>,
    /// Closed (or counted closed).
    pub closed: Vec<FacilityId>,
    /// Facilities whose hours could not be evaluated, with the reason.
    pub unknown: Vec<(FacilityId, String)>,
}

/// Splits `selection` into open and closed facilities at `at`.
pub fn open_at(
    facilities: &Facilities,
    selection: &[FacilityId],
    at: NaiveDateTime,
    unknown: UnknownHours,
) -> OpenCheck {
    let mut check = OpenCheck::default();
    for &f in selection {
        let Some(hours) = facilities.get(f).opening_hours.as_deref() else {
            check.open.push(f);
            continue;
        };
        let state = match hours.parse::<OpeningHours>() {
            Ok(parsed) if parsed.is_open(at) => Some(true),
            Ok(parsed) if parsed.is_closed(at) => Some(false),
            Ok(_) => {
                check.unknown.push((f, format!("{hours:?} leaves the state unknown at {at}")));
                None
            }
            Err(e) => {
                check.unknown.push((f, format!("{hours:?} does not parse: {e}")));
                None
            }
        };
        let open = state.unwrap_or(unknown == UnknownHours::Open);
        if open { check.open.push(f) } else { check.closed.push(f) }
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo_math::LocalProjection;
    use crate::layer_file::parse_csv;

    fn facilities() -> Facilities {
        let csv = "id,layer,lon,lat,opening_hours\n\
                   always,stations,0,0,24/7\n\
                   day,stations,0,0,Mo-Su 08:00-20:00\n\
                   unrecorded,stations,0,0,\n\
                   garbled,stations,0,0,sometimes maybe\n";
        Facilities::new(parse_csv(csv.as_bytes(), "t.csv").unwrap(), LocalProjection::new(0.0, 0.0)).unwrap()
    }

    #[test]
    fn at_night_only_the_24_hour_stations_remain() {
        let f = facilities();
        let all: Vec<u32> = (0..4).collect();
        let night = open_at(&f, &all, parse_local_time("2026-11-23T02:00").unwrap(), UnknownHours::Closed);
        assert_eq!(night.open, [0, 2], "24/7 and unrecorded hours");
        assert_eq!(night.closed, [1, 3]);
        assert_eq!(night.unknown.len(), 1);
        assert!(night.unknown[0].1.contains("does not parse"), "{}", night.unknown[0].1);
        let noon = open_at(&f, &all, parse_local_time("2026-11-23 12:00").unwrap(), UnknownHours::Open);
        assert_eq!(noon.open, [0, 1, 2, 3]);
    }

    #[test]
    fn times_and_treatments_parse_or_say_why_not() {
        assert!(parse_local_time("2026-11-23T02:00:30").is_ok());
        let err = parse_local_time("tonight").unwrap_err();
        assert!(err.contains("\"tonight\" does not parse"), "{err}");
        assert_eq!("CLOSED".parse::<UnknownHours>(), Ok(UnknownHours::Closed));
        assert!("perhaps".parse::<UnknownHours>().is_err());
    }
}
