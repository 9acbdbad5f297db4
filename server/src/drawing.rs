//! Isochrone features as GIS tools read them, shared by `reach isochrones`
//! and the HTTP API.

use geojson::Feature;
use reach_engine::Engine;
use reach_engine::isochrone::{Contours, IsochroneError, Reached};
use reach_engine::search::Direction;
use reach_engine::to_geojson::{Origin, contour_network_feature, contour_polygons_feature};

/// What one request draws: the options every feature shares.
pub struct Drawing<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// The contours.
    pub contours: Contours,
    /// The direction of the searches.
    pub direction: Direction,
    /// The polygons' buffer around reached roads, metres.
    pub buffer_m: f64,
    /// Draw the reached network instead of polygons.
    pub network: bool,
}

impl Drawing<'_> {
    /// The features of one reached network, largest contour first.
    pub fn features(&self, origin: Origin, reached: &Reached) -> Result<Vec<Feature>, IsochroneError> {
        let direction = match self.direction {
            Direction::Reverse => "to",
            Direction::Forward => "from",
        };
        let profile = self.engine.profile.name.as_str();
        let mut features: Vec<Feature> = if self.network {
            reached
                .network(self.engine, &self.contours)
                .iter()
                .map(|c| contour_network_feature(origin, direction, profile, c))
                .collect()
        } else {
            reached
                .polygons(self.engine, &self.contours, self.buffer_m)?
                .iter()
                .map(|c| contour_polygons_feature(origin, direction, profile, c))
                .collect()
        };
        features.reverse();
        Ok(features)
    }
}
