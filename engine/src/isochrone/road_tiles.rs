//! The roads in square tiles of the cached lattice, each tile with the cells
//! of its roads as whole words of the polygons' bit grids, and their length.
//!
//! A search that reaches most of a city reaches most tiles' every road edge
//! to edge within one contour: such a tile goes into the grid as a few
//! words and its road km as one sum, not road by road and cell by cell.
//! Only the roads of the other tiles (at the reach's edge, around the start
//! points) are taken in one by one.

use super::road_cells::Visits;
use crate::graph::RoadId;

/// Tiles are `2^TILE_SHIFT` cells on a side (200 m at the default buffer).
const TILE_SHIFT: u32 = 4;

/// Cells in one word of a row of the bit grids.
pub const WORD_CELLS: i32 = 64;

/// The tile of a road with no cell.
const NO_TILE: u32 = u32::MAX;

/// The cells of some roads in one word of a lattice row: bit `b` of `bits`
/// is set for cell `[WORD_CELLS * word + b, row]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowWord {
    /// The lattice row.
    pub row: i32,
    /// The word along the row: cells `WORD_CELLS * word` onwards.
    pub word: i32,
    /// One bit per cell.
    pub bits: u64,
}

/// Every road's tile, and what each tile holds.
#[derive(Debug, Clone, Default)]
pub struct RoadTiles {
    /// Per road, its tile: the one its first cell is in.
    tile_of: Vec<u32>,
    /// Per tile, how many roads are in it.
    road_count: Vec<u32>,
    /// Per tile, the length of its roads, micrometres (each road's rounded).
    length: Vec<u64>,
    /// Where each tile's words start in `words`; one more entry than tiles.
    word_starts: Vec<u32>,
    /// Every tile's cells, tile after tile, in row order.
    words: Vec<RowWord>,
}

impl RoadTiles {
    /// The tiles of roads whose cells are `visits.cells[ranges(road)]`,
    /// `length_m(road)` metres long.
    pub fn new(
        road_count: usize,
        visits: &Visits,
        ranges: impl Fn(RoadId) -> std::ops::Range<usize>,
        length_m: impl Fn(RoadId) -> f64,
    ) -> RoadTiles {
        let tile = |cell: [i32; 2]| [cell[1] >> TILE_SHIFT, cell[0] >> TILE_SHIFT];
        let first_cells: Vec<Option<[i32; 2]>> =
            (0..road_count as RoadId).map(|road| visits.cells.get(ranges(road).start).copied()).collect();
        // Tiles numbered row by row, so that their words go into a grid in
        // about the order of its memory.
        let mut keys: Vec<[i32; 2]> = first_cells.iter().flatten().map(|&cell| tile(cell)).collect();
        keys.sort_unstable();
        keys.dedup();
        let tile_of: Vec<u32> = first_cells
            .iter()
            .map(|cell| cell.map_or(NO_TILE, |cell| keys.partition_point(|&key| key < tile(cell)) as u32))
            .collect();
        let mut roads_of: Vec<Vec<RoadId>> = vec![Vec::new(); keys.len()];
        for (road, &t) in tile_of.iter().enumerate() {
            if t != NO_TILE {
                roads_of[t as usize].push(road as RoadId);
            }
        }
        let mut tiles = RoadTiles { tile_of, word_starts: vec![0], ..RoadTiles::default() };
        for roads in &roads_of {
            let mut words: Vec<RowWord> = roads
                .iter()
                .flat_map(|&road| &visits.cells[ranges(road)])
                .map(|&[i, j]| RowWord { row: j, word: i.div_euclid(WORD_CELLS), bits: 1 << i.rem_euclid(WORD_CELLS) })
                .collect();
            words.sort_unstable_by_key(|w| (w.row, w.word));
            words.dedup_by(|later, kept| {
                let same = (later.row, later.word) == (kept.row, kept.word);
                if same {
                    kept.bits |= later.bits;
                }
                same
            });
            tiles.words.extend_from_slice(&words);
            tiles.word_starts.push(tiles.words.len() as u32);
            tiles.road_count.push(roads.len() as u32);
            tiles.length.push(roads.iter().map(|&road| super::micrometres(length_m(road))).sum());
        }
        tiles
    }

    /// Tiles with a road in them.
    pub fn count(&self) -> usize {
        self.road_count.len()
    }

    /// The tile of `road`, if it passes through a cell.
    #[inline]
    pub fn tile_of(&self, road: RoadId) -> Option<usize> {
        let tile = self.tile_of[road as usize];
        (tile != NO_TILE).then_some(tile as usize)
    }

    /// How many roads tile `tile` holds.
    pub fn road_count(&self, tile: usize) -> u32 {
        self.road_count[tile]
    }

    /// The length of the roads of tile `tile`, micrometres (the sum of
    /// each road's, rounded).
    pub fn length(&self, tile: usize) -> u64 {
        self.length[tile]
    }

    /// The cells of the roads of tile `tile`, as row words (each word
    /// once).
    pub fn words(&self, tile: usize) -> &[RowWord] {
        &self.words[self.word_starts[tile] as usize..self.word_starts[tile + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roads_go_to_the_tile_of_their_first_cell_with_all_their_cells_as_words() {
        // Road 0 from cell (1, 1) to (70, 1): tile (0, 0), two words of row 1.
        // Road 1 starts at (-2, 3), in tile (-1, 0): word -1 of row 3.
        // Road 2 starts at (40, 33): tile (1, 1). Road 3 has no cell.
        let cells = vec![[1, 1], [63, 1], [64, 1], [70, 1], [-2, 3], [1, 1], [40, 33]];
        let visits = Visits { parts: vec![[0.0, 1.0]; cells.len()], cells };
        let ranges = [0..4, 4..6, 6..7, 7..7];
        let tiles = RoadTiles::new(4, &visits, |road| ranges[road as usize].clone(), |road| f64::from(road) + 10.0);
        assert_eq!(tiles.count(), 3, "tiles (-1, 0), (0, 0) and (1, 1)");
        let t = tiles.tile_of(0).unwrap();
        assert_eq!(tiles.tile_of(3), None);
        assert_eq!((tiles.road_count(t), tiles.length(t)), (1, 10_000_000));
        assert_eq!(
            tiles.words(t),
            [RowWord { row: 1, word: 0, bits: 1 << 1 | 1 << 63 }, RowWord { row: 1, word: 1, bits: 1 | 1 << 6 }]
        );
        let u = tiles.tile_of(1).unwrap();
        assert_ne!(u, t, "(-2, 3) is in tile (-1, 0)");
        assert_eq!(
            tiles.words(u),
            [RowWord { row: 1, word: 0, bits: 1 << 1 }, RowWord { row: 3, word: -1, bits: 1 << 62 }]
        );
        let v = tiles.tile_of(2).unwrap();
        assert_eq!((tiles.road_count(v), tiles.length(v)), (1, 12_000_000));
        assert_eq!(tiles.words(v), [RowWord { row: 33, word: 0, bits: 1 << 40 }]);
        assert!(t < v && u < t, "tiles numbered row by row, then along the row");
    }
}
