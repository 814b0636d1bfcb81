//! What the can installs where.
//!
//! A directory of programs mounted at `/target` (`-v /usr/local/bin:/target`)
//! gets the three tools and nothing else. A prefix (`-v /usr/local:/target`),
//! known by the `bin` directory it holds, gets the tools in `bin/` and their
//! man pages and shell completions under `share/`, where man, bash-completion,
//! zsh and fish look by default, and the default toolbox of `--tools`
//! (busybox and its applet links) under `libexec/`, its licence under
//! `share/doc/`. The image holds those files at the same paths under `/`
//! (`/share/man/man1/nsenter.1`), so `cat` can copy them too.

use super::TOOLS;
use crate::cli::tools_option::INSTALLED_TOOLBOX;
use crate::error::{Error, Result};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// How a target directory is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The tools straight into the directory.
    ToolsOnly,
    /// The tools into `bin/`, man pages and completions into `share/`.
    Prefix,
}

/// Where the toolbox's licence and notes are, under a prefix.
pub const TOOLBOX_DOCS: &str = "share/doc/nsenter-can/busybox";

/// One file to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub from: PathBuf,
    pub dest: PathBuf,
    pub kind: Kind,
}

/// What a file is, which says how it is installed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A tool, run once with `--version` under this name before it is put
    /// in place.
    Tool(&'static str),
    /// A program of the toolbox (busybox): executable, not run.
    Program,
    /// A man page, a completion, a licence.
    Data,
    /// A symbolic link with this content (an applet of the toolbox).
    Link(PathBuf),
}

/// Each tool's man page and completions, as paths under a prefix.
pub fn share_files() -> Vec<String> {
    TOOLS
        .iter()
        .flat_map(|tool| {
            [
                format!("share/man/man1/{tool}.1"),
                format!("share/bash-completion/completions/{tool}"),
                format!("share/zsh/site-functions/_{tool}"),
                format!("share/fish/vendor_completions.d/{tool}.fish"),
            ]
        })
        .collect()
}

/// A prefix holds a `bin` directory (one that stays inside the target when
/// symbolic links are followed).
pub fn layout_of(target: &Path) -> Layout {
    match resolve_inside(target, Path::new("bin")) {
        Ok(Some(bin)) if bin.is_dir() => Layout::Prefix,
        _ => Layout::ToolsOnly,
    }
}

/// The files to install from `source` (the image's `/`) into `target`.
pub fn items(source: &Path, target: &Path, layout: Layout) -> Vec<Item> {
    let tools_dir = match layout {
        Layout::ToolsOnly => target.to_path_buf(),
        Layout::Prefix => target.join("bin"),
    };
    let mut items: Vec<Item> = TOOLS
        .iter()
        .map(|tool| Item {
            from: source.join(tool),
            dest: tools_dir.join(tool),
            kind: Kind::Tool(tool),
        })
        .collect();
    if layout == Layout::Prefix {
        items.extend(share_files().into_iter().map(|file| Item {
            from: source.join(&file),
            dest: target.join(&file),
            kind: Kind::Data,
        }));
        items.extend(toolbox_items(source, target));
    }
    items
}

/// The default toolbox and its licence, as the image holds them (an image
/// built without them installs none): programs, links and notes.
pub fn toolbox_items(source: &Path, target: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    for (dir, is_toolbox) in [(INSTALLED_TOOLBOX, true), (TOOLBOX_DOCS, false)] {
        let Ok(entries) = fs::read_dir(source.join(dir)) else {
            continue;
        };
        let mut names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        names.sort();
        for name in names {
            let from = source.join(dir).join(&name);
            let kind = match fs::read_link(&from) {
                Ok(to) => Kind::Link(to),
                Err(_) if is_toolbox => Kind::Program,
                Err(_) => Kind::Data,
            };
            items.push(Item {
                dest: target.join(dir).join(&name),
                from,
                kind,
            });
        }
    }
    items
}

/// `relative` under `target` with symbolic links followed, as long as it
/// stays inside `target`: `None` when it does not exist, an error when a
/// link leads out (an absolute link would be resolved in the can's own
/// filesystem, not the host's) or nowhere.
pub fn resolve_inside(target: &Path, relative: &Path) -> Result<Option<PathBuf>> {
    let path = target.join(relative);
    match fs::canonicalize(&path) {
        Ok(real) => {
            let root = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
            if real.starts_with(&root) {
                Ok(Some(real))
            } else {
                Err(leads_out(&path, target))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match fs::read_link(&path) {
            // A link whose target is missing here: not a place to make.
            // An absolute one, or one that climbs out, may well lead
            // somewhere on the host, but not from inside the can.
            Ok(to) if !stays_inside(relative, &to) => Err(leads_out(&path, target)),
            Ok(to) => Err(Error::msg(format!(
                "cannot install into {}: a symbolic link leads nowhere ({} does not exist)",
                path.display(),
                to.display()
            ))),
            Err(_) => Ok(None),
        },
        Err(e) => Err(Error::io(
            format!("cannot install into {}", path.display()),
            e,
        )),
    }
}

fn leads_out(path: &Path, target: &Path) -> Error {
    Error::msg(format!(
        "cannot install into {}: a symbolic link leads out of {}",
        path.display(),
        target.display()
    ))
}

/// Whether a link at `relative` (under the target) holding `to` points,
/// by its text alone, at a place under the target.
fn stays_inside(relative: &Path, to: &Path) -> bool {
    if to.is_absolute() {
        return false;
    }
    let mut depth = relative.components().count() as isize - 1;
    for part in to.components() {
        match part {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Make every directory the items go into, one level at a time so that
/// each step is checked; returns the directories made, parents first, for
/// removal if the install fails.
pub fn make_dirs(target: &Path, items: &[Item]) -> Result<Vec<PathBuf>> {
    let mut made = Vec::new();
    let result = items.iter().try_for_each(|item| {
        let dir = item.dest.parent().unwrap_or(target);
        let relative = dir.strip_prefix(target).unwrap_or(Path::new(""));
        let mut sofar = PathBuf::new();
        for part in relative.components() {
            let Component::Normal(name) = part else {
                continue;
            };
            sofar.push(name);
            let path = target.join(&sofar);
            match resolve_inside(target, &sofar)? {
                Some(real) if real.is_dir() => {}
                Some(_) => {
                    return Err(Error::msg(format!(
                        "cannot install into {}: Not a directory",
                        path.display()
                    )))
                }
                None => {
                    fs::create_dir(&path)
                        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
                    made.push(path);
                }
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => Ok(made),
        Err(e) => {
            remove_dirs(&made);
            Err(e)
        }
    }
}

/// Remove directories `make_dirs` made, children first; one that is not
/// empty stays.
pub fn remove_dirs(made: &[PathBuf]) {
    for dir in made.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_man_page_and_three_completions() {
        let files = share_files();
        assert_eq!(files.len(), TOOLS.len() * 4);
        assert!(files.contains(&"share/man/man1/docker-enter.1".to_string()));
        assert!(files.contains(&"share/zsh/site-functions/_nsenter".to_string()));
    }

    #[test]
    fn tools_only_unless_the_target_holds_bin() {
        let dir = std::env::temp_dir().join(format!("can-layout-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(layout_of(&dir), Layout::ToolsOnly);
        let tools_only = items(Path::new("/"), &dir, Layout::ToolsOnly);
        assert_eq!(tools_only.len(), TOOLS.len());
        assert_eq!(tools_only[0].dest, dir.join("nsenter"));

        fs::create_dir(dir.join("bin")).unwrap();
        assert_eq!(layout_of(&dir), Layout::Prefix);
        let prefix = items(Path::new("/"), &dir, Layout::Prefix);
        assert_eq!(prefix[0].dest, dir.join("bin/nsenter"));
        assert_eq!(prefix[0].from, Path::new("/nsenter"));
        assert_eq!(prefix.len(), TOOLS.len() + share_files().len());

        // A bin that is a link out of the target is not taken as a prefix.
        fs::remove_dir(dir.join("bin")).unwrap();
        std::os::unix::fs::symlink("/", dir.join("bin")).unwrap();
        assert_eq!(layout_of(&dir), Layout::ToolsOnly);
        fs::remove_dir_all(&dir).unwrap();
    }
}
