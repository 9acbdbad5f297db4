//! Checks the blob framing of a `.osm.pbf` file before any decoding.
//!
//! A PBF file is a sequence of frames: a 4-byte big-endian length, a
//! `BlobHeader` message of that length (type and `datasize`), then `datasize`
//! bytes of `Blob`. Walking the frames first turns empty, truncated and
//! random files into errors that name the byte offset, instead of handing
//! them to a decoder that may panic or allocate without bound.

/// Largest `BlobHeader` the PBF specification allows.
const MAX_HEADER_BYTES: u32 = 64 * 1024;
/// Largest `Blob` the PBF specification allows.
const MAX_BLOB_BYTES: u32 = 32 * 1024 * 1024;

/// What a frame holds, from its `BlobHeader` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// `OSMHeader`: the file header.
    Header,
    /// `OSMData`: nodes, ways and relations.
    Data,
}

/// One frame found in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Byte offset of the frame's length prefix.
    pub offset: usize,
    /// Header or data.
    pub kind: FrameKind,
}

/// A framing problem, with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramingError {
    /// Byte offset in the file.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

/// Walks every frame of `bytes` and returns them in file order.
pub fn scan_frames(bytes: &[u8]) -> Result<Vec<Frame>, FramingError> {
    let mut frames = Vec::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let offset = pos;
        let fail = |message: String| FramingError { offset, message };
        let Some(len_bytes) = bytes.get(pos..pos + 4) else {
            return Err(fail("file ends inside a frame length: truncated".into()));
        };
        let header_len = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if header_len == 0 || header_len > MAX_HEADER_BYTES {
            return Err(fail(format!(
                "blob header length {header_len} is outside 1..={MAX_HEADER_BYTES}: not an OSM PBF file, or corrupt"
            )));
        }
        pos += 4;
        let Some(header) = bytes.get(pos..pos + header_len as usize) else {
            return Err(fail("file ends inside a blob header: truncated".into()));
        };
        let (kind_name, data_size) = parse_blob_header(header).map_err(|m| fail(m.to_string()))?;
        let kind = match kind_name {
            b"OSMHeader" => FrameKind::Header,
            b"OSMData" => FrameKind::Data,
            other => {
                return Err(fail(format!(
                    "unknown blob type {:?}: not an OSM PBF file, or corrupt",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        if frames.is_empty() && kind != FrameKind::Header {
            return Err(fail("the first blob is not an OSMHeader: not an OSM PBF file".into()));
        }
        if data_size > MAX_BLOB_BYTES {
            return Err(fail(format!("blob size {data_size} exceeds the PBF limit of {MAX_BLOB_BYTES}")));
        }
        pos += header_len as usize;
        if bytes.len() - pos < data_size as usize {
            return Err(fail(format!(
                "blob of {data_size} bytes is cut off after {} bytes: truncated",
                bytes.len() - pos
            )));
        }
        pos += data_size as usize;
        frames.push(Frame { offset, kind });
    }
    Ok(frames)
}

/// Reads the `type` (field 1) and `datasize` (field 3) of a `BlobHeader`.
fn parse_blob_header(mut msg: &[u8]) -> Result<(&[u8], u32), &'static str> {
    let mut kind: Option<&[u8]> = None;
    let mut size: Option<u64> = None;
    while !msg.is_empty() {
        let key = read_varint(&mut msg)?;
        match (key >> 3, key & 7) {
            (field, 0) => {
                let value = read_varint(&mut msg)?;
                if field == 3 {
                    size = Some(value);
                }
            }
            (field, 2) => {
                let len = usize::try_from(read_varint(&mut msg)?).map_err(|_| "field too long")?;
                let value = msg.get(..len).ok_or("blob header field runs past its end")?;
                msg = &msg[len..];
                if field == 1 {
                    kind = Some(value);
                }
            }
            _ => return Err("blob header has an unexpected field: not an OSM PBF file"),
        }
    }
    let kind = kind.ok_or("blob header has no type: not an OSM PBF file")?;
    let size = size.ok_or("blob header has no data size: not an OSM PBF file")?;
    let size = u32::try_from(size).map_err(|_| "blob data size does not fit 32 bits")?;
    Ok((kind, size))
}

/// Reads one protobuf base-128 varint.
fn read_varint(msg: &mut &[u8]) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = msg.split_first().ok_or("blob header ends inside a number")?;
        *msg = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("blob header number is too long")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: &str, data: &[u8]) -> Vec<u8> {
        let mut header = vec![0x0a, kind.len() as u8];
        header.extend_from_slice(kind.as_bytes());
        header.push(0x18);
        header.push(data.len() as u8);
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend(header);
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn well_formed_frames_are_listed() {
        let mut file = frame("OSMHeader", b"abc");
        file.extend(frame("OSMData", b"defgh"));
        let frames = scan_frames(&file).unwrap();
        assert_eq!(
            frames,
            vec![Frame { offset: 0, kind: FrameKind::Header }, Frame { offset: 4 + 13 + 3, kind: FrameKind::Data },]
        );
    }

    #[test]
    fn truncation_is_reported_at_the_cut_frame() {
        let mut file = frame("OSMHeader", b"abc");
        let second = file.len();
        file.extend(frame("OSMData", b"defgh"));
        file.truncate(file.len() - 2);
        let err = scan_frames(&file).unwrap_err();
        assert_eq!(err.offset, second);
        assert!(err.message.contains("truncated"), "{}", err.message);
    }

    #[test]
    fn random_bytes_are_not_a_pbf() {
        let err = scan_frames(b"\x7f\xffhello world, this is not a PBF").unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(err.message.contains("not an OSM PBF"), "{}", err.message);
    }

    #[test]
    fn data_before_header_is_rejected() {
        let err = scan_frames(&frame("OSMData", b"x")).unwrap_err();
        assert!(err.message.contains("first blob"), "{}", err.message);
    }
}
