//! `--tools[=SOURCE]`, `--tools-at DIR` and `--container-at DIR`, the
//! same on both tools: what the command line asks for, checked, before
//! anything is looked at. The tool's `main` then finds out what SOURCE is
//! (a directory of programs, a whole root, an image) and resolves it.

use crate::error::Error;
use crate::plan::{Tools, ToolsSource};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Where the can installs its toolbox, under the prefix that holds the
/// tools' `bin` (`/usr/local/libexec/nsenter-can/toolbox`); the image
/// holds it at the same path under `/`, beside the tools.
pub const INSTALLED_TOOLBOX: &str = "libexec/nsenter-can/toolbox";

/// The toolbox installed with the tool at `exe`: under the prefix its
/// directory belongs to (the image's `/` is its own prefix).
pub fn toolbox_beside(exe: &Path) -> PathBuf {
    let bin = exe.parent().unwrap_or(Path::new("/"));
    let prefix = bin.parent().unwrap_or(bin);
    prefix.join(INSTALLED_TOOLBOX)
}

/// What SOURCE names, by its spelling: a path starts with `/`, `./` or
/// `../` (as `docker run -v` tells a directory from a volume); anything
/// else is an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named<'a> {
    /// `--tools` alone: the toolbox installed beside the tools.
    Default,
    Path(&'a Path),
    Image(&'a str),
}

pub fn classify(source: Option<&OsString>) -> Result<Named<'_>, Error> {
    let Some(source) = source else {
        return Ok(Named::Default);
    };
    let bytes = source.as_encoded_bytes();
    if bytes.is_empty() {
        return Err(Error::msg(
            "--tools= names nothing: give a directory (a path) or a local image",
        ));
    }
    let path = Path::new(source);
    let is_path = bytes.starts_with(b"/")
        || matches!(
            path.components().next(),
            Some(Component::CurDir | Component::ParentDir)
        );
    if is_path {
        return Ok(Named::Path(path));
    }
    source.to_str().map(Named::Image).ok_or_else(|| {
        Error::msg(format!(
            "image name is not valid UTF-8: {}",
            source.to_string_lossy()
        ))
    })
}

/// The three options as the command line gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolsOptions {
    /// `Some(None)`: `--tools` without a value.
    source: Option<Option<OsString>>,
    at: Option<PathBuf>,
    container_at: Option<PathBuf>,
}

impl ToolsOptions {
    /// `--tools[=SOURCE]`; a later one replaces an earlier one.
    pub fn source(&mut self, value: Option<OsString>) {
        self.source = Some(value);
    }

    /// `--tools-at DIR`: where a directory of programs goes.
    pub fn at(&mut self, value: OsString) -> Result<(), Error> {
        self.at = Some(inside_path(value, "--tools-at")?);
        Ok(())
    }

    /// `--container-at DIR`: where the container's root goes in a whole
    /// toolbox root.
    pub fn container_at(&mut self, value: OsString) -> Result<(), Error> {
        let dir = inside_path(value, "--container-at")?;
        if dir == Path::new("/") {
            return Err(Error::msg(
                "--container-at cannot be /: the toolbox's root is there",
            ));
        }
        self.container_at = Some(dir);
        Ok(())
    }

    /// Whether `--tools` was given without a value (what follows may be
    /// a directory meant as its value).
    pub fn source_missing(&self) -> bool {
        self.source == Some(None)
    }

    /// The request, once every option is read.
    pub fn finish(self) -> Result<Option<Tools>, Error> {
        let Some(source) = self.source else {
            return match (&self.at, &self.container_at) {
                (None, None) => Ok(None),
                (Some(_), _) => Err(Error::msg("--tools-at needs --tools")),
                (None, Some(_)) => Err(Error::msg("--container-at needs --tools")),
            };
        };
        classify(source.as_ref())?;
        Ok(Some(Tools {
            source: ToolsSource::Named(source),
            at: self.at,
            container_at: self.container_at,
        }))
    }
}

/// A place inside the container or the toolbox: absolute, and without
/// `.` or `..` (it is resolved with no way out and no link followed).
fn inside_path(value: OsString, option: &str) -> Result<PathBuf, Error> {
    let path = PathBuf::from(value);
    let plain = path
        .components()
        .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
    if !path.is_absolute() || !plain {
        return Err(Error::msg(format!(
            "{option} needs an absolute path without . or ..: {}",
            path.display()
        )));
    }
    Ok(path)
}

/// Once a source has been looked at: the request turned into what to
/// mount. `is_root` says a directory holds a whole root filesystem.
pub fn resolved(tools: &Tools, source: ToolsSource) -> Result<Tools, Error> {
    let root = matches!(source, ToolsSource::Root(_) | ToolsSource::Image { .. });
    if root && tools.at.is_some() {
        return Err(Error::msg(
            "--tools-at is for a directory of programs; these tools are a whole root \
             (the container goes at --container-at)",
        ));
    }
    if !root && tools.container_at.is_some() {
        return Err(Error::msg(
            "--container-at is for a whole toolbox root; these tools are a directory of \
             programs (mounted at --tools-at)",
        ));
    }
    Ok(Tools {
        source,
        ..tools.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(s: &str) -> Named<'_> {
        // Leaked: the tests only read it.
        let owned: &'static OsString = Box::leak(Box::new(OsString::from(s)));
        classify(Some(owned)).unwrap()
    }

    #[test]
    fn paths_are_told_from_images_by_their_spelling() {
        assert_eq!(classify(None).unwrap(), Named::Default);
        assert_eq!(named("/opt/bb"), Named::Path(Path::new("/opt/bb")));
        assert_eq!(named("./bb"), Named::Path(Path::new("./bb")));
        assert_eq!(named("../bb"), Named::Path(Path::new("../bb")));
        assert_eq!(named("."), Named::Path(Path::new(".")));
        assert_eq!(named("busybox"), Named::Image("busybox"));
        assert_eq!(
            named("nicolaka/netshoot:v0.13"),
            Named::Image("nicolaka/netshoot:v0.13")
        );
        assert!(classify(Some(&OsString::new())).is_err());
    }

    #[test]
    fn the_toolbox_is_looked_for_under_the_tools_prefix() {
        assert_eq!(
            toolbox_beside(Path::new("/usr/local/bin/docker-enter")),
            Path::new("/usr/local/libexec/nsenter-can/toolbox")
        );
        assert_eq!(
            toolbox_beside(Path::new("/docker-enter")),
            Path::new("/libexec/nsenter-can/toolbox")
        );
    }

    #[test]
    fn places_are_absolute_and_plain() {
        let mut options = ToolsOptions::default();
        assert!(options.at("/mnt/tools".into()).is_ok());
        for bad in ["mnt", "/mnt/../etc", ""] {
            assert!(options.at(bad.into()).is_err(), "{bad}");
        }
        assert!(options.container_at("/".into()).is_err());
        assert!(options.container_at("/c".into()).is_ok());
    }

    #[test]
    fn places_need_the_tools() {
        let mut options = ToolsOptions::default();
        options.at("/mnt".into()).unwrap();
        assert_eq!(
            options.clone().finish().unwrap_err().what,
            "--tools-at needs --tools"
        );
        options.source(None);
        assert!(options.source_missing());
        let tools = options.finish().unwrap().unwrap();
        assert_eq!(tools.source, ToolsSource::Named(None));
        assert_eq!(tools.at, Some(PathBuf::from("/mnt")));
    }

    #[test]
    fn places_must_fit_the_layout() {
        let asked = |at: Option<&str>, container_at: Option<&str>| Tools {
            source: ToolsSource::Named(None),
            at: at.map(PathBuf::from),
            container_at: container_at.map(PathBuf::from),
        };
        let programs = ToolsSource::Programs("/bb".into());
        let root = ToolsSource::Root("/rootfs".into());
        assert!(resolved(&asked(Some("/mnt"), None), programs.clone()).is_ok());
        assert!(resolved(&asked(Some("/mnt"), None), root.clone()).is_err());
        assert!(resolved(&asked(None, Some("/c")), programs).is_err());
        let ok = resolved(&asked(None, Some("/c")), root.clone()).unwrap();
        assert_eq!(ok.source, root);
        assert_eq!(ok.container_dir(), Path::new("/c"));
    }
}
