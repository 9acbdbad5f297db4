//! Writing output files so that a failure never leaves a half-written file
//! under the final name.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use geojson::{Feature, FeatureWriter};

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
    let temporary = path.with_extension("geojson.partial");
    let result = File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))
        .and_then(|file| write_features(file, features));
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
