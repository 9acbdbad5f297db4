//! Chinese map coordinates: AMap and Tencent show GCJ-02, Baidu shows
//! BD-09, and OpenStreetMap (so the engine) works in WGS84. Inputs declared
//! in another system are converted to WGS84 on the way in, outputs back on
//! the way out.
//!
//! GCJ-02 is WGS84 plus the published offset function on the Krasovsky 1940
//! ellipsoid; BD-09 is GCJ-02 turned and shifted by Baidu's published
//! formulas. As the published algorithm specifies, nothing is converted
//! outside mainland China, which the algorithm takes as the box 72.004–137.8347°
//! E, 0.8293–55.8271° N. The inverses have no closed form: they are solved by
//! fixed-point iteration to 10⁻¹¹° (about a micrometre), so a round trip is
//! exact to far below a centimetre (tested), unlike the one-step inverses
//! many libraries use, which are off by up to a couple of metres.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::names::parse_by_name;

/// A coordinate reference system of longitude and latitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 (GPS, OpenStreetMap, GeoJSON): the default.
    #[default]
    Wgs84,
    /// GCJ-02, the "Mars" coordinates of AMap (Gaode) and Tencent maps.
    Gcj02,
    /// BD-09, Baidu's coordinates.
    Bd09,
}

impl Crs {
    /// Every system.
    pub const ALL: [Crs; 3] = [Crs::Wgs84, Crs::Gcj02, Crs::Bd09];

    /// The name used on the command line and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }

    /// A position in this system, in WGS84.
    pub fn to_wgs84(self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => gcj02_to_wgs84(p),
            Crs::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
        }
    }

    /// A WGS84 position, in this system.
    pub fn from_wgs84(self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => wgs84_to_gcj02(p),
            Crs::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(p)),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Crs {
    type Err = String;

    /// Parses `wgs84`, `gcj02` or `bd09`; the error lists them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_by_name(s, &Crs::ALL, Crs::name, ("coordinate system", "coordinate systems"))
    }
}

/// Whether the offsets apply: the published algorithm's box around
/// mainland China.
pub fn in_mainland_china([lon, lat]: [f64; 2]) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

/// Semi-major axis of the Krasovsky 1940 ellipsoid, metres.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// The published offset polynomial for latitude, from `x = lon − 105`,
/// `y = lat − 35`, in "metres" of the algorithm's own scale.
fn offset_lat(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

/// The published offset polynomial for longitude.
fn offset_lon(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

/// WGS84 to GCJ-02.
pub fn wgs84_to_gcj02(p: [f64; 2]) -> [f64; 2] {
    if !in_mainland_china(p) {
        return p;
    }
    let [lon, lat] = p;
    let (x, y) = (lon - 105.0, lat - 35.0);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = offset_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = offset_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    [lon + d_lon, lat + d_lat]
}

/// Baidu's constant: π · 3000 / 180.
const BAIDU_X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 to BD-09.
pub fn gcj02_to_bd09(p: [f64; 2]) -> [f64; 2] {
    if !in_mainland_china(p) {
        return p;
    }
    let [x, y] = p;
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * BAIDU_X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * BAIDU_X_PI).cos();
    [z * theta.cos() + 0.0065, z * theta.sin() + 0.006]
}

/// Solves `forward(w) = target` for `w` by fixed-point iteration, starting
/// at `target`: the forward offsets are small and vary slowly.
fn invert(target: [f64; 2], forward: fn([f64; 2]) -> [f64; 2]) -> [f64; 2] {
    let mut w = target;
    for _ in 0..30 {
        let f = forward(w);
        let error = [f[0] - target[0], f[1] - target[1]];
        if error[0].abs() < 1e-11 && error[1].abs() < 1e-11 {
            break;
        }
        w = [w[0] - error[0], w[1] - error[1]];
    }
    w
}

/// GCJ-02 to WGS84 (exact inverse of [`wgs84_to_gcj02`]).
pub fn gcj02_to_wgs84(p: [f64; 2]) -> [f64; 2] {
    if !in_mainland_china(p) {
        return p;
    }
    invert(p, wgs84_to_gcj02)
}

/// BD-09 to GCJ-02 (exact inverse of [`gcj02_to_bd09`]).
pub fn bd09_to_gcj02(p: [f64; 2]) -> [f64; 2] {
    if !in_mainland_china(p) {
        return p;
    }
    invert(p, gcj02_to_bd09)
}

/// GeoJSON members that hold one `[lon, lat]` position outside geometries.
const POSITION_MEMBERS: [&str; 4] = ["from", "snapped", "centroid", "lon_lat"];

/// Converts every WGS84 coordinate of a GeoJSON (or reach JSON) value to
/// `crs`, in place: the coordinates of every geometry, `bbox` members, the
/// one-position members (`from`, `snapped`, `centroid`) and number pairs
/// named `lon` and `lat` or `X_lon` and `X_lat` (`centroid_lon`,
/// `rider_lon`). Nothing happens for WGS84.
pub fn convert_json(value: &mut Value, crs: Crs) {
    if crs == Crs::Wgs84 {
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| convert_json(item, crs)),
        Value::Object(map) => {
            let pairs: Vec<(String, String)> = map
                .keys()
                .filter_map(|k| k.strip_suffix("lon").map(|prefix| (k.clone(), format!("{prefix}lat"))))
                .filter(|(lon, _)| lon == "lon" || lon.ends_with("_lon"))
                .collect();
            for (lon_key, lat_key) in pairs {
                let number = |k: &str| map.get(k).and_then(Value::as_f64);
                if let (Some(lon), Some(lat)) = (number(&lon_key), number(&lat_key)) {
                    let [x, y] = crs.from_wgs84([lon, lat]);
                    map.insert(lon_key, x.into());
                    map.insert(lat_key, y.into());
                }
            }
            for (key, member) in map.iter_mut() {
                match key.as_str() {
                    "coordinates" => convert_positions(member, crs),
                    "bbox" => convert_bbox(member, crs),
                    k if POSITION_MEMBERS.contains(&k) => convert_positions(member, crs),
                    _ => convert_json(member, crs),
                }
            }
        }
        _ => {}
    }
}

/// Converts a position (`[lon, lat, ...]`) or nested arrays of positions.
fn convert_positions(value: &mut Value, crs: Crs) {
    let Value::Array(items) = value else { return };
    if let [Value::Number(lon), Value::Number(lat), ..] = items.as_slice()
        && let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64())
    {
        let [x, y] = crs.from_wgs84([lon, lat]);
        items[0] = x.into();
        items[1] = y.into();
        return;
    }
    items.iter_mut().for_each(|item| convert_positions(item, crs));
}

/// Converts a 2D bounding box `[min_lon, min_lat, max_lon, max_lat]` by its
/// corners.
fn convert_bbox(value: &mut Value, crs: Crs) {
    let Some(numbers) = value.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<f64>>()) else {
        return;
    };
    if let [min_lon, min_lat, max_lon, max_lat] = numbers[..] {
        let [a, b] = [crs.from_wgs84([min_lon, min_lat]), crs.from_wgs84([max_lon, max_lat])];
        *value = serde_json::json!([a[0].min(b[0]), a[1].min(b[1]), a[0].max(b[0]), a[1].max(b[1])]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIAN_AN_MEN: [f64; 2] = [116.404, 39.915];

    fn close(a: [f64; 2], b: [f64; 2], tolerance: f64) -> bool {
        (a[0] - b[0]).abs() <= tolerance && (a[1] - b[1]).abs() <= tolerance
    }

    #[test]
    fn published_reference_points() {
        // The reference outputs published with the widely used coordtransform
        // library (wandergis/coordtransform, test/app.js) for 116.404, 39.915.
        assert!(close(wgs84_to_gcj02(TIAN_AN_MEN), [116.41024449916938, 39.91640428150164], 1e-12));
        assert!(close(gcj02_to_bd09(TIAN_AN_MEN), [116.41036949371029, 39.92133699351021], 1e-12));
        // The library's one-step inverses are approximations: ours agree to
        // within their error (about 1e-5 degrees) and invert exactly.
        assert!(close(bd09_to_gcj02(TIAN_AN_MEN), [116.39762729119315, 39.90865673957631], 2e-5));
        assert!(close(gcj02_to_wgs84(TIAN_AN_MEN), [116.39775550083061, 39.91359571849836], 2e-5));
    }

    #[test]
    fn round_trips_are_exact_below_a_centimetre() {
        // A grid over mainland China: Beijing to Chengdu to Shenzhen and beyond.
        let mut worst: f64 = 0.0;
        for lon in (0..=60).map(|i| 73.5 + f64::from(i) * 1.05) {
            for lat in (0..=40).map(|i| 18.5 + f64::from(i) * 0.9) {
                for crs in [Crs::Gcj02, Crs::Bd09] {
                    let back = crs.to_wgs84(crs.from_wgs84([lon, lat]));
                    worst = worst.max(crate::haversine_m(back, [lon, lat]));
                }
            }
        }
        assert!(worst < 1e-4, "worst round trip {worst} m");
        // The offsets themselves are hundreds of metres.
        let shifted = crate::haversine_m(wgs84_to_gcj02(TIAN_AN_MEN), TIAN_AN_MEN);
        assert!((400.0..800.0).contains(&shifted), "{shifted} m");
    }

    #[test]
    fn nothing_moves_outside_mainland_china() {
        for p in [[24.94, 60.17], [8.69, 49.41], [-8.61, 41.15], [139.7, 35.7], [116.4, 56.0]] {
            for crs in Crs::ALL {
                assert_eq!(crs.from_wgs84(p), p);
                assert_eq!(crs.to_wgs84(p), p);
            }
        }
        assert_eq!("GCJ02".parse::<Crs>(), Ok(Crs::Gcj02));
        let err = "mars".parse::<Crs>().unwrap_err();
        assert!(err.contains("known coordinate systems: wgs84, gcj02, bd09"), "{err}");
    }

    #[test]
    fn json_coordinates_convert_everywhere_they_occur() {
        let mut value = serde_json::json!({
            "type": "FeatureCollection",
            "from": TIAN_AN_MEN,
            "features": [{"type": "Feature", "bbox": [116.4, 39.9, 116.5, 40.0],
                "geometry": {"type": "LineString", "coordinates": [TIAN_AN_MEN, [116.5, 40.0]]},
                "properties": {"centroid": TIAN_AN_MEN, "worst": {"seconds": 3, "lon": 116.404, "lat": 39.915}, "minutes": 10,
                    "rider_lon": 116.404, "rider_lat": 39.915}}]
        });
        convert_json(&mut value, Crs::Gcj02);
        let gcj = wgs84_to_gcj02(TIAN_AN_MEN);
        let at = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
        assert_eq!(at(&value["from"]), gcj);
        let feature = &value["features"][0];
        assert_eq!(at(&feature["geometry"]["coordinates"][0]), gcj);
        assert_eq!(at(&feature["properties"]["centroid"]), gcj);
        assert_eq!(feature["properties"]["worst"]["lon"].as_f64(), Some(gcj[0]));
        assert_eq!(feature["properties"]["minutes"], 10);
        assert_eq!(feature["properties"]["rider_lat"].as_f64(), Some(gcj[1]));
        assert!(feature["bbox"][0].as_f64().unwrap() > 116.4);
    }
}
