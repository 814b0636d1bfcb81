//! A command the container does not have: `docker-enter app ls` in a
//! distroless image. What `failed to execute ls: No such file or
//! directory` is followed by: where the program was looked for (the
//! container's PATH, the toolbox of `--tools`), and how to bring one.

use crate::plan::{Tools, ToolsSource};
use crate::shell::word as shell_word;
use std::ffi::{OsStr, OsString};
use std::path::Path;

/// The hint for a `command` found nowhere, in container `who` (named
/// `query` on the command line), with the `tools` asked for, if any.
pub fn not_found_hint(
    command: &[OsString],
    tools: Option<&Tools>,
    who: &str,
    query: &str,
) -> String {
    let Some(program) = command.first() else {
        return String::new();
    };
    let shown = program.to_string_lossy();
    let by_path = program.as_encoded_bytes().contains(&b'/');
    // Brought tools are found by name, through PATH.
    let base = Path::new(program).file_name().unwrap_or(program);
    let line = |tools_option: &str| {
        let words: Vec<String> = [OsStr::new("docker-enter"), OsStr::new(tools_option)]
            .into_iter()
            .chain([OsStr::new(query), base])
            .chain(command[1..].iter().map(OsString::as_os_str))
            .map(shell_word)
            .collect();
        words.join(" ")
    };
    let Some(tools) = tools else {
        let missing = match by_path {
            true => format!("container {who} has no {shown}"),
            false => format!("container {who} has no {shown} in its PATH"),
        };
        return format!("{missing}; --tools brings one: {}", line("--tools"));
    };
    let option = format!("--tools={}", source_spelling(&tools.source));
    match (&tools.source, by_path) {
        (ToolsSource::Programs(dir), false) => format!(
            "neither container {who}'s PATH nor the toolbox {} has {shown}",
            dir.display()
        ),
        (ToolsSource::Programs(dir), true) => format!(
            "container {who} has no {shown}; the toolbox {} is searched by name: {}",
            dir.display(),
            line(&option)
        ),
        (source, true) => format!("the tools root {} has no {shown}", source_spelling(source)),
        (source, false) => format!(
            "the tools root {} has no {shown} in its PATH",
            source_spelling(source)
        ),
    }
}

/// The tools as `--tools=` names them.
fn source_spelling(source: &ToolsSource) -> String {
    match source {
        ToolsSource::Programs(dir) | ToolsSource::Root(dir) => dir.display().to_string(),
        ToolsSource::Image { name, .. } => name.clone(),
        ToolsSource::Named(Some(named)) => named.to_string_lossy().into_owned(),
        ToolsSource::Named(None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn hint(command: &[&str], source: Option<ToolsSource>) -> String {
        let command: Vec<OsString> = command.iter().map(OsString::from).collect();
        let tools = source.map(|source| Tools {
            source,
            at: None,
            container_at: None,
        });
        not_found_hint(&command, tools.as_ref(), "app", "app")
    }

    #[test]
    fn without_tools_the_line_that_brings_them() {
        assert_eq!(
            hint(&["ls", "-l", "/a b"], None),
            "container app has no ls in its PATH; --tools brings one: \
             docker-enter --tools app ls -l '/a b'"
        );
        assert_eq!(
            hint(&["/bin/ls"], None),
            "container app has no /bin/ls; --tools brings one: docker-enter --tools app ls"
        );
    }

    #[test]
    fn with_tools_the_toolbox_searched_is_named() {
        let toolbox = || Some(ToolsSource::Programs(PathBuf::from("/opt/tb")));
        assert_eq!(
            hint(&["ps"], toolbox()),
            "neither container app's PATH nor the toolbox /opt/tb has ps"
        );
        assert_eq!(
            hint(&["/bin/ps", "-o", "pid"], toolbox()),
            "container app has no /bin/ps; the toolbox /opt/tb is searched by name: \
             docker-enter --tools=/opt/tb app ps -o pid"
        );
        let image = Some(ToolsSource::Image {
            name: "netshoot".into(),
            layers: Vec::new(),
        });
        assert_eq!(
            hint(&["tcpdump"], image),
            "the tools root netshoot has no tcpdump in its PATH"
        );
    }
}
