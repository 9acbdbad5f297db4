//! Parsing small closed sets of values (layers, amenities) by name.

/// Finds the value of `all` called `text` (trimmed, case-insensitive); the
/// error names the unknown text and lists the known names, e.g.
/// `unknown layer "depots"; known layers: stations, merchants, parking`.
pub(crate) fn parse_by_name<T: Copy>(
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    kind: (&str, &str),
) -> Result<T, String> {
    let wanted = text.trim().to_ascii_lowercase();
    all.iter().copied().find(|&v| name(v) == wanted).ok_or_else(|| {
        let known: Vec<&str> = all.iter().map(|&v| name(v)).collect();
        format!("unknown {} {text:?}; known {}: {}", kind.0, kind.1, known.join(", "))
    })
}
