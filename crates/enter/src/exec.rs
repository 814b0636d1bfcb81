//! Executing the program: PATH search as execvp does it, but in the
//! environment the program will get, and the login shell.

use super::self_exec::SelfExe;
use crate::bounded::{Records, CONTAINER_FILE};
use crate::error::{Error, ErrorKind};
use crate::plan::Program;
use crate::sys::fs::{self, UNTRUSTED};
use crate::sys::{self, exec::execve, ids, Errno};
use std::ffi::{CString, OsStr, OsString};
use std::os::fd::AsFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// The default search path when PATH is unset (glibc's _CS_PATH).
pub(super) const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// The value of `name` in a `KEY=VALUE` environment.
pub fn env_lookup<'a>(env: &'a [CString], name: &[u8]) -> Option<&'a [u8]> {
    env.iter().find_map(|e| {
        let bytes = e.as_bytes();
        bytes.strip_prefix(name)?.strip_prefix(b"=")
    })
}

fn to_cstrings(items: &[OsString]) -> Result<Vec<CString>, Error> {
    items
        .iter()
        .map(|a| {
            sys::cstring(a.as_bytes()).map_err(|_| {
                Error::msg(format!(
                    "argument contains a NUL byte: {}",
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

/// What one execve attempt came to (it returns only on failure).
enum Attempt {
    Failed(Errno),
    /// The file would run our own binary in the container.
    RefusedSelf,
}

/// Run `argv` with `env`, searching PATH (from `env`) when argv[0] has no
/// slash, refusing any candidate that would run our own binary. Returns
/// only on failure, with 127 for "not found" and 126 for "found but not
/// runnable".
pub fn exec_command(argv: &[OsString], env: &[CString], guard: Option<SelfExe>) -> Error {
    let Some(prog) = argv.first() else {
        return Error::msg("no program to execute");
    };
    let args = match to_cstrings(argv) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let name = prog.as_bytes();
    if name.is_empty() {
        return Error::exec("", Errno::NOENT);
    }
    if name.contains(&b'/') {
        return exec_file(name, &args, env, prog, guard);
    }
    let mut saw_eacces = false;
    for candidate in path_candidates(name, env) {
        let Ok(c) = sys::cstring(&candidate) else {
            continue;
        };
        match attempt(&c, &args, env, guard) {
            Attempt::RefusedSelf => return refuse_self(prog),
            Attempt::Failed(Errno::ACCESS) => saw_eacces = true,
            Attempt::Failed(
                Errno::NOENT | Errno::NOTDIR | Errno::STALE | Errno::NODEV | Errno::TIMEDOUT,
            ) => {}
            Attempt::Failed(other) => return Error::exec(&prog.to_string_lossy(), other),
        }
    }
    Error::exec(
        &prog.to_string_lossy(),
        if saw_eacces {
            Errno::ACCESS
        } else {
            Errno::NOENT
        },
    )
}

/// Where a PATH search looks for `name`, in order: each directory of the
/// PATH in `env` (or the default one), an empty entry meaning ".".
fn path_candidates<'a>(name: &'a [u8], env: &'a [CString]) -> impl Iterator<Item = Vec<u8>> + 'a {
    let path = env_lookup(env, b"PATH").unwrap_or(DEFAULT_PATH);
    path.split(|&b| b == b':').map(move |dir| {
        let mut candidate = if dir.is_empty() {
            b".".to_vec()
        } else {
            dir.to_vec()
        };
        candidate.push(b'/');
        candidate.extend_from_slice(name);
        candidate
    })
}

/// A command that is nowhere to be found gets `hint` (where it was
/// looked for, how to bring it). ENOENT also comes from a program that
/// is there but whose #! interpreter or loader is not: that one keeps
/// the plain message, which the hint would contradict.
pub fn explain_not_found(
    err: Error,
    program: &Program,
    env: &[CString],
    hint: Option<&str>,
) -> Error {
    let (Some(hint), Program::Command(argv)) = (hint, program) else {
        return err;
    };
    let not_found = err.kind == ErrorKind::Exec && err.errno == Some(Errno::NOENT);
    let Some(name) = argv.first().map(|p| p.as_bytes()) else {
        return err;
    };
    let there = |path: &[u8]| std::fs::metadata(OsStr::from_bytes(path)).is_ok();
    let found = match name.contains(&b'/') {
        true => there(name),
        false => path_candidates(name, env).any(|c| there(&c)),
    };
    if !not_found || found || err.hint.is_some() {
        return err;
    }
    err.hint(hint)
}

fn refuse_self(shown: &OsStr) -> Error {
    Error::exec(&shown.to_string_lossy(), Errno::PERM)
        .hint("it would run this tool's own binary inside the container")
}

fn exec_file(
    path: &[u8],
    args: &[CString],
    env: &[CString],
    shown: &OsStr,
    guard: Option<SelfExe>,
) -> Error {
    let outcome = match sys::cstring(path) {
        Ok(c) => attempt(&c, args, env, guard),
        Err(e) => Attempt::Failed(e),
    };
    match outcome {
        Attempt::RefusedSelf => refuse_self(shown),
        Attempt::Failed(errno) => Error::exec(&shown.to_string_lossy(), errno),
    }
}

/// execve, and for a file without a #! line or ELF header (ENOEXEC) run
/// it with /bin/sh, as execvp does; every file about to run is checked
/// against the guard first.
fn attempt(path: &CString, args: &[CString], env: &[CString], guard: Option<SelfExe>) -> Attempt {
    let runs_us = |p: &[u8]| guard.is_some_and(|g| g.runs_us(p));
    if runs_us(path.as_bytes()) {
        return Attempt::RefusedSelf;
    }
    let errno = execve(path, args, env);
    if errno != Errno::NOEXEC {
        return Attempt::Failed(errno);
    }
    if runs_us(b"/bin/sh") {
        return Attempt::RefusedSelf;
    }
    let sh = CString::new("/bin/sh").expect("no NUL");
    let mut sh_args = vec![sh.clone(), path.clone()];
    sh_args.extend(args.iter().skip(1).cloned());
    execve(&sh, &sh_args, env);
    Attempt::Failed(Errno::NOEXEC)
}

/// Run exactly `path` with `argv` (no PATH search).
pub fn exec_exact(
    path: &Path,
    argv: &[OsString],
    env: &[CString],
    guard: Option<SelfExe>,
) -> Error {
    match to_cstrings(argv) {
        Ok(args) => exec_file(
            path.as_os_str().as_bytes(),
            &args,
            env,
            path.as_os_str(),
            guard,
        ),
        Err(e) => e,
    }
}

/// Run the shell at `path`, with argv[0] its name ("-" before it for a
/// login shell).
pub fn exec_shell(path: &Path, login: bool, env: &[CString], guard: Option<SelfExe>) -> Error {
    let base = path.file_name().map(OsStr::as_bytes).unwrap_or(b"sh");
    let argv0 = [if login { &b"-"[..] } else { b"" }, base].concat();
    exec_exact(path, &[OsString::from_vec(argv0)], env, guard)
}

/// No program given: $SHELL, else our passwd entry's shell (read from the
/// /etc/passwd we now see), else /bin/sh; argv[0] is "-" + its basename so
/// it starts as a login shell.
pub fn exec_login_shell(env: &[CString]) -> Error {
    let shell: Vec<u8> = env_lookup(env, b"SHELL")
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .or_else(|| passwd_shell(ids::getuid()))
        .unwrap_or_else(|| b"/bin/sh".to_vec());
    exec_shell(Path::new(OsStr::from_bytes(&shell)), true, env, None)
}

fn passwd_shell(uid: u32) -> Option<Vec<u8>> {
    // The container's file: read it as one it controls.
    let file = fs::open(Path::new("/etc/passwd"), UNTRUSTED).ok()?;
    if !fs::fstat(file.as_fd()).ok()?.is_regular() {
        return None;
    }
    let lines = Records::lines(std::fs::File::from(file), "/etc/passwd", CONTAINER_FILE);
    nsenter_can_plan::users::shell_of_uid(lines, uid).ok()?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lookup_matches_whole_names() {
        let env = [
            CString::new("PATHX=1").unwrap(),
            CString::new("PATH=/x").unwrap(),
        ];
        assert_eq!(env_lookup(&env, b"PATH"), Some(&b"/x"[..]));
        assert_eq!(env_lookup(&env, b"PAT"), None);
    }
}
