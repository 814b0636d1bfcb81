//! Words as a shell needs them typed, for the command lines messages
//! show (`docker-enter -u app web id`, `docker start web`): names and
//! arguments may hold spaces or quotes, and a line that is shown to be
//! typed must run as shown.

use std::ffi::OsStr;

/// `word` as it is when plain, else in single quotes (a quote inside
/// closed, escaped and reopened).
pub fn word(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.into_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_and_others_are_quoted() {
        assert_eq!(word(OsStr::new("web-1")), "web-1");
        assert_eq!(word(OsStr::new("a b")), "'a b'");
        assert_eq!(word(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(word(OsStr::new("")), "''");
    }
}
