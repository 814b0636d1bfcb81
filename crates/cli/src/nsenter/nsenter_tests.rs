//! Every option form and every parse-time error, with the texts seen on
//! util-linux nsenter 2.38.1 where it has them.

use super::*;
use crate::error::ErrorKind;
use crate::plan::{Credentials, IdSpec, NsRequest, TargetSpec};

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn plan(args: &[&str]) -> Plan {
    match parse(&os(args)) {
        Ok(Parsed::Run(plan)) => plan,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn fails(args: &[&str]) -> Error {
    parse(&os(args)).expect_err(&format!("{args:?} should fail"))
}

/// A usage error: glibc's text, printed with the "Try" line.
fn usage(args: &[&str]) -> String {
    let e = fails(args);
    assert_eq!(e.kind, ErrorKind::Usage, "{args:?}");
    e.what
}

/// A plain failure: one line, exit 1, no "Try" line.
fn failed(args: &[&str]) -> String {
    let e = fails(args);
    assert_eq!((e.kind, e.errno), (ErrorKind::Failed, None), "{args:?}");
    e.what
}

fn target(pid: i32) -> Option<TargetSpec> {
    Some(TargetSpec {
        pid,
        pidfd_ino: None,
        identity: None,
    })
}

fn ns(kind: NsKind, source: NsSource) -> NsRequest {
    NsRequest { kind, source }
}

#[test]
fn help_and_version_win_where_they_stand() {
    assert_eq!(parse(&os(&["-h"])), Ok(Parsed::Help));
    assert_eq!(parse(&os(&["--he", "-x"])), Ok(Parsed::Help));
    assert_eq!(parse(&os(&["-V", "-h"])), Ok(Parsed::Version));
    assert_eq!(
        parse(&os(&["-t1", "-t", "2", "-V"])).unwrap_err().what,
        "--target specified more than once"
    );
    assert_eq!(usage(&["-x", "-h"]), "invalid option -- 'x'");
    assert_eq!(
        usage(&["--help=3"]),
        "option '--help' doesn't allow an argument"
    );
}

#[test]
fn target_and_namespaces() {
    let p = plan(&["-t", "42", "-m", "-u", "ls", "-l"]);
    assert_eq!(p.entry.tool, "nsenter");
    assert_eq!(p.entry.target, target(42));
    assert_eq!(
        p.entry.namespaces,
        [
            ns(NsKind::Uts, NsSource::Target),
            ns(NsKind::Mnt, NsSource::Target)
        ]
    );
    assert_eq!(p.launch.program, Program::Command(os(&["ls", "-l"])));
    assert_eq!(plan(&["-t42", "-a"]).entry.all, AllNamespaces::Every);
    assert_eq!(plan(&["--targ", "7", "-a"]).entry.target, target(7));
    assert_eq!(plan(&["--target=+7", "-a"]).entry.target, target(7));
    assert_eq!(plan(&["-t", " 7", "-a"]).entry.target, target(7));
    let pinned = plan(&["-t", "7:123", "-a"]).entry.target.unwrap();
    assert_eq!((pinned.pid, pinned.pidfd_ino), (7, Some(123)));
}

#[test]
fn every_namespace_option() {
    // An optional value swallows the rest of a cluster, as in util-linux.
    let p = plan(&["-t1", "-FCUTipnmu"]);
    assert_eq!(
        p.entry.namespaces,
        [ns(NsKind::Cgroup, NsSource::Path("UTipnmu".into()))]
    );
    let p = plan(&["-t1", "-C", "-U", "-T", "-i", "-p", "-n", "-m", "-u"]);
    assert_eq!(p.entry.namespaces.len(), 8);
    assert!(p
        .entry
        .namespaces
        .iter()
        .all(|r| r.source == NsSource::Target));
    let long = plan(&[
        "-t1", "--cgroup", "--user", "--time", "--ipc", "--pid", "--net", "--mount", "--uts",
    ]);
    assert_eq!(long.entry.namespaces, p.entry.namespaces);
}

#[test]
fn namespace_sources() {
    let p = plan(&[
        "--mount=/run/x",
        "-n/run/net",
        "--uts=:42",
        "--ipc=./:7",
        "true",
    ]);
    assert_eq!(
        p.entry.source_of(NsKind::Mnt),
        Some(&NsSource::Path("/run/x".into()))
    );
    assert_eq!(
        p.entry.source_of(NsKind::Net),
        Some(&NsSource::Path("/run/net".into()))
    );
    assert_eq!(p.entry.source_of(NsKind::Uts), Some(&NsSource::Nsid(42)));
    assert_eq!(
        p.entry.source_of(NsKind::Ipc),
        Some(&NsSource::Path("./:7".into()))
    );
    // The later option for a kind replaces the earlier.
    let p = plan(&["-t1", "-m/x", "-m"]);
    assert_eq!(p.entry.namespaces, [ns(NsKind::Mnt, NsSource::Target)]);
    // Empty attached value: a file named "", which fails when opened.
    assert_eq!(
        plan(&["--net="]).entry.source_of(NsKind::Net),
        Some(&NsSource::Path("".into()))
    );
    assert_eq!(failed(&["--uts=:x"]), "failed to parse nsid: ':x'");
    assert_eq!(failed(&["--uts=:"]), "failed to parse nsid: ':'");
}

#[test]
fn optional_values_must_be_attached() {
    let p = plan(&["-t1", "-m", "/run/x"]);
    assert_eq!(p.entry.source_of(NsKind::Mnt), Some(&NsSource::Target));
    assert_eq!(p.launch.program, Program::Command(os(&["/run/x"])));
    let p = plan(&["-t1", "-a", "--wdns", "/tmp"]);
    assert_eq!(
        (p.launch.workdir, p.launch.program),
        (None, Program::Command(os(&["/tmp"])))
    );
}

#[test]
fn net_socket() {
    let p = plan(&["-t", "5", "-N", "3"]);
    assert_eq!(
        p.entry.namespaces,
        [ns(NsKind::Net, NsSource::TargetSocket(3))]
    );
    assert_eq!(
        plan(&["-t5", "--net-socket=4"])
            .entry
            .source_of(NsKind::Net),
        Some(&NsSource::TargetSocket(4))
    );
    assert_eq!(
        plan(&["-t5", "-N3", "-n"]).entry.source_of(NsKind::Net),
        Some(&NsSource::Target)
    );
    assert_eq!(
        failed(&["-N", "3"]),
        "no target PID specified for --net-socket"
    );
    assert_eq!(failed(&["-t5", "-N", "x"]), "failed to parse fd: 'x'");
    assert_eq!(failed(&["-t5", "-N", "-1"]), "failed to parse fd: '-1'");
}

#[test]
fn credentials() {
    let p = plan(&[
        "-t1",
        "-U",
        "-S",
        "1000",
        "-G",
        "follow",
        "--preserve-credentials",
        "--keep-caps",
    ]);
    let want = Credentials {
        uid: Some(IdSpec::Id(1000)),
        gid: Some(IdSpec::Follow),
        groups: None,
        preserve: true,
        keep_caps: true,
    };
    assert_eq!(p.launch.creds, want);
    // No default 0/0 for --user: the engine decides once it knows.
    assert_eq!(plan(&["-t1", "-U"]).launch.creds, Credentials::default());
    assert_eq!(
        plan(&["-t1", "-a", "-S", "4294967295"]).launch.creds.uid,
        Some(IdSpec::Id(u32::MAX))
    );
    assert_eq!(
        plan(&["-t1", "-a", "--setuid=+5"]).launch.creds.uid,
        Some(IdSpec::Id(5))
    );
    for bad in ["abc", "", "1x", "0x5", "-1", "4294967296", "5 "] {
        assert_eq!(
            failed(&["-S", bad]),
            format!("failed to parse uid: '{bad}'")
        );
        assert_eq!(
            failed(&["-G", bad]),
            format!("failed to parse gid: '{bad}'")
        );
    }
    assert!(plan(&["-t1", "-U", "--user-parent"]).entry.user_parent);
}

#[test]
fn directories_environment_and_flags() {
    let p = plan(&["-t1", "-a", "-r", "-w", "-e", "-F", "-c", "-Z"]);
    assert_eq!(p.entry.root, Some(DirSource::Target));
    assert_eq!(p.entry.workdir, Some(DirSource::Target));
    assert_eq!(p.launch.env, EnvPlan::Target);
    assert_eq!(p.entry.fork, ForkMode::Never);
    assert!(p.entry.join_cgroup && p.entry.follow_context);
    let p = plan(&["-t1", "-a", "-r/srv", "--wd=/tmp"]);
    assert_eq!(p.entry.root, Some(DirSource::Path("/srv".into())));
    assert_eq!(p.entry.workdir, Some(DirSource::Path("/tmp".into())));
    assert_eq!(
        plan(&["-t1", "-a", "-W", "/x"]).launch.workdir,
        Some("/x".into())
    );
    assert_eq!(
        plan(&["-t1", "-a", "--wdns=/x"]).launch.workdir,
        Some("/x".into())
    );
    assert_eq!(plan(&["-t1", "-a", "-W/x", "--wdns"]).launch.workdir, None);
    let defaults = plan(&["-t1", "-a"]);
    assert_eq!(
        (
            defaults.entry.fork,
            defaults.entry.kill_child,
            defaults.entry.mount_proc
        ),
        (ForkMode::WhenPidNs, None, false)
    );
    assert_eq!(defaults.launch.program, Program::LoginShell);
}

#[test]
fn extensions() {
    assert_eq!(
        plan(&["-t1", "-a", "--kill-child"]).entry.kill_child,
        Some(crate::signals::SIGKILL)
    );
    assert_eq!(
        plan(&["-t1", "-a", "--kill-child=TERM"]).entry.kill_child,
        Some(crate::signals::SIGTERM)
    );
    assert_eq!(
        plan(&["-t1", "-a", "--kill-child=SIGTERM"])
            .entry
            .kill_child,
        Some(crate::signals::SIGTERM)
    );
    assert_eq!(
        plan(&["-t1", "-a", "--kill-child=15"]).entry.kill_child,
        Some(15)
    );
    assert_eq!(
        plan(&["-t1", "-a", "--kill"]).entry.kill_child,
        Some(crate::signals::SIGKILL)
    );
    assert_eq!(failed(&["--kill-child=FOO"]), "unknown signal: FOO");
    assert_eq!(failed(&["--kill-child="]), "unknown signal: ");
    assert!(plan(&["-t1", "-p", "--mount-proc"]).entry.mount_proc);
    // Our extensions never make a util-linux abbreviation ambiguous.
    assert_eq!(
        plan(&["-t1", "--m"]).entry.source_of(NsKind::Mnt),
        Some(&NsSource::Target)
    );
    assert!(plan(&["-t1", "-a", "--k"]).launch.creds.keep_caps);
    assert_eq!(
        plan(&["-t1", "--c"]).entry.source_of(NsKind::Cgroup),
        Some(&NsSource::Target)
    );
}

/// `--confine` takes the target's confinement; without it nsenter keeps
/// its own, as util-linux.
#[test]
fn confine() {
    assert_eq!(plan(&["-t1", "-a"]).entry.confinement, Confinement::Ours);
    let p = plan(&["-t1", "-a", "--confine"]);
    assert_eq!(p.entry.confinement, Confinement::Target);
    assert!(p.entry.confinement_hint.contains("--confine"));
    assert_eq!(p.entry.umask, None, "nsenter keeps the caller's umask");
    assert!(p.entry.hardening.fresh_session_keyring);
    assert!(
        !plan(&["-t1", "-a"]).entry.hardening.fresh_session_keyring,
        "util-linux passes the caller's keyring on"
    );
    assert_eq!(
        plan(&["-t1", "-a", "--conf"]).entry.confinement,
        Confinement::Target
    );
    // Whether our binary must be protected: a PID namespace may be entered.
    assert!(p.entry.may_enter_pid_namespace());
    assert!(plan(&["-t1", "-p"]).entry.may_enter_pid_namespace());
    assert!(!plan(&["-t1", "-n", "--confine"])
        .entry
        .may_enter_pid_namespace());
    assert!(plan(&["-t1", "-p/x", "-n"]).entry.may_enter_pid_namespace());
}

/// `--confine` gives the program's 0, 1 and 2 as docker-enter does: a
/// pty when all three of ours are terminals, else relayed pipes; which
/// needs nsenter to stay, so not with `--no-fork`. Without it, the
/// caller's own, as util-linux.
#[test]
fn confine_gives_standard_streams_as_docker_enter() {
    let streams = |args: &[&str], terminals| {
        let mut p = plan(args);
        standard_streams(&mut p, terminals);
        (p.entry.hardening.no_host_streams, p.entry.pty)
    };
    let confine = ["-t1", "-a", "--confine"];
    assert_eq!(streams(&confine, [true; 3]), (true, true));
    assert_eq!(streams(&confine, [true, true, false]), (true, false));
    assert_eq!(streams(&confine, [false; 3]), (true, false));
    assert_eq!(streams(&["-t1", "-a"], [true; 3]), (false, false));
    assert_eq!(
        failed(&["-t1", "-a", "--confine", "-F"]),
        "--confine cannot be used with --no-fork: nsenter stays to relay the program's \
         standard input and output"
    );
    assert!(!plan(&["-t1", "-a", "-F"]).entry.hardening.no_host_streams);
}

#[test]
fn getopt_errors_as_glibc_prints_them() {
    assert_eq!(usage(&["--x"]), "unrecognized option '--x'");
    assert_eq!(
        usage(&["--net-sockets"]),
        "unrecognized option '--net-sockets'"
    );
    assert_eq!(usage(&["-x"]), "invalid option -- 'x'");
    assert_eq!(usage(&["-t"]), "option requires an argument -- 't'");
    assert_eq!(usage(&["-W"]), "option requires an argument -- 'W'");
    assert_eq!(
        usage(&["--target"]),
        "option '--target' requires an argument"
    );
    assert_eq!(
        usage(&["--all=1"]),
        "option '--all' doesn't allow an argument"
    );
    assert_eq!(
        usage(&["--no-f=1"]),
        "option '--no-fork' doesn't allow an argument"
    );
}

#[test]
fn ambiguous_prefixes_list_candidates_in_table_order() {
    let cases = [
        ("--s", "'--setuid' '--setgid'"),
        ("--w", "'--wd' '--wdns'"),
        ("--p", "'--pid' '--preserve-credentials'"),
        ("--n", "'--net' '--net-socket' '--no-fork'"),
        ("--u", "'--uts' '--user' '--user-parent'"),
        ("--t", "'--target' '--time'"),
    ];
    for (arg, list) in cases {
        assert_eq!(
            usage(&[arg]),
            format!("option '{arg}' is ambiguous; possibilities: {list}")
        );
    }
    assert_eq!(
        usage(&["--s=5"]),
        "option '--s=5' is ambiguous; possibilities: '--setuid' '--setgid'"
    );
}

#[test]
fn bad_pids() {
    for bad in [
        "abc",
        "",
        "0",
        "-1",
        "1x",
        "0x5",
        "5 ",
        "5:",
        ":5",
        "2147483648",
        "99999999999",
        "5:x",
        "5:-1",
        "--",
    ] {
        assert_eq!(
            failed(&["-t", bad]),
            format!("failed to parse pid: '{bad}'")
        );
    }
    assert_eq!(failed(&["--target="]), "failed to parse pid: ''");
    assert_eq!(
        plan(&["-t", "2147483647", "-a"]).entry.target,
        target(i32::MAX)
    );
}

#[test]
fn errors_fire_in_command_line_order() {
    assert_eq!(
        failed(&["-S", "abc", "-t", "abc"]),
        "failed to parse uid: 'abc'"
    );
    assert_eq!(
        failed(&["-t", "abc", "-S", "abc"]),
        "failed to parse pid: 'abc'"
    );
    assert_eq!(
        failed(&["--target=abc", "--x"]),
        "failed to parse pid: 'abc'"
    );
    assert_eq!(usage(&["--x", "--target=abc"]), "unrecognized option '--x'");
    assert_eq!(
        failed(&["-w", "-W/x", "-t", "abc"]),
        "mutually exclusive arguments: --wdns --wd"
    );
    assert_eq!(
        failed(&["-t", "abc", "-w", "-W/x"]),
        "failed to parse pid: 'abc'"
    );
    assert_eq!(
        failed(&["-w", "-W/x", "--x"]),
        "mutually exclusive arguments: --wdns --wd"
    );
    assert_eq!(
        failed(&["-t", "1", "-t", "abc"]),
        "failed to parse pid: 'abc'"
    );
    assert_eq!(
        failed(&["-t", "1", "-t", "1"]),
        "--target specified more than once"
    );
}

#[test]
fn wd_and_wdns_exclude_each_other() {
    for args in [
        &["-w", "-W", "/x"][..],
        &["-W", "/x", "-w"],
        &["-w", "--wdns"],
        &["--wdns", "-w"],
        &["-w/a", "-W/b"],
    ] {
        assert_eq!(failed(args), "mutually exclusive arguments: --wdns --wd");
    }
}

#[test]
fn checks_without_a_target_in_oracle_order() {
    let cases: &[(&[&str], &str)] = &[
        (&["-a", "-m"], "no target PID specified for --all"),
        (&["-m", "-a"], "no target PID specified for --all"),
        (
            &["-a", "-r", "-S", "0"],
            "no target PID specified for --all",
        ),
        (
            &["-m", "-u"],
            "neither filename nor target pid supplied for ns/uts",
        ),
        (
            &["-U", "-T", "-C", "-p", "-n", "-i", "-u", "-m"],
            "neither filename nor target pid supplied for ns/user",
        ),
        (
            &["-i", "-C"],
            "neither filename nor target pid supplied for ns/cgroup",
        ),
        (
            &["-u", "-i"],
            "neither filename nor target pid supplied for ns/ipc",
        ),
        (
            &["-p", "-n"],
            "neither filename nor target pid supplied for ns/net",
        ),
        (
            &["-m", "-p"],
            "neither filename nor target pid supplied for ns/pid",
        ),
        (
            &["-T", "-m"],
            "neither filename nor target pid supplied for ns/mnt",
        ),
        (
            &["-w", "-T"],
            "neither filename nor target pid supplied for ns/time",
        ),
        (
            &["-r", "-w", "-m"],
            "neither filename nor target pid supplied for ns/mnt",
        ),
        (
            &["-w", "-r"],
            "neither filename nor target pid supplied for root",
        ),
        (
            &["-m/x", "-w"],
            "neither filename nor target pid supplied for cwd",
        ),
        (&["-m/x", "-e"], "no target PID specified for --env"),
        (
            &["-m/x", "-Z"],
            "no target PID specified for --follow-context",
        ),
        (&["-m/x", "-c"], "no target PID specified for --join-cgroup"),
        (
            &["-m/x", "--confine"],
            "no target PID specified for --confine",
        ),
        (
            &["-m/x", "-S", "follow"],
            "no target PID specified for --setuid follow",
        ),
        (
            &["-m/x", "-G", "follow"],
            "no target PID specified for --setgid follow",
        ),
    ];
    for (args, want) in cases {
        assert_eq!(failed(args), *want, "{args:?}");
    }
    // Files need no target; neither do -S/-G with numbers, -F, -W.
    let p = plan(&[
        "-m/x",
        "-S0",
        "-G0",
        "-F",
        "-W/tmp",
        "--user-parent",
        "--mount-proc",
    ]);
    assert_eq!(p.entry.target, None);
}

#[test]
fn no_namespace_at_all() {
    for args in [
        &[][..],
        &["true"],
        &["-t1"],
        &["-t1", "-r", "-w", "-e", "-F"],
        &["--", "-m"],
        &["-t1", "--mount-proc"],
    ] {
        assert_eq!(failed(args), "no namespace specified", "{args:?}");
    }
    // The missing target is reported first, as 2.38 does.
    assert_eq!(
        failed(&["-r"]),
        "neither filename nor target pid supplied for root"
    );
}

#[test]
fn program_and_arguments_are_untouched() {
    assert_eq!(
        plan(&["-t1", "-a", "--", "-m", "--x"]).launch.program,
        Program::Command(os(&["-m", "--x"]))
    );
    assert_eq!(
        plan(&["-t1", "-a", "-", "-m"]).launch.program,
        Program::Command(os(&["-", "-m"]))
    );
    assert_eq!(
        plan(&["-t1", "-a", "ls", "--", "-t"]).launch.program,
        Program::Command(os(&["ls", "--", "-t"]))
    );
}

#[test]
fn help_lists_every_option_and_keeps_the_layout() {
    let help = help_text();
    assert!(help.starts_with("\nUsage:\n nsenter [options] [<program> [<argument>...]]\n\n"));
    assert!(help.ends_with("\nFor more details see nsenter(1).\n"));
    assert!(help.contains("\n -a, --all              enter all namespaces of the target\n"));
    assert!(help.contains("\n -h, --help             display this help\n"));
    assert!(help.contains("\n Signals sent to nsenter are passed on to <program>;"));
    for row in OPTIONS {
        let long = format!("--{}", row.spec.long.unwrap());
        assert!(
            help.contains(&format!(" {long}")),
            "{long} missing from --help"
        );
        if let Some(c) = row.spec.short {
            assert!(
                help.contains(&format!(" -{c}, {long}")),
                "-{c} missing from --help"
            );
        }
    }
    assert!(version_text().starts_with("nsenter from nsenter-can "));
    assert!(version_text().ends_with('\n'));
}

#[test]
fn help_order_names_every_row_once() {
    let listed: Vec<Opt> = [
        options::HELP_ORDER,
        options::HELP_INFO,
        options::HELP_EXTENSIONS,
    ]
    .concat();
    assert_eq!(listed.len(), OPTIONS.len());
    for row in OPTIONS {
        assert_eq!(
            listed.iter().filter(|&&o| o == row.spec.id).count(),
            1,
            "{:?}",
            row.spec.id
        );
    }
}

#[test]
fn man_page_documents_every_option() {
    // Plain text of the page: roff writes "-" as "\-" and changes fonts
    // with \fB, \fI, \fR.
    let mut man = include_str!("../../../../man/nsenter.1").replace("\\-", "-");
    for font in ["\\fB", "\\fI", "\\fR", "\\fP"] {
        man = man.replace(font, " ");
    }
    let words = |line: &str| -> Vec<String> {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map(str::to_string)
            .collect()
    };
    for row in OPTIONS {
        let long = format!("--{}", row.spec.long.unwrap());
        let short = row.spec.short.map(|c| format!("-{c}"));
        // The heading of an option names both of its spellings.
        let heading = man
            .lines()
            .map(words)
            .any(|w| w.contains(&long) && short.as_ref().is_none_or(|s| w.contains(s)));
        assert!(
            heading,
            "{long} ({short:?}) has no heading in man/nsenter.1"
        );
    }
}

#[test]
fn tools() {
    use crate::plan::{Tools, ToolsSource};
    let p = plan(&["-t1", "-a", "--tools=/opt/bb", "--tools-at", "/mnt/t"]);
    assert_eq!(
        p.entry.tools,
        Some(Tools {
            source: ToolsSource::Named(Some("/opt/bb".into())),
            at: Some("/mnt/t".into()),
            container_at: None,
        })
    );
    assert_eq!(p.launch.program, Program::ToolboxShell { login: true });
    let p = plan(&["-t1", "-m", "--tools", "ls"]);
    assert_eq!(p.launch.program, Program::Command(os(&["ls"])));
    assert_eq!(p.entry.tools.unwrap().source, ToolsSource::Named(None));
    assert_eq!(
        usage(&["-t1", "-a", "--to"]),
        "option '--to' is ambiguous; possibilities: '--tools' '--tools-at'"
    );
    assert_eq!(
        failed(&["-t1", "-n", "--tools=/opt/bb"]),
        "--tools needs the mount namespace entered (-m or -a)"
    );
    assert_eq!(
        failed(&["-t1", "-a", "-r", "--tools=/opt/bb"]),
        "--tools cannot be used with --root: the tools are mounted at the root of the mount namespace"
    );
    assert_eq!(
        failed(&["-t1", "-a", "--tools-at", "/mnt"]),
        "--tools-at needs --tools"
    );
    assert_eq!(
        failed(&["-t1", "-a", "--tools", "--container-at", "c"]),
        "--container-at needs an absolute path without . or ..: c"
    );
}
