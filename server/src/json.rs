//! JSON writing with a fast path for the numbers GeoJSON is mostly made of:
//! coordinates rounded to 10⁻⁷ degrees. Writing them through the general
//! shortest-float algorithm took a quarter of an isochrone answer.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// Serializes `value` as compact JSON bytes.
pub fn to_vec(value: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16 * 1024);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// Serializes `value` as compact JSON into `writer`.
pub fn to_writer(writer: impl io::Write, value: &impl Serialize) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(writer, RoundedFloats))
}

/// serde_json's compact formatter, except that a float which is a whole
/// number of 10⁻⁷ (and not a whole number) is written from its integer
/// count of 10⁻⁷: the same text the general algorithm writes, the shortest
/// that reads back as the same float, made without it.
struct RoundedFloats;

/// Ten to the number of decimals of the fast path.
const UNITS: f64 = 1e7;

impl Formatter for RoundedFloats {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let Some(Decimal { negative, mut whole, mut fraction, digits }) = seven_decimals(value) else {
            return CompactFormatter.write_f64(writer, value);
        };
        // Written backwards into a buffer: at most a sign, 9 whole digits, a
        // point and 7 decimals.
        let mut text = [0u8; 18];
        let mut at = text.len();
        let mut put = |byte: u8| {
            at -= 1;
            text[at] = byte;
        };
        for _ in 0..digits {
            put(b'0' + (fraction % 10) as u8);
            fraction /= 10;
        }
        put(b'.');
        loop {
            put(b'0' + (whole % 10) as u8);
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        if negative {
            put(b'-');
        }
        writer.write_all(&text[at..])
    }
}

/// A number as `whole.fraction`, the fraction with `digits` decimals (its
/// last one not zero).
struct Decimal {
    negative: bool,
    whole: i64,
    fraction: i64,
    digits: usize,
}

/// The decimal form of `value` when it is a whole number of 10⁻⁷ with a
/// fractional part, between 10⁻³ and 10⁹ in size (where the general
/// algorithm writes no exponent); `None` otherwise.
///
/// Why the text is the same: `value == n / 10⁷` with `n` whole means `value`
/// is the float nearest to the decimal `n · 10⁻⁷` (division is correctly
/// rounded), so that decimal reads back as `value`; any shorter decimal is
/// another multiple of 10⁻⁷, at least 10⁻⁷ away, far more than the float
/// spacing here, so it does not. Trailing zeros are dropped.
fn seven_decimals(value: f64) -> Option<Decimal> {
    let size = value.abs();
    if !(1e-3..1e9).contains(&size) {
        return None;
    }
    // The nearest whole number of 10⁻⁷, without a libm call (a wrong
    // guess only sends the value to the general path).
    let units = (size * UNITS + 0.5) as i64;
    if units as f64 / UNITS != size {
        return None;
    }
    let (whole, mut fraction) = (units / UNITS as i64, units % UNITS as i64);
    if fraction == 0 {
        return None;
    }
    let mut digits = 7;
    while fraction % 10 == 0 {
        fraction /= 10;
        digits -= 1;
    }
    Some(Decimal { negative: value < 0.0, whole, fraction, digits })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path writes exactly what serde_json writes, for coordinates
    /// and properties rounded to 7 or fewer decimals, near whole numbers,
    /// near the range's ends, and falls back for everything else.
    #[test]
    fn numbers_are_written_exactly_as_serde_json_writes_them() {
        let mut seed = 7u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut values = vec![0.0, -0.0, 1.0, 15.0, 1e-3, 0.0009999999, 1e9 - 0.5, 1e9 + 0.5, 0.1 + 0.2, 1.0000001];
        for _ in 0..200_000 {
            let raw = (rnd() - 0.5) * 360.0;
            let decimals = (rnd() * 9.0) as i32;
            let scale = 10f64.powi(decimals);
            values.push((raw * scale).round() / scale);
            values.push(raw);
            values.push(raw.round() + 1e-7 * (rnd() * 3.0).round());
            values.push(((rnd() * 1e-2) * 1e7).round() / 1e7);
        }
        let mut fast = 0;
        for value in values {
            let expected = serde_json::to_string(&value).expect("serde_json");
            let ours = String::from_utf8(to_vec(&value).expect("ours")).expect("utf-8");
            assert_eq!(ours, expected, "{value:?}");
            fast += usize::from(seven_decimals(value).is_some());
        }
        assert!(fast > 300_000, "the fast path is taken for rounded values ({fast})");
    }
}
