//! Executing the program: PATH search as execvp does it, but in the
//! environment the program will get, and the login shell.

use crate::error::Error;
use crate::sys::{self, fd, process};
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The default search path when PATH is unset (glibc's _CS_PATH).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

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

/// Our own executable, identified before entering: a container may make its
/// /bin/sh a `#!/proc/self/exe` script to get a writable handle on the
/// host's binary (runc CVE-2019-5736), so such a program is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfExe {
    dev: u64,
    ino: u64,
}

impl SelfExe {
    pub fn current() -> Option<SelfExe> {
        let st = fd::stat(Path::new("/proc/self/exe")).ok()?;
        Some(SelfExe {
            dev: st.st_dev,
            ino: st.st_ino,
        })
    }

    fn is(&self, path: &[u8]) -> bool {
        fd::stat(Path::new(OsStr::from_bytes(path)))
            .is_ok_and(|st| st.st_dev == self.dev && st.st_ino == self.ino)
    }

    /// The file, or the interpreter of its `#!` line (nested as the kernel
    /// allows), is our own binary.
    fn runs_us(&self, path: &[u8]) -> bool {
        let mut path = path.to_vec();
        for _ in 0..5 {
            if self.is(&path) {
                return true;
            }
            match interpreter_of(&path) {
                Some(next) => path = next,
                None => return false,
            }
        }
        false
    }
}

/// The interpreter named by a file's `#!` line.
fn interpreter_of(path: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = [0u8; 256];
    let mut file = std::fs::File::open(OsStr::from_bytes(path)).ok()?;
    let n = file.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let interp = line
        .split(|b| b.is_ascii_whitespace())
        .find(|w| !w.is_empty())?;
    Some(interp.to_vec())
}

/// Run `argv` with `env`, searching PATH (from `env`) when argv[0] has no
/// slash. Returns only on failure, with 127 for "not found" and 126 for
/// "found but not runnable".
pub fn exec_command(argv: &[OsString], env: &[CString]) -> Error {
    exec_command_guarded(argv, env, None)
}

/// `exec_command`, refusing any candidate that would run our own binary.
pub fn exec_command_guarded(argv: &[OsString], env: &[CString], guard: Option<SelfExe>) -> Error {
    let Some(prog) = argv.first() else {
        return Error::msg("no program to execute");
    };
    let args = match to_cstrings(argv) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let name = prog.as_bytes();
    if name.is_empty() {
        return Error::exec("", libc::ENOENT);
    }
    if name.contains(&b'/') {
        return exec_file(name, &args, env, prog, guard);
    }
    let path = env_lookup(env, b"PATH").unwrap_or(DEFAULT_PATH);
    let mut saw_eacces = false;
    for dir in path.split(|&b| b == b':') {
        let mut candidate = if dir.is_empty() {
            b".".to_vec()
        } else {
            dir.to_vec()
        };
        candidate.push(b'/');
        candidate.extend_from_slice(name);
        let Ok(c) = sys::cstring(&candidate) else {
            continue;
        };
        match exec_or_sh(&c, &args, env) {
            libc::EACCES => saw_eacces = true,
            libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
            other => return Error::exec(&prog.to_string_lossy(), other),
        }
    }
    Error::exec(
        &prog.to_string_lossy(),
        if saw_eacces {
            libc::EACCES
        } else {
            libc::ENOENT
        },
    )
}

fn refuse_self(shown: &OsStr) -> Error {
    let mut err = Error::exec(&shown.to_string_lossy(), libc::EPERM);
    err.hint = Some("it would run this tool's own binary inside the container".into());
    err
}

fn exec_file(
    path: &[u8],
    args: &[CString],
    env: &[CString],
    shown: &OsStr,
    guard: Option<SelfExe>,
) -> Error {
    if guard.is_some_and(|g| g.runs_us(path)) {
        return refuse_self(shown);
    }
    let errno = match sys::cstring(path) {
        Ok(c) => exec_or_sh(&c, args, env),
        Err(e) => e,
    };
    Error::exec(&shown.to_string_lossy(), errno)
}

/// execve, and for a file without a #! line or ELF header (ENOEXEC) run
/// it with /bin/sh, as execvp does.
fn exec_or_sh(path: &CString, args: &[CString], env: &[CString]) -> i32 {
    let errno = process::execve(path, args, env);
    if errno != libc::ENOEXEC {
        return errno;
    }
    let sh = CString::new("/bin/sh").expect("no NUL");
    let mut sh_args = vec![sh.clone(), path.clone()];
    sh_args.extend(args.iter().skip(1).cloned());
    process::execve(&sh, &sh_args, env);
    libc::ENOEXEC
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

/// No program given: $SHELL, else our passwd entry's shell (read from the
/// /etc/passwd we now see), else /bin/sh; argv[0] is "-" + its basename so
/// it starts as a login shell.
pub fn exec_login_shell(env: &[CString]) -> Error {
    let shell: Vec<u8> = env_lookup(env, b"SHELL")
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .or_else(|| passwd_shell(process::getuid()))
        .unwrap_or_else(|| b"/bin/sh".to_vec());
    let path = Path::new(OsStr::from_bytes(&shell));
    let base = path.file_name().map(OsStr::as_bytes).unwrap_or(&shell);
    let mut argv0 = b"-".to_vec();
    argv0.extend_from_slice(base);
    let argv = [OsString::from(OsStr::from_bytes(&argv0))];
    exec_exact(path, &argv, env, None)
}

fn passwd_shell(uid: u32) -> Option<Vec<u8>> {
    let passwd = std::fs::read("/etc/passwd").ok()?;
    shell_of_uid(&passwd, uid)
}

/// The shell field of the first passwd line with this uid.
fn shell_of_uid(passwd: &[u8], uid: u32) -> Option<Vec<u8>> {
    let want = uid.to_string();
    passwd.split(|&b| b == b'\n').find_map(|line| {
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        (fields.len() >= 7 && fields[2] == want.as_bytes() && !fields[6].is_empty())
            .then(|| fields[6].to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_from_passwd() {
        let passwd = b"root:x:0:0:root:/root:/bin/ash\nbob:x:1000:1000::/home/bob:\n";
        assert_eq!(shell_of_uid(passwd, 0), Some(b"/bin/ash".to_vec()));
        assert_eq!(shell_of_uid(passwd, 1000), None);
    }

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
