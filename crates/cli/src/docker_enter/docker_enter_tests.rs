//! Unit tests of docker-enter's parsing and planning, with recorded
//! containers and the test image's passwd and group files.

use super::*;
use crate::container::{Container, ContainerState, PodRef, RuntimeKind};
use crate::plan::{
    AllNamespaces, Confinement, ContainerFs, EnvPlan, ForkMode, IdSpec, PathKind, Plan, Program,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;

const PASSWD: &[u8] = include_bytes!("../../../plan/src/users/testdata/passwd");
const GROUP: &[u8] = include_bytes!("../../../plan/src/users/testdata/group");
const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn request(args: &[&str]) -> Request {
    match parse(&os(args)).unwrap() {
        Parsed::Run(req) => req,
        other => panic!("{other:?}"),
    }
}

/// A container's root as a table of files and directories.
#[derive(Default)]
struct FakeFs {
    files: HashMap<&'static str, Vec<u8>>,
    dirs: HashSet<&'static str>,
    executables: HashSet<&'static str>,
    /// Paths behind a /proc magic link.
    magic: HashSet<&'static str>,
}

impl FakeFs {
    fn busybox() -> FakeFs {
        FakeFs {
            files: HashMap::from([
                ("/etc/passwd", PASSWD.to_vec()),
                ("/etc/group", GROUP.to_vec()),
            ]),
            dirs: HashSet::from(["/", "/tmp", "/home/alice"]),
            executables: HashSet::from(["/bin/sh"]),
            magic: HashSet::new(),
        }
    }
}

impl ContainerFs for FakeFs {
    fn open(&self, path: &Path) -> Result<Option<Box<dyn std::io::Read + '_>>, Error> {
        let file = self.files.get(path.to_str().unwrap());
        Ok(file.map(|b| Box::new(b.as_slice()) as Box<dyn std::io::Read>))
    }
    fn kind(&self, path: &Path) -> PathKind {
        let path = path.to_str().unwrap();
        match () {
            _ if self.dirs.contains(path) => PathKind::Directory,
            _ if self.executables.contains(path) => PathKind::Executable,
            _ if self.files.contains_key(path) => PathKind::Other,
            _ if self.magic.contains(path) => PathKind::Unresolved,
            _ => PathKind::Missing,
        }
    }
}

/// As `docker run -d --name web --hostname web1 IMG` describes it.
fn web() -> Container {
    Container {
        id: "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349".into(),
        name: "web".into(),
        state: ContainerState::Running,
        pid: 4905,
        identity: crate::plan::Identity {
            started_unix_ms: Some(1_800_000_000_000),
            cgroup_id: Some(
                "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349".into(),
            ),
            in_container: true,
            ..Default::default()
        },
        env: vec![PATH.into()],
        hostname: "web1".into(),
        ..Container::default()
    }
}

fn plan_for(args: &[&str], c: &Container, overrides: &[EnvOverride], pty: bool) -> Plan {
    let changes = overrides.iter().cloned().collect();
    plan(&request(args), c, &FakeFs::busybox(), changes, [pty; 3]).unwrap()
}

fn no_changes() -> EnvChanges {
    EnvChanges::default()
}

/// The plan with `fs` as the container's root, no terminal, and no -e or
/// --env-file changes.
fn plan_in(args: &[&str], c: &Container, fs: &FakeFs) -> Result<Plan, Error> {
    plan(&request(args), c, fs, no_changes(), [false; 3])
}

fn plan_err(args: &[&str], c: &Container, fs: &FakeFs) -> String {
    plan_in(args, c, fs).unwrap_err().to_string()
}

fn env_of(plan: &Plan) -> Vec<String> {
    match &plan.launch.env {
        EnvPlan::Exact(e) => e.iter().map(|v| v.to_string_lossy().into_owned()).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn options_stop_at_the_container() {
    let req = request(&[
        "-u",
        "alice",
        "-e",
        "A=1",
        "--env-file=f",
        "-w/tmp",
        "web",
        "ls",
        "-u",
        "--",
        "-e",
    ]);
    assert_eq!(req.container, "web");
    assert_eq!(req.command, os(&["ls", "-u", "--", "-e"]));
    assert_eq!(req.user.as_deref(), Some("alice"));
    assert_eq!(req.workdir.as_deref(), Some(Path::new("/tmp")));
    assert_eq!(req.env, os(&["A=1"]));
    assert_eq!(req.env_files, [PathBuf::from("f")]);
    assert_eq!(req.tty, Tty::Auto);
    assert_eq!(request(&["-it", "web"]).tty, Tty::Always);
    assert_eq!(request(&["-t", "-T", "--", "web"]).tty, Tty::Never);
    assert_eq!(
        request(&["-H", "unix:///s", "web"]).sources.host.as_deref(),
        Some("unix:///s")
    );
    assert!(request(&["web"]).command.is_empty());
}

#[test]
fn help_version_and_bad_lines() {
    assert_eq!(parse(&os(&["--help", "web"])).unwrap(), Parsed::Help);
    assert_eq!(parse(&os(&["-V"])).unwrap(), Parsed::Version);
    assert_eq!(
        parse(&os(&["--list", "--format", "json", "-H", "/s"])).unwrap(),
        Parsed::List {
            sources: crate::container::SourceOptions {
                host: Some("/s".into()),
                ..Default::default()
            },
            format: crate::container::list::Format::Json
        }
    );
    let usage = |args: &[&str]| parse(&os(args)).unwrap_err().to_string();
    assert_eq!(usage(&[]), "no container given");
    assert_eq!(usage(&["-u"]), "option requires an argument -- 'u'");
    assert_eq!(usage(&["--bogus", "web"]), "unrecognized option '--bogus'");
    assert_eq!(
        usage(&["-w", "tmp", "web"]),
        "working directory tmp is not an absolute path"
    );
    assert_eq!(
        usage(&["-e", "=x", "web"]),
        "invalid environment variable: =x"
    );
}

#[test]
fn default_plan_enters_everything_as_docker_exec_would() {
    let p = plan_for(&["web", "id"], &web(), &[], false);
    let target = p.entry.target.as_ref().unwrap();
    assert_eq!((target.pid, target.pidfd_ino), (4905, None));
    assert_eq!(target.identity.as_ref(), Some(&web().identity));
    assert_eq!(p.entry.all, AllNamespaces::Differing);
    assert!(
        p.entry.join_cgroup && p.entry.hardening.check_cwd && p.entry.hardening.refuse_self_exec
    );
    assert!(
        p.entry.hardening.no_host_streams,
        "a pty or pipes, never our 0, 1, 2"
    );
    assert_eq!(p.entry.fork, ForkMode::Always);
    assert_eq!(p.launch.workdir, Some("/".into()));
    assert_eq!(p.launch.creds.uid, Some(IdSpec::Id(0)));
    assert_eq!(p.launch.creds.gid, Some(IdSpec::Id(0)));
    assert_eq!(p.launch.creds.groups, Some(vec![0]));
    assert_eq!(p.launch.program, Program::Command(os(&["id"])));
    assert_eq!(env_of(&p), [PATH, "HOSTNAME=web1", "HOME=/root"]);
    assert!(!p.entry.pty);
    assert_eq!(p.entry.confinement, Confinement::Target);
    assert_eq!(p.entry.umask, Some(0o022));
    assert!(
        !p.entry.follow_context,
        "the label comes with the confinement"
    );
}

/// `--privileged` drops the container's privileges, never its limits,
/// and every refusal to run unconfined names it.
#[test]
fn privileged_keeps_only_the_containers_resource_limits() {
    assert!(!request(&["web"]).privileged);
    assert!(request(&["--privileged", "web"]).privileged);
    let p = plan_for(&["--privileged", "web", "id"], &web(), &[], false);
    assert_eq!(p.entry.confinement, Confinement::ResourcesOnly);
    assert!(!p.entry.confinement.takes_restrictions() && p.entry.confinement.takes_resources());
    assert_eq!(p.entry.umask, Some(0o022));
    let confined = plan_for(&["web", "id"], &web(), &[], false);
    assert!(
        confined.entry.confinement.takes_restrictions()
            && confined.entry.confinement.takes_resources()
    );
    for p in [&p, &confined] {
        // runc gives every exec a new session keyring, privileged or not.
        assert!(p.entry.hardening.fresh_session_keyring);
        assert!(p.entry.confinement_hint.contains("--privileged"), "{p:?}");
    }
}

/// A refusal to run unconfined names the runtime's own exec first, and
/// says what `--privileged` trusts: a hostile container may make the copy
/// of its confinement fail on purpose.
#[test]
fn a_refusal_names_the_runtimes_exec_before_privileged() {
    let hint = |runtime, pod| {
        let mut container = web();
        container.runtime = runtime;
        container.pod = pod;
        plan_for(&["web", "id"], &container, &[], false)
            .entry
            .confinement_hint
    };
    let k8s = Some(PodRef::default());
    for (runtime, pod, exec) in [
        (RuntimeKind::Docker, None, "docker exec runs it"),
        (RuntimeKind::Podman, None, "podman exec runs it"),
        (RuntimeKind::Containerd, None, "ctr task exec runs it"),
        (RuntimeKind::Containerd, k8s.clone(), "kubectl exec runs it"),
        (RuntimeKind::CriO, k8s, "kubectl exec runs it"),
    ] {
        let hint = hint(runtime, pod);
        assert!(hint.starts_with(exec), "{runtime:?}: {hint}");
        assert!(
            hint.ends_with(
                "docker-enter --privileged runs it without, trusting the container's binaries with the host"
            ),
            "{hint}"
        );
    }
    let hint = hint(RuntimeKind::Process, None);
    assert!(
        hint.contains("--privileged") && hint.contains("trusting"),
        "{hint}"
    );
    // After the container it would be the command: refused, with the
    // command line that means it.
    let err = parse(&os(&["web", "--privileged", "id"])).unwrap_err();
    assert!(
        err.to_string()
            .contains("as in: docker-enter --privileged web id"),
        "{err}"
    );
}

#[test]
fn a_terminal_only_when_all_three_are_or_with_t() {
    let all = [true; 3];
    let pty = |args: &[&str], terminals| wants_pty(&request(args), terminals);
    assert!(pty(&["web"], all));
    // `> file`, `| cmd`, `2> log`, `< file`: the exact bytes, no terminal.
    for redirected in [
        [true, false, true],
        [true, true, false],
        [false, true, true],
    ] {
        assert!(!pty(&["web"], redirected), "{redirected:?}");
        assert!(pty(&["-t", "web"], redirected), "{redirected:?}");
    }
    assert!(pty(&["-t", "web"], [false; 3]));
    assert!(!pty(&["-T", "web"], all));
    assert!(!pty(&["-d", "web", "id"], all));
    // TERM comes with the terminal only.
    let terminal = plan_in(&["-t", "web", "env"], &web(), &FakeFs::busybox()).unwrap();
    assert!(terminal.entry.pty && env_of(&terminal).contains(&"TERM=xterm".to_string()));
    let redirected = plan(
        &request(&["web", "env"]),
        &web(),
        &FakeFs::busybox(),
        no_changes(),
        [true, false, true],
    )
    .unwrap();
    assert!(!redirected.entry.pty && !env_of(&redirected).iter().any(|e| e.starts_with("TERM=")));
}

#[test]
fn detach_is_planned_and_needs_a_command_without_t() {
    let req = request(&["-d", "web", "sleep", "9"]);
    assert!(req.detach);
    let p = plan(&req, &web(), &FakeFs::busybox(), no_changes(), [true; 3]).unwrap();
    assert!(p.entry.detach && !p.entry.pty);
    assert!(!plan_for(&["web", "id"], &web(), &[], false).entry.detach);
    let usage = |args: &[&str]| parse(&os(args)).unwrap_err().to_string();
    assert_eq!(
        usage(&["-d", "web"]),
        "-d needs a command: a detached shell would read /dev/null and end at once"
    );
    for args in [&["-dt", "web", "id"][..], &["-t", "--detach", "web", "id"]] {
        assert_eq!(
            usage(args),
            "-d and -t cannot be used together: a detached command has no terminal to relay"
        );
    }
    assert!(request(&["-d", "-T", "-i", "web", "id"]).detach);
}

#[test]
fn options_after_the_container_are_refused_with_the_corrected_line() {
    let err = parse(&os(&["-e", "A=1", "web", "-u", "app", "id"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "options go before the container, as in: docker-enter -e A=1 -u app web id \
         (after web, -u would be run as the command)"
    );
    assert_eq!(err.exit_code(), 1);
    // A command that is not one of our options is the user's to run.
    assert_eq!(request(&["web", "-x"]).command, os(&["-x"]));
    assert_eq!(request(&["web", "--", "ls"]).command, os(&["--", "ls"]));
}

#[test]
fn named_user_gets_supplementary_groups_and_home() {
    let p = plan_for(&["-u", "alice", "web", "id"], &web(), &[], false);
    assert_eq!(p.launch.creds.uid, Some(IdSpec::Id(1000)));
    assert_eq!(p.launch.creds.groups, Some(vec![1000, 10, 44]));
    assert!(env_of(&p).contains(&"HOME=/home/alice".to_string()));
    // The configured user is the default; -u overrides it.
    let mut c = web();
    c.user = "bob".into();
    c.working_dir = "/tmp".into();
    let p = plan_for(&["web", "id"], &c, &[], false);
    assert_eq!(p.launch.creds.uid, Some(IdSpec::Id(1001)));
    assert_eq!(p.launch.workdir, Some("/tmp".into()));
    let p = plan_for(&["-u", "1000:1000", "web", "id"], &c, &[], false);
    assert_eq!(p.launch.creds.groups, Some(vec![1000]));
}

#[test]
fn an_oci_bundles_user_groups_are_its_configured_users_only() {
    // containerd, CRI-O, Podman: the bundle's resolved uid:gid and groups.
    let mut c = web();
    c.user = "1000:1000".into();
    c.user_groups = Some(vec![10, 777]);
    c.hostname = String::new();
    let p = plan_for(&["web", "id"], &c, &[], false);
    assert_eq!(p.launch.creds.groups, Some(vec![10, 777]));
    // Their exec adds no HOSTNAME: neither do we.
    assert_eq!(env_of(&p), [PATH, "HOME=/home/alice"]);
    let p = plan_for(&["-u", "bob", "web", "id"], &c, &[], false);
    assert_eq!(p.launch.creds.groups, Some(vec![1001, 44, 29]));
}

#[test]
fn environment_layers_as_docker_exec_builds_them() {
    let mut c = web();
    c.env = vec!["HOME=/h".into(), "A=1".into(), "B=2".into(), PATH.into()];
    let overrides = [
        EnvOverride::Set("A=x y".into()),
        EnvOverride::Unset("B".into()),
        EnvOverride::Set("C=a=b".into()),
    ];
    let p = plan_for(&["web", "env"], &c, &overrides, true);
    assert_eq!(
        env_of(&p),
        [
            PATH,
            "HOSTNAME=web1",
            "TERM=xterm",
            "HOME=/h",
            "A=x y",
            "C=a=b"
        ]
    );
    assert!(p.entry.pty);
    // Config.Env without PATH keeps docker's default one.
    c.env = vec!["TERM=vt100".into(), "HOSTNAME=set".into()];
    let p = plan_for(&["web", "env"], &c, &[], true);
    assert_eq!(
        env_of(&p),
        [PATH, "HOSTNAME=set", "TERM=vt100", "HOME=/root"]
    );
}

#[test]
fn nul_in_the_container_environment_is_refused() {
    let mut c = web();
    c.env.push("BAD=a\0b".into());
    let err = plan_in(&["web", "env"], &c, &FakeFs::busybox()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment of container web holds a NUL byte in BAD"
    );
}

#[test]
fn shell_is_the_users_else_bash_else_sh() {
    let p = plan_for(&["-u", "bob", "web"], &web(), &[], false);
    // bob's /bin/ash is missing from this root: fall back to /bin/sh.
    assert_eq!(
        p.launch.program,
        Program::Exact {
            path: "/bin/sh".into(),
            argv: os(&["sh"])
        }
    );
    let mut fs = FakeFs::busybox();
    fs.executables.extend(["/bin/ash", "/bin/bash"]);
    let p = plan_in(&["-u", "bob", "web"], &web(), &fs).unwrap();
    assert_eq!(
        p.launch.program,
        Program::Exact {
            path: "/bin/ash".into(),
            argv: os(&["ash"])
        }
    );
    let p = plan_in(&["-u", "1234", "web"], &web(), &fs).unwrap();
    assert_eq!(
        p.launch.program,
        Program::Exact {
            path: "/bin/bash".into(),
            argv: os(&["bash"])
        }
    );
    fs.executables.clear();
    assert_eq!(
        plan_err(&["web"], &web(), &fs),
        "container web has no shell (tried /bin/sh, /bin/bash); give a command to run, \
         or bring a shell with --tools, e.g. docker-enter --tools=/opt/busybox web \
         (--tools alone takes the toolbox installed with the can)"
    );
}

#[test]
fn bad_user_group_and_workdir_name_the_container() {
    let fs = FakeFs::busybox();
    for (args, message) in [
        (
            &["-u", "zed", "web", "id"][..],
            "in container web: unable to find user zed: no matching entries in passwd file",
        ),
        (
            &["-u", "alice:nogroup", "fd55", "id"],
            "in container fd55 (web): unable to find group nogroup: no matching entries in group file",
        ),
        (
            &["-w", "/nope", "web", "id"],
            "working directory /nope does not exist in container web",
        ),
        (
            &["-w", "/etc/passwd", "web", "id"],
            "working directory /etc/passwd is not a directory in container web",
        ),
        (
            &["-w", "/bin/sh", "web", "id"],
            "working directory /bin/sh is not a directory in container web",
        ),
    ] {
        assert_eq!(plan_err(args, &web(), &fs), message);
    }
    // Without passwd, numeric ids work and HOME is "/", as with docker exec.
    let bare = FakeFs {
        dirs: HashSet::from(["/"]),
        ..FakeFs::default()
    };
    let p = plan_in(&["-u", "1000:1000", "web", "id"], &web(), &bare).unwrap();
    assert!(env_of(&p).contains(&"HOME=/".to_string()));
    assert_eq!(p.launch.creds.groups, Some(vec![1000]));
}

#[test]
fn a_workdir_behind_a_magic_link_is_left_to_the_container() {
    // WORKDIR /w with /w -> /proc/1/root: docker exec runs in "/".
    let mut fs = FakeFs::busybox();
    fs.magic.insert("/w");
    let mut c = web();
    c.working_dir = "/w".into();
    let p = plan_in(&["web", "pwd"], &c, &fs).unwrap();
    assert_eq!(p.launch.workdir, Some("/w".into()));
    assert!(
        p.entry.hardening.check_cwd,
        "the directory reached is checked inside"
    );
}

#[test]
fn hostile_container_files_are_refused_by_name() {
    let mut fs = FakeFs::busybox();
    fs.files.insert("/etc/group", vec![b':'; 1 << 20]);
    assert_eq!(
        plan_err(&["web", "id"], &web(), &fs),
        "in container web: /etc/group: line 1 is longer than 64 KiB"
    );
}

#[test]
fn many_variables_build_in_one_pass() {
    let overrides: Vec<EnvOverride> = (0..50_000)
        .map(|i| EnvOverride::Set(format!("V{}={i}", i % 40_000).into()))
        .collect();
    let env = env_of(&plan_for(&["web", "env"], &web(), &overrides, false));
    assert_eq!(env.len(), 40_000 + 3);
    assert_eq!(env[2], "V0=40000");
    assert_eq!(env[env.len() - 2], "V39999=39999");
}

/// Plain words of a roff page: "\-" is "-", font changes are spaces.
fn man_words(page: &str) -> Vec<Vec<String>> {
    let mut text = page.replace("\\-", "-");
    for font in ["\\fB", "\\fI", "\\fR", "\\fP"] {
        text = text.replace(font, " ");
    }
    text.lines()
        .map(|line| {
            line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn every_option_is_in_help_man_page_and_completions() {
    let help = help_text();
    let man = man_words(include_str!("../../../../man/docker-enter.1"));
    let bash = include_str!("../../../../completions/docker-enter.bash");
    let zsh = include_str!("../../../../completions/_docker-enter");
    let fish = include_str!("../../../../completions/docker-enter.fish");
    for row in visible_options() {
        let long = format!("--{}", row.spec.long.unwrap());
        let short = row.spec.short.map(|c| format!("-{c}"));
        let line = format!(
            "{}--{}{}",
            short.as_ref().map_or("    ".into(), |s| format!("{s}, ")),
            row.spec.long.unwrap(),
            row.help_arg
        );
        assert!(help.contains(&line), "--help lacks {line:?}");
        let heading = man
            .iter()
            .any(|w| w.contains(&long) && short.as_ref().is_none_or(|s| w.contains(s)));
        assert!(heading, "{long} has no heading in man/docker-enter.1");
        let spellings: Vec<&String> = std::iter::once(&long).chain(short.as_ref()).collect();
        for s in &spellings {
            assert!(has_option_word(bash, s), "bash completion lacks {s}");
            assert!(has_option_word(zsh, s), "zsh completion lacks {s}");
        }
        assert!(
            fish.contains(&format!("-l {} ", row.spec.long.unwrap())),
            "fish completion lacks {long}"
        );
        if let Some(c) = row.spec.short {
            assert!(
                fish.contains(&format!("-s {c} ")),
                "fish completion lacks -{c}"
            );
        }
    }
}

/// `option` as a whole word of a completion script: `-u` must be there as
/// itself, not inside `--user`.
fn has_option_word(script: &str, option: &str) -> bool {
    script
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|w| w == option)
}

/// The word check can fail: `--user` alone does not give `-u`.
#[test]
fn a_long_option_does_not_stand_for_its_short_one() {
    let zsh = "'(--user)'{--user=}'[run as]'";
    assert!(has_option_word(zsh, "--user") && !has_option_word(zsh, "-u"));
}

#[test]
fn version_names_the_tool() {
    assert!(version_text().starts_with("docker-enter from nsenter-can "));
}

#[test]
fn tools_are_asked_for_as_named() {
    use crate::plan::{Tools, ToolsSource};
    let named = |source: Option<&str>| {
        Some(Tools {
            source: ToolsSource::Named(source.map(OsString::from)),
            at: None,
            container_at: None,
        })
    };
    assert_eq!(request(&["web"]).tools, None);
    assert_eq!(request(&["--tools", "web"]).tools, named(None));
    assert_eq!(
        request(&["--tools=/opt/bb", "web", "ls"]).tools,
        named(Some("/opt/bb"))
    );
    let placed = request(&["--tools=busybox", "--container-at", "/c", "web"]).tools;
    assert_eq!(placed.unwrap().container_at, Some("/c".into()));
    // A directory after a bare --tools was meant as its value.
    let err = parse(&os(&["--tools", "/opt/bb", "web"])).unwrap_err();
    assert_eq!(
        err.what,
        "--tools takes its source attached (--tools=/opt/bb): /opt/bb is not a container"
    );
    // Docker shows names with a '/' in front: still a container; so are
    // the addresses that hold a '/'.
    assert_eq!(request(&["--tools", "/web"]).container, "/web");
    for address in ["k8s:default/web/nginx", "containerd:k8s.io/3f2a"] {
        assert_eq!(request(&["--tools", address]).container, address);
    }
    for bad in [
        &["--tools-at", "/mnt", "web"][..],
        &["--container-at", "/c", "web"],
        &["--tools", "--tools-at", "mnt", "web"],
        &["--tools=", "web"],
    ] {
        assert!(parse(&os(bad)).is_err(), "{bad:?}");
    }
}

#[test]
fn tools_bring_the_shell_and_a_root_moves_the_workdir() {
    use crate::plan::{Tools, ToolsSource};
    let fs = FakeFs::busybox();
    let with = |source: ToolsSource, args: &[&str]| {
        let mut req = request(args);
        req.tools = Some(Tools {
            source,
            at: None,
            container_at: None,
        });
        plan(&req, &web(), &fs, no_changes(), [false; 3]).unwrap()
    };
    let programs = ToolsSource::Programs("/opt/bb".into());
    let p = with(programs.clone(), &["-w", "/tmp", "web"]);
    assert_eq!(p.launch.program, Program::ToolboxShell { login: false });
    assert_eq!(p.launch.workdir, Some("/tmp".into()));
    assert_eq!(p.entry.tools.as_ref().unwrap().source, programs);
    let p = with(programs, &["web", "ls"]);
    assert_eq!(p.launch.program, Program::Command(os(&["ls"])));

    let image = ToolsSource::Image {
        name: "busybox".into(),
        layers: vec!["/l/diff".into()],
    };
    let p = with(image.clone(), &["-w", "/tmp", "web"]);
    assert_eq!(p.launch.workdir, Some("/container/tmp".into()));
    let p = with(image, &["web"]);
    assert_eq!(p.launch.workdir, Some("/container".into()));
    // Without a shell of its own, the container needs the tools' shell.
    let mut bare = FakeFs::busybox();
    bare.executables.clear();
    let mut req = request(&["web"]);
    req.tools = Some(Tools {
        source: ToolsSource::Programs("/opt/bb".into()),
        at: None,
        container_at: None,
    });
    let p = plan(&req, &web(), &bare, no_changes(), [false; 3]).unwrap();
    assert_eq!(p.launch.program, Program::ToolboxShell { login: false });
}
