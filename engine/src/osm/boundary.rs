//! Administrative boundaries (`boundary=administrative` relations) as
//! polygons, for study areas.
//!
//! The member ways of each role (`outer`, or empty; `inner`) are joined end
//! to end into closed rings; each inner ring becomes a hole of the outer ring
//! that holds it. In a clipped extract a boundary often lacks ways or nodes:
//! it is then listed as incomplete, with the reason, and cannot be used.

use std::collections::HashMap;

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};

use super::{OsmData, TagSource, Tags};

/// An administrative boundary of the extract.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// OSM relation id.
    pub id: i64,
    /// `name`.
    pub name: Option<String>,
    /// `name:zh`.
    pub name_zh: Option<String>,
    /// `admin_level`.
    pub admin_level: Option<String>,
    /// The area, or why it could not be built.
    pub area: Result<MultiPolygon<f64>, String>,
}

/// Builds a boundary from its relation and the node lists of the ways.
pub(super) fn boundary(
    id: i64,
    tags: &Tags,
    members: &[(i64, String)],
    way_refs: &HashMap<i64, Vec<i64>>,
    data: &OsmData,
) -> Boundary {
    let text = |key: &str| tags.tag(key).map(str::to_string);
    Boundary {
        id,
        name: text("name"),
        name_zh: text("name:zh"),
        admin_level: text("admin_level"),
        area: area(members, way_refs, data),
    }
}

fn area(
    members: &[(i64, String)],
    way_refs: &HashMap<i64, Vec<i64>>,
    data: &OsmData,
) -> Result<MultiPolygon<f64>, String> {
    let mut outer = Vec::new();
    let mut inner = Vec::new();
    for (way, role) in members {
        let refs = way_refs.get(way).ok_or_else(|| format!("member way {way} is not in the extract (clipped)"))?;
        if let Some(missing) = refs.iter().find(|&&n| data.node_index(n).is_none()) {
            return Err(format!("node {missing} of way {way} is not in the extract (clipped)"));
        }
        match role.as_str() {
            "inner" => inner.push(refs.clone()),
            _ => outer.push(refs.clone()),
        }
    }
    let to_ring = |ring: Vec<i64>| -> LineString<f64> {
        LineString::new(
            ring.iter()
                .filter_map(|&n| data.node_index(n))
                .map(|i| {
                    let [x, y] = data.lon_lat(i);
                    Coord { x, y }
                })
                .collect(),
        )
    };
    let outer: Vec<LineString<f64>> = join_rings(outer)?.into_iter().map(to_ring).collect();
    let inner: Vec<LineString<f64>> = join_rings(inner)?.into_iter().map(to_ring).collect();
    if outer.is_empty() {
        return Err("no outer ring".to_string());
    }
    let mut holes: Vec<Vec<LineString<f64>>> = vec![Vec::new(); outer.len()];
    for ring in inner {
        let probe = Point::from(ring.0[0]);
        if let Some(k) = outer.iter().position(|o| Polygon::new(o.clone(), vec![]).contains(&probe)) {
            holes[k].push(ring);
        }
    }
    Ok(MultiPolygon::new(outer.into_iter().zip(holes).map(|(o, h)| Polygon::new(o, h)).collect()))
}

/// Joins ways (node id lists) end to end into closed rings.
fn join_rings(mut pending: Vec<Vec<i64>>) -> Result<Vec<Vec<i64>>, String> {
    let mut rings = Vec::new();
    while let Some(mut ring) = pending.pop() {
        while ring.first() != ring.last() {
            let last = ring[ring.len() - 1];
            let next = pending
                .iter()
                .position(|w| w.first() == Some(&last) || w.last() == Some(&last))
                .ok_or_else(|| format!("a ring does not close at node {last} (clipped extract?)"))?;
            let mut way = pending.swap_remove(next);
            if way.first() != Some(&last) {
                way.reverse();
            }
            ring.extend_from_slice(&way[1..]);
        }
        if ring.len() >= 4 {
            rings.push(ring);
        }
    }
    Ok(rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_join_into_rings_in_any_order_and_direction() {
        let rings = join_rings(vec![vec![1, 2], vec![3, 2], vec![3, 4, 1]]).unwrap();
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].len(), 5);
        assert_eq!(rings[0].first(), rings[0].last());
        let err = join_rings(vec![vec![1, 2], vec![2, 3]]).unwrap_err();
        assert!(err.contains("does not close"), "{err}");
    }
}
