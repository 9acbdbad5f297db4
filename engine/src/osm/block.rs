//! Decoding one data blob into a primitive block, defensively.
//!
//! osmpbfreader trusts its input: it inflates zlib data without a size
//! limit and indexes the string table with numbers read from the file. Here
//! a blob may inflate to at most the 32 MiB the PBF specification allows,
//! and every string index is checked before osmpbfreader iterates the block.

use std::io::Read;

use flate2::read::ZlibDecoder;
use osmpbfreader::fileformat::Blob;
use osmpbfreader::osmformat::PrimitiveBlock;
use protobuf::Message;

/// Largest uncompressed blob the PBF specification allows.
const MAX_RAW_BYTES: usize = 32 * 1024 * 1024;

/// Inflates and parses a data blob, refusing oversized or unsupported ones.
pub fn decode_blob(blob: &Blob) -> Result<PrimitiveBlock, String> {
    let inflated;
    let bytes: &[u8] = if blob.has_raw() {
        blob.raw()
    } else if blob.has_zlib_data() {
        let mut out = Vec::with_capacity((blob.raw_size().max(0) as usize).min(MAX_RAW_BYTES));
        ZlibDecoder::new(blob.zlib_data())
            .take(MAX_RAW_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("zlib data is corrupt: {e}"))?;
        inflated = out;
        &inflated
    } else {
        return Err("compression not supported (only raw and zlib blobs are)".to_string());
    };
    if bytes.len() > MAX_RAW_BYTES {
        return Err(format!("blob inflates beyond the PBF limit of {MAX_RAW_BYTES} bytes"));
    }
    let block = PrimitiveBlock::parse_from_bytes(bytes).map_err(|e| format!("not a primitive block: {e}"))?;
    check_block(&block)?;
    Ok(block)
}

/// Checks every string-table index and dense-node array length of a block.
fn check_block(block: &PrimitiveBlock) -> Result<(), String> {
    let strings = block.stringtable.s.len();
    let index_ok = |k: u32| (k as usize) < strings;
    let signed_ok = |k: i32| k >= 0 && (k as usize) < strings;
    let bad = |what: &str| Err(format!("{what} refers to a string that is not in the block's string table"));
    for group in &block.primitivegroup {
        for node in &group.nodes {
            if !node.keys.iter().chain(&node.vals).all(|&k| index_ok(k)) || node.keys.len() != node.vals.len() {
                return bad("a node's tags");
            }
        }
        if let Some(dense) = group.dense.as_ref() {
            if dense.lat.len() != dense.id.len() || dense.lon.len() != dense.id.len() {
                return Err("dense nodes have ids, latitudes and longitudes of different counts".to_string());
            }
            if !dense.keys_vals.iter().all(|&k| signed_ok(k)) {
                return bad("dense nodes' tags");
            }
        }
        for way in &group.ways {
            if !way.keys.iter().chain(&way.vals).all(|&k| index_ok(k)) || way.keys.len() != way.vals.len() {
                return bad("a way's tags");
            }
        }
        for relation in &group.relations {
            let tags_ok = relation.keys.iter().chain(&relation.vals).all(|&k| index_ok(k));
            let members_ok = relation.roles_sid.iter().all(|&k| signed_ok(k))
                && relation.memids.len() == relation.roles_sid.len()
                && relation.types.len() == relation.roles_sid.len();
            if !tags_ok || !members_ok || relation.keys.len() != relation.vals.len() {
                return bad("a relation's tags or members");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use osmpbfreader::osmformat::{PrimitiveGroup, Way};

    use super::*;

    fn blob_of(block: &PrimitiveBlock) -> Blob {
        let mut blob = Blob::new();
        blob.set_raw(block.write_to_bytes().unwrap());
        blob
    }

    #[test]
    fn out_of_range_string_indices_are_refused() {
        let mut block = PrimitiveBlock::new();
        block.stringtable.mut_or_insert_default().s = vec![b"".to_vec(), b"highway".to_vec()];
        let mut way = Way::new();
        way.set_id(1);
        way.keys = vec![1];
        way.vals = vec![7];
        let mut group = PrimitiveGroup::new();
        group.ways.push(way);
        block.primitivegroup.push(group);
        let err = decode_blob(&blob_of(&block)).unwrap_err();
        assert!(err.contains("a way's tags refers to a string that is not in"), "{err}");
        block.primitivegroup[0].ways[0].vals = vec![1];
        assert!(decode_blob(&blob_of(&block)).is_ok());
    }

    #[test]
    fn zip_bombs_are_refused() {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&vec![0u8; MAX_RAW_BYTES + 1024]).unwrap();
        let mut blob = Blob::new();
        blob.set_zlib_data(encoder.finish().unwrap());
        blob.set_raw_size(16);
        let err = decode_blob(&blob).unwrap_err();
        assert!(err.contains("inflates beyond the PBF limit"), "{err}");
        let mut lzma = Blob::new();
        lzma.set_lzma_data(vec![1, 2, 3]);
        assert!(decode_blob(&lzma).unwrap_err().contains("compression not supported"));
    }
}
