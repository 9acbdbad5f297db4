//! Writing output files so that a failure never leaves a half-written file
//! under the final name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use geojson::{Feature, FeatureWriter};
use rayon::prelude::*;

/// Writes a GeoJSON FeatureCollection feature by feature; returns the count.
pub fn write_features(writer: impl Write, features: impl Iterator<Item = Feature>) -> anyhow::Result<usize> {
    let mut writer = FeatureWriter::from_writer(BufWriter::new(writer));
    let mut count = 0;
    for feature in features {
        writer.write_feature(&feature)?;
        count += 1;
    }
    writer.finish()?;
    writer.flush()?;
    Ok(count)
}

/// Writes a GeoJSON FeatureCollection to `path` feature by feature, through
/// a temporary file renamed into place at the end. Returns the feature count.
pub fn write_feature_collection(path: &Path, features: impl Iterator<Item = Feature>) -> anyhow::Result<usize> {
    write_atomically(path, |file| write_features(file, features))
}

/// Like [`write_feature_collection`] for one feature per item of a large
/// slice: features are built and serialized in parallel (rayon), in chunks,
/// and written in order.
pub fn write_feature_collection_par<T: Sync>(
    path: &Path,
    items: &[T],
    feature: impl Fn(&T) -> Feature + Sync,
) -> anyhow::Result<usize> {
    let chunks = items
        .par_chunks(4096)
        .map(|chunk| {
            let mut bytes = Vec::new();
            for (k, item) in chunk.iter().enumerate() {
                if k > 0 {
                    bytes.push(b',');
                }
                serde_json::to_writer(&mut bytes, &feature(item))?;
            }
            Ok(bytes)
        })
        .collect::<Result<Vec<Vec<u8>>, serde_json::Error>>()?;
    write_atomically(path, |file| {
        let mut out = BufWriter::new(file);
        out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        for (k, chunk) in chunks.iter().enumerate() {
            if k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(chunk)?;
        }
        out.write_all(b"]}")?;
        out.flush()?;
        Ok(items.len())
    })
}

/// Runs `write` on a temporary file beside `path` and renames it into place
/// when it succeeds; removes it when it fails.
fn write_atomically(path: &Path, write: impl FnOnce(File) -> anyhow::Result<usize>) -> anyhow::Result<usize> {
    let temporary = path.with_extension("geojson.partial");
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
