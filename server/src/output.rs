//! Writing output files so that a failure never leaves a half-written file
//! under the final name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use flatgeobuf::GeometryType;
use geojson::Feature;
use rayon::prelude::*;
use reach_engine::Crs;
use reach_engine::crs::convert_json;

use crate::formats::flatgeobuf;

/// Writes a GeoJSON FeatureCollection feature by feature, coordinates in
/// `crs`; returns the count.
pub fn write_features(writer: impl Write, features: impl Iterator<Item = Feature>, crs: Crs) -> anyhow::Result<usize> {
    let mut out = BufWriter::new(writer);
    out.write_all(COLLECTION_START)?;
    let mut count = 0;
    for feature in features {
        if count > 0 {
            out.write_all(b",")?;
        }
        serialize_in_crs(&feature, crs, &mut out)?;
        count += 1;
    }
    out.write_all(COLLECTION_END)?;
    out.flush()?;
    Ok(count)
}

/// Writes a GeoJSON FeatureCollection to `path` feature by feature,
/// coordinates in `crs`, through a temporary file renamed into place at the
/// end. Returns the feature count.
pub fn write_feature_collection(
    path: &Path,
    features: impl Iterator<Item = Feature>,
    crs: Crs,
) -> anyhow::Result<usize> {
    write_atomically(path, |file| write_features(file, features, crs))
}

/// Like [`write_feature_collection`] for one feature per item of a large
/// slice: `feature` builds each item's [`Feature`], and they are serialized
/// in parallel (rayon), in chunks, and written in order.
pub fn write_feature_collection_par<T: Sync>(
    path: &Path,
    items: &[T],
    feature: impl Fn(&T) -> Feature + Sync,
    crs: Crs,
) -> anyhow::Result<usize> {
    write_serialized_par(path, items, |item, out| serialize_in_crs(&feature(item), crs, out))
}

/// Writes features already built, serializing them in parallel, coordinates
/// in `crs`.
pub fn write_features_par(path: &Path, features: &[Feature], crs: Crs) -> anyhow::Result<usize> {
    write_serialized_par(path, features, |feature, out| serialize_in_crs(feature, crs, out))
}

/// Serializes a WGS84 feature with its coordinates in `crs`.
fn serialize_in_crs(feature: &Feature, crs: Crs, out: impl Write) -> serde_json::Result<()> {
    if crs == Crs::Wgs84 {
        return crate::json::to_writer(out, feature);
    }
    let mut value = serde_json::to_value(feature)?;
    convert_json(&mut value, crs);
    crate::json::to_writer(out, &value)
}

/// Serializes one feature per item with `serialize`, in parallel chunks, and
/// writes them in order as one FeatureCollection.
fn write_serialized_par<T: Sync>(
    path: &Path,
    items: &[T],
    serialize: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> anyhow::Result<usize> {
    let chunks = serialized_chunks(items, serialize)?;
    write_atomically(path, |file| {
        let mut out = BufWriter::new(file);
        write_collection(&mut out, &chunks)?;
        out.flush()?;
        Ok(items.len())
    })
}

/// Writes the features of `items` (built by `feature`, coordinates in `crs`)
/// as a FlatGeobuf file of layer `name`, whose geometries are all `kind`.
pub fn write_flatgeobuf_par<T: Sync>(
    path: &Path,
    (name, kind): (&str, GeometryType),
    items: &[T],
    feature: impl Fn(&T) -> Feature + Sync,
    crs: Crs,
) -> anyhow::Result<usize> {
    let chunks = serialized_chunks(items, |item, out| serialize_in_crs(&feature(item), crs, out))?;
    let mut geojson = Vec::new();
    write_collection(&mut geojson, &chunks)?;
    let bytes = flatgeobuf(name, kind, &geojson).map_err(anyhow::Error::msg)?;
    write_atomically(path, |mut file| {
        file.write_all(&bytes)?;
        Ok(items.len())
    })
}

/// One feature per item serialized with `serialize`, comma-separated, in
/// chunks built in parallel.
fn serialized_chunks<T: Sync>(
    items: &[T],
    serialize: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> serde_json::Result<Vec<Vec<u8>>> {
    items
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut bytes = Vec::new();
            for (k, item) in chunk.iter().enumerate() {
                if k > 0 {
                    bytes.push(b',');
                }
                serialize(item, &mut bytes)?;
            }
            Ok(bytes)
        })
        .collect()
}

/// Writes serialized chunks of features as one FeatureCollection.
fn write_collection(out: &mut impl Write, chunks: &[Vec<u8>]) -> std::io::Result<()> {
    out.write_all(COLLECTION_START)?;
    for (k, chunk) in chunks.iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        out.write_all(chunk)?;
    }
    out.write_all(COLLECTION_END)
}

/// What a FeatureCollection's features are written between.
const COLLECTION_START: &[u8] = br#"{"type":"FeatureCollection","features":["#;
/// See [`COLLECTION_START`].
const COLLECTION_END: &[u8] = b"]}";

/// Features serialized together by one rayon task.
const CHUNK: usize = 256;

/// Runs `write` on a temporary file beside `path` and renames it into place
/// when it succeeds; removes it when it fails.
pub fn write_atomically(path: &Path, write: impl FnOnce(File) -> anyhow::Result<usize>) -> anyhow::Result<usize> {
    let extension = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_extension(format!("{extension}.partial"));
    let result =
        File::create(&temporary).with_context(|| format!("cannot create {}", temporary.display())).and_then(write);
    match result {
        Ok(count) => {
            std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))?;
            Ok(count)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error.context(format!("writing {}", path.display())))
        }
    }
}

/// Prints `text` to standard output, treating a closed pipe as success.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
