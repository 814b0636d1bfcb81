//! What `--tools` names, found out before anything is prepared: the
//! toolbox installed beside the tool, a directory (of programs, or a
//! whole root filesystem), or a local image, whose layers the runtime
//! names. The command line only said how SOURCE is spelled
//! (`cli::tools_option`); here it is looked at.

use crate::cli::tools_option::{classify, resolved, toolbox_beside, Named};
use crate::error::{Error, Result};
use crate::plan::{Tools, ToolsSource};
use crate::runtime::sources::Sources;
use crate::runtime::SourceOptions;
use std::path::{Path, PathBuf};

/// Resolve a request as named into what to mount; `sources` name the
/// Docker daemon to ask about an image (`-H`, else `DOCKER_HOST`'s, under
/// the host's root when we run in a container that mounts it).
pub fn resolve(tools: &mut Tools, sources: &SourceOptions) -> Result<()> {
    let ToolsSource::Named(named) = &tools.source else {
        return Ok(());
    };
    let source = match classify(named.as_ref())? {
        Named::Default => ToolsSource::Programs(installed_toolbox()?),
        Named::Path(path) => directory(path)?,
        Named::Image(name) => image(name, sources)?,
    };
    *tools = resolved(tools, source)?;
    Ok(())
}

/// A local image: the layer directories its daemon reports, as we see them.
fn image(name: &str, sources: &SourceOptions) -> Result<ToolsSource> {
    let sources = Sources::from_options(sources)?;
    let layers = sources.docker.api.image_layers(name)?;
    Ok(ToolsSource::Image {
        name: name.to_string(),
        layers: layers.iter().map(|l| sources.seen_here(l)).collect(),
    })
}

/// A directory: a whole root filesystem when it holds `usr` or `bin` (a
/// directory, or a link to one as merged-/usr systems have), else a
/// directory of programs.
fn directory(path: &Path) -> Result<ToolsSource> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("cannot use {} as tools", path.display()), e))?;
    if !meta.is_dir() {
        return Err(Error::msg(format!(
            "cannot use {} as tools: it is not a directory",
            path.display()
        )));
    }
    let root = path.join("usr").is_dir() || path.join("bin").is_dir();
    Ok(match root {
        true => ToolsSource::Root(path.to_path_buf()),
        false => ToolsSource::Programs(path.to_path_buf()),
    })
}

/// The toolbox the can installs beside the tools, found from where this
/// tool runs from.
fn installed_toolbox() -> Result<PathBuf> {
    let places: Vec<PathBuf> = own_paths().iter().map(|exe| toolbox_beside(exe)).collect();
    if let Some(found) = places.iter().find(|dir| dir.is_dir()) {
        return Ok(found.clone());
    }
    let looked: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
    Err(Error::msg(format!(
        "no toolbox is installed beside this tool (looked for {}): install the can into \
         a prefix (docker run --rm -v /usr/local:/target nsenter-can), or give \
         --tools=DIR",
        if looked.is_empty() {
            "none: where this tool runs from is unknown".to_string()
        } else {
            looked.join(", ")
        }
    )))
}

/// Where this tool's binary is: what /proc/self/exe says, and where its
/// name (argv[0]) leads, looked up as the shell did. Both, because a run
/// from a protected copy of the binary (a detached mount, a memfd) has an
/// executable that no longer names the installed file.
fn own_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if exe.is_file() {
            paths.push(exe);
        }
    }
    if let Some(argv0) = std::env::args_os().next().map(PathBuf::from) {
        let found = if argv0.as_os_str().as_encoded_bytes().contains(&b'/') {
            Some(argv0)
        } else {
            std::env::var_os("PATH").and_then(|dirs| {
                std::env::split_paths(&dirs)
                    .map(|dir| dir.join(&argv0))
                    .find(|candidate| candidate.is_file())
            })
        };
        if let Some(path) = found.and_then(|p| std::fs::canonicalize(p).ok()) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths
}
