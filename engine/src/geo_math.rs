//! Small geodesy helpers: great-circle lengths, a local metric projection for
//! city-sized extracts, and validation of WGS84 coordinates from outside.

use geo::{Distance, Haversine, Point};

/// Great-circle distance in metres between two WGS84 points given as
/// `[lon, lat]` (geo's haversine, mean Earth radius).
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    Haversine.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

/// Checks that a coordinate from outside is a finite WGS84 longitude and
/// latitude; the error says which value is wrong.
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), String> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("longitude {lon} is not a number in [-180, 180]"));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is not a number in [-90, 90]"));
    }
    Ok(())
}

/// Mean Earth radius in metres, the one geo's haversine uses.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// An equirectangular projection centred on an extract, in metres.
///
/// Over a city (tens of kilometres) its distance error stays well under one
/// per cent, which is what snapping and spatial indexing need; lengths that
/// enter travel times use [`haversine_m`] instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    lon0: f64,
    lat0: f64,
    metres_per_degree_lon: f64,
    metres_per_degree_lat: f64,
    /// The reciprocals, so that unprojecting (every polygon vertex) needs no
    /// division.
    degrees_per_metre: [f64; 2],
}

impl LocalProjection {
    /// A projection centred on `[lon0, lat0]`.
    pub fn new(lon0: f64, lat0: f64) -> Self {
        let metres_per_degree_lat = EARTH_RADIUS_M.to_radians();
        let metres_per_degree_lon = metres_per_degree_lat * lat0.to_radians().cos();
        LocalProjection {
            lon0,
            lat0,
            metres_per_degree_lon,
            metres_per_degree_lat,
            degrees_per_metre: [1.0 / metres_per_degree_lon, 1.0 / metres_per_degree_lat],
        }
    }

    /// Projects `[lon, lat]` to `[x, y]` metres east and north of the centre.
    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[0] - self.lon0) * self.metres_per_degree_lon, (p[1] - self.lat0) * self.metres_per_degree_lat]
    }

    /// The inverse of [`LocalProjection::project`].
    pub fn unproject(&self, xy: [f64; 2]) -> [f64; 2] {
        [self.lon0 + xy[0] * self.degrees_per_metre[0], self.lat0 + xy[1] * self.degrees_per_metre[1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m([24.9, 60.0], [24.9, 61.0]);
        assert!((d - 111_195.0).abs() < 1.0, "{d}");
    }

    #[test]
    fn projection_round_trips_and_matches_haversine_locally() {
        let proj = LocalProjection::new(24.94, 60.17);
        let a = [24.95, 60.175];
        let b = [24.96, 60.18];
        let back = proj.unproject(proj.project(a));
        assert!((back[0] - a[0]).abs() < 1e-12 && (back[1] - a[1]).abs() < 1e-12);
        let (pa, pb) = (proj.project(a), proj.project(b));
        let planar = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
        let sphere = haversine_m(a, b);
        assert!((planar - sphere).abs() / sphere < 0.002, "{planar} vs {sphere}");
    }

    #[test]
    fn bad_coordinates_are_named() {
        assert!(check_lon_lat(24.9, 60.1).is_ok());
        assert!(check_lon_lat(f64::NAN, 1.0).unwrap_err().contains("longitude NaN"));
        assert!(check_lon_lat(1.0, 91.0).unwrap_err().contains("latitude 91"));
        assert!(check_lon_lat(181.0, 0.0).is_err());
        assert!(check_lon_lat(0.0, f64::INFINITY).is_err());
    }
}
