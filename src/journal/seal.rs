//! Each journal line carries a checksum of itself (`"sum"`, the last field): a flipped byte
//! anywhere in a record is found and reported, never read as another valid record.

/// The checksum of a record's JSON text: 16 hex digits of its BLAKE3 hash.
fn sum(json: &[u8]) -> String {
    blake3::hash(json).to_hex()[..16].to_string()
}

const FIELD: &str = ",\"sum\":\"";

/// A record's JSON object with its checksum added as the last field.
pub fn seal(mut json: Vec<u8>) -> Vec<u8> {
    let digest = sum(&json);
    if json.last() == Some(&b'}') {
        json.pop();
        json.extend_from_slice(FIELD.as_bytes());
        json.extend_from_slice(digest.as_bytes());
        json.extend_from_slice(b"\"}");
    }
    json
}

/// What a line's checksum says of it.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// The line is as it was written.
    Intact,
    /// The line has no checksum (a journal of format 1).
    Unsealed,
    /// The line changed since it was written.
    Damaged,
}

/// Checks a line written by [`seal`].
pub fn check(line: &str) -> Check {
    let Some(at) = line.rfind(FIELD) else {
        return Check::Unsealed;
    };
    let digest = &line[at + FIELD.len()..];
    let Some(digest) = digest.strip_suffix("\"}") else {
        return Check::Damaged;
    };
    let mut original = line.as_bytes()[..at].to_vec();
    original.push(b'}');
    if digest == sum(&original) {
        Check::Intact
    } else {
        Check::Damaged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_line_checks_and_any_flipped_byte_is_found() {
        let line = String::from_utf8(seal(br#"{"type":"step_result","step":"one"}"#.to_vec()))
            .expect("utf-8");
        assert_eq!(check(&line), Check::Intact);
        for i in 0..line.len() {
            let mut bytes = line.clone().into_bytes();
            bytes[i] ^= 0x01;
            let flipped = String::from_utf8_lossy(&bytes);
            assert_ne!(
                check(&flipped),
                Check::Intact,
                "byte {i} flipped: {flipped}"
            );
        }
        assert_eq!(check(r#"{"type":"step_result"}"#), Check::Unsealed);
    }
}
