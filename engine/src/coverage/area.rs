//! Study areas: the part of the network a coverage question is about, as a
//! polygon in WGS84 (a district, a planning zone).
//!
//! A road belongs to the area segment by segment: a segment between two
//! consecutive OSM points counts when its midpoint lies inside the polygon
//! (segments are about ten metres long in cities, so the error at the edge
//! is one segment). A demand point counts when it lies inside.

use std::path::Path;

use geo::{BoundingRect, Contains, Coord, MapCoords, MultiPolygon, Point, Rect};
use geojson::{GeoJson, Geometry, GeometryValue};

use crate::crs::Crs;
use crate::engine::Engine;
use crate::graph::RoadId;
use crate::osm::Boundary;

/// A study area.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyArea {
    /// What the area is called in reports (its file name, for a file).
    pub name: String,
    polygons: MultiPolygon<f64>,
    bounds: Rect<f64>,
}

impl StudyArea {
    /// An area from polygons; refused when empty.
    pub fn new(name: String, polygons: MultiPolygon<f64>) -> Result<StudyArea, String> {
        let bounds = polygons.bounding_rect().ok_or_else(|| format!("study area {name} has no polygon"))?;
        Ok(StudyArea { name, polygons, bounds })
    }

    /// The union of every Polygon and MultiPolygon in a GeoJSON file (a
    /// geometry, a feature or a feature collection).
    pub fn from_geojson_file(path: &Path) -> Result<StudyArea, String> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read study area {name}: {e}"))?;
        let geojson: GeoJson = text.parse().map_err(|e| format!("study area {name} is not valid GeoJSON: {e}"))?;
        let geometries: Vec<Geometry> = match geojson {
            GeoJson::Geometry(g) => vec![g],
            GeoJson::Feature(f) => f.geometry.into_iter().collect(),
            GeoJson::FeatureCollection(c) => c.features.into_iter().filter_map(|f| f.geometry).collect(),
        };
        let mut polygons = Vec::new();
        for (i, geometry) in geometries.into_iter().enumerate() {
            let kind = geometry.value.type_name();
            match geometry.value {
                GeometryValue::Polygon { .. } | GeometryValue::MultiPolygon { .. } => {
                    let converted: geo::Geometry<f64> =
                        geometry.try_into().map_err(|e| format!("study area {name}, geometry {}: {e}", i + 1))?;
                    match converted {
                        geo::Geometry::Polygon(p) => polygons.push(p),
                        geo::Geometry::MultiPolygon(mp) => polygons.extend(mp),
                        _ => {}
                    }
                }
                _ => return Err(format!("study area {name}, geometry {}: a {kind}, not a Polygon", i + 1)),
            }
        }
        StudyArea::new(name, MultiPolygon::new(polygons))
    }

    /// The same area with its coordinates read as `crs` and converted to
    /// WGS84 (a district drawn on an AMap or Baidu map).
    pub fn in_crs_to_wgs84(self, crs: Crs) -> Result<StudyArea, String> {
        if crs == Crs::Wgs84 {
            return Ok(self);
        }
        let polygons = self.polygons.map_coords(|c| {
            let [x, y] = crs.to_wgs84([c.x, c.y]);
            Coord { x, y }
        });
        StudyArea::new(self.name, polygons)
    }

    /// The area of an administrative boundary of the extract, found by
    /// `name`, `name:zh`, relation id or `relation/ID`; the error says why a
    /// boundary is unusable, or lists the usable names.
    pub fn from_boundary(boundaries: &[Boundary], wanted: &str) -> Result<StudyArea, String> {
        let wanted = wanted.trim();
        let id = wanted.strip_prefix("relation/").unwrap_or(wanted);
        let found = boundaries.iter().find(|b| {
            b.id.to_string() == id
                || b.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(wanted))
                || b.name_zh.as_deref() == Some(wanted)
        });
        match found {
            Some(b) => match &b.area {
                Ok(area) => StudyArea::new(
                    format!("{} (relation/{})", b.name.as_deref().unwrap_or("unnamed"), b.id),
                    area.clone(),
                ),
                Err(reason) => Err(format!("the administrative area {wanted:?} cannot be used: {reason}")),
            },
            None => {
                let known: Vec<String> = boundaries
                    .iter()
                    .filter(|b| b.area.is_ok())
                    .map(|b| b.name.clone().unwrap_or_else(|| format!("relation/{}", b.id)))
                    .collect();
                Err(format!(
                    "no study area file or administrative area called {wanted:?}; areas of the extract: {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
            }
        }
    }

    /// Whether a point `[lon, lat]` lies inside.
    pub fn contains(&self, lon_lat: [f64; 2]) -> bool {
        let p = Point::new(lon_lat[0], lon_lat[1]);
        self.bounds.contains(&p) && self.polygons.contains(&p)
    }

    /// The fraction intervals of a road inside the area.
    pub(crate) fn mask(&self, engine: &Engine, road: RoadId) -> Vec<[f64; 2]> {
        let geometry = engine.graph.road_geometry(road);
        let (_, fractions) = engine.roads.projected_road(road);
        let mut mask: Vec<[f64; 2]> = Vec::new();
        for k in 0..geometry.len() - 1 {
            let mid = [(geometry[k][0] + geometry[k + 1][0]) / 2.0, (geometry[k][1] + geometry[k + 1][1]) / 2.0];
            if !self.contains(mid) {
                continue;
            }
            match mask.last_mut() {
                Some(last) if last[1] == fractions[k] => last[1] = fractions[k + 1],
                _ => mask.push([fractions[k], fractions[k + 1]]),
            }
        }
        mask
    }
}
