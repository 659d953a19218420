//! Rules for asset names and tags: the asset server enforces them, and the client checks edits
//! against them before queueing, so an edit the server would refuse never waits in the outbox.

pub const MAX_NAME_CHARS: usize = 255;
pub const MAX_TAGS: usize = 100;
pub const MAX_TAG_CHARS: usize = 64;

/// A trimmed, acceptable asset name, or what is wrong with it.
pub fn clean_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("name is empty".to_owned());
    }
    let chars = trimmed.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(format!(
            "name is {chars} characters; the limit is {MAX_NAME_CHARS}"
        ));
    }
    if let Some(bad) = trimmed
        .chars()
        .find(|c| c.is_control() || *c == '/' || *c == '\\')
    {
        return Err(format!(
            "name contains {bad:?}; path separators and control characters are not allowed"
        ));
    }
    if trimmed == "." || trimmed == ".." {
        return Err("name cannot be . or ..".to_owned());
    }
    Ok(trimmed.to_owned())
}

/// One trimmed, acceptable tag, or what is wrong with it.
/// The name an uploaded file's asset gets: its file name without the extension, cut to the limit
/// and stripped of control characters, so that a file's name never makes its upload fail.
pub fn name_from_file(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let printable: String = stem
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '\\' { '-' } else { c })
        .take(MAX_NAME_CHARS)
        .collect();
    match clean_name(&printable) {
        Ok(name) => name,
        Err(_) => "untitled".to_owned(),
    }
}

pub fn clean_tag(tag: &str) -> Result<String, String> {
    let tag = tag.trim();
    if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS || tag.chars().any(char::is_control) {
        return Err(format!(
            "tag {tag:?} must be 1 to {MAX_TAG_CHARS} characters without control characters"
        ));
    }
    Ok(tag.to_owned())
}

/// A tag set: each tag cleaned, duplicates dropped (first kept), at most [`MAX_TAGS`].
pub fn clean_tags<S: AsRef<str>>(tags: &[S]) -> Result<Vec<String>, String> {
    let mut clean: Vec<String> = Vec::new();
    for tag in tags {
        let tag = clean_tag(tag.as_ref())?;
        if !clean.contains(&tag) {
            clean.push(tag);
        }
    }
    if clean.len() > MAX_TAGS {
        return Err(format!("{} tags; the limit is {MAX_TAGS}", clean.len()));
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused_with_the_reason() {
        assert!(clean_name("../etc/passwd")
            .unwrap_err()
            .contains("path separators"));
        assert!(clean_name("a\\b").unwrap_err().contains("path separators"));
        assert!(clean_name("bell\u{7}")
            .unwrap_err()
            .contains("control characters"));
        assert!(clean_name("..").unwrap_err().contains("cannot be"));
        assert!(clean_name("   ").unwrap_err().contains("empty"));
        assert!(clean_name(&"x".repeat(10_000))
            .unwrap_err()
            .contains("10000 characters"));
        assert_eq!(clean_name("  Logo 2025 ").unwrap(), "Logo 2025");
    }

    #[test]
    fn tag_sets_are_cleaned() {
        assert_eq!(clean_tags(&["a", " a ", "b"]).unwrap(), ["a", "b"]);
        assert!(clean_tags(&[""]).is_err());
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(clean_tags(&many).is_err());
    }
}
