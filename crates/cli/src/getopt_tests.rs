//! The glibc behaviours the parser reproduces, on a small table of its own.

use super::*;
use ArgKind::{No, Optional, Required};

const fn spec(id: u8, short: char, long: &'static str, arg: ArgKind) -> OptSpec<u8> {
    OptSpec {
        id,
        short: Some(short),
        long: Some(long),
        short_arg: arg,
        long_arg: arg,
        extension: false,
    }
}

const SPECS: &[OptSpec<u8>] = &[
    spec(1, 'a', "all", No),
    spec(2, 't', "target", Required),
    spec(3, 'm', "mount", Optional),
    spec(4, 'u', "uts", Optional),
    spec(5, 'U', "user", Optional),
    OptSpec {
        id: 6,
        short: Some('W'),
        long: Some("wdns"),
        short_arg: Required,
        long_arg: Optional,
        extension: false,
    },
    spec(7, 'w', "wd", Optional),
    OptSpec {
        id: 8,
        short: None,
        long: Some("mount-proc"),
        short_arg: No,
        long_arg: No,
        extension: true,
    },
    OptSpec {
        id: 9,
        short: None,
        long: Some("kill-child"),
        short_arg: No,
        long_arg: Optional,
        extension: true,
    },
    OptSpec {
        id: 10,
        short: None,
        long: Some("keep-caps"),
        short_arg: No,
        long_arg: No,
        extension: false,
    },
];

type Parsed = (Vec<(u8, Option<String>)>, Vec<String>);

fn run(args: &[&str]) -> Result<Parsed, String> {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let mut g = Getopt::new(SPECS, &args);
    let mut opts = Vec::new();
    while let Some((id, val)) = g.next_opt().map_err(|e| e.what)? {
        opts.push((id, val.map(|v| v.into_string().unwrap())));
    }
    let rest = g
        .operands()
        .iter()
        .map(|a| a.clone().into_string().unwrap())
        .collect();
    Ok((opts, rest))
}

fn opts(args: &[&str]) -> Vec<(u8, Option<String>)> {
    run(args).unwrap().0
}

fn rest(args: &[&str]) -> Vec<String> {
    run(args).unwrap().1
}

fn err(args: &[&str]) -> String {
    run(args).unwrap_err()
}

fn v(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn stops_at_first_non_option() {
    assert_eq!(rest(&["-a", "ls", "-l", "--all"]), ["ls", "-l", "--all"]);
    assert_eq!(opts(&["-a", "ls", "-a"]), [(1, None)]);
    assert_eq!(rest(&["-", "-a"]), ["-", "-a"]);
    assert_eq!(rest(&["-a", "--", "-a"]), ["-a"]);
    assert_eq!(rest(&["--", "--"]), ["--"]);
    assert!(rest(&["-a"]).is_empty());
}

#[test]
fn short_clusters_and_arguments() {
    assert_eq!(opts(&["-at42"]), [(1, None), (2, v("42"))]);
    assert_eq!(opts(&["-t", "42"]), [(2, v("42"))]);
    assert_eq!(opts(&["-t", "--"]), [(2, v("--"))]);
    // An optional argument swallows the rest of the cluster, as glibc does.
    assert_eq!(opts(&["-mupn"]), [(3, v("upn"))]);
    assert_eq!(opts(&["-am"]), [(1, None), (3, None)]);
    assert_eq!(
        run(&["-m", "/run/x"]).unwrap(),
        (vec![(3, None)], vec!["/run/x".to_string()])
    );
    assert_eq!(opts(&["-W", "/x"]), [(6, v("/x"))]);
}

#[test]
fn long_forms() {
    assert_eq!(opts(&["--target", "1"]), [(2, v("1"))]);
    assert_eq!(opts(&["--target=1"]), [(2, v("1"))]);
    assert_eq!(opts(&["--targ", "1"]), [(2, v("1"))]);
    assert_eq!(opts(&["--target="]), [(2, v(""))]);
    assert_eq!(opts(&["--mount=/x"]), [(3, v("/x"))]);
    assert_eq!(opts(&["--mount="]), [(3, v(""))]);
    assert_eq!(run(&["--mount", "/x"]).unwrap().1, ["/x"]);
    // --wdns takes only an attached argument, unlike -W.
    assert_eq!(
        run(&["--wdns", "/x"]).unwrap(),
        (vec![(6, None)], vec!["/x".to_string()])
    );
    // An exact name beats a longer name it prefixes.
    assert_eq!(opts(&["--wd"]), [(7, None)]);
    assert_eq!(opts(&["--mount"]), [(3, None)]);
}

#[test]
fn extensions_never_make_standard_prefixes_ambiguous() {
    assert_eq!(opts(&["--m"]), [(3, None)]);
    assert_eq!(opts(&["--k"]), [(10, None)]);
    assert_eq!(opts(&["--mount-"]), [(8, None)]);
    assert_eq!(opts(&["--ki=TERM"]), [(9, v("TERM"))]);
}

#[test]
fn glibc_messages() {
    assert_eq!(err(&["--x"]), "unrecognized option '--x'");
    assert_eq!(err(&["--x=5"]), "unrecognized option '--x=5'");
    assert_eq!(err(&["---"]), "unrecognized option '---'");
    assert_eq!(err(&["-x"]), "invalid option -- 'x'");
    assert_eq!(err(&["-a-"]), "invalid option -- '-'");
    assert_eq!(err(&["-t"]), "option requires an argument -- 't'");
    assert_eq!(err(&["-W"]), "option requires an argument -- 'W'");
    assert_eq!(err(&["--target"]), "option '--target' requires an argument");
    assert_eq!(err(&["--tar"]), "option '--target' requires an argument");
    assert_eq!(
        err(&["--all=1"]),
        "option '--all' doesn't allow an argument"
    );
    assert_eq!(
        err(&["--u"]),
        "option '--u' is ambiguous; possibilities: '--uts' '--user'"
    );
    assert_eq!(
        err(&["--u=5"]),
        "option '--u=5' is ambiguous; possibilities: '--uts' '--user'"
    );
}

#[test]
fn errors_come_in_argument_order() {
    assert_eq!(err(&["--x", "-t"]), "unrecognized option '--x'");
    assert_eq!(err(&["-t1", "-y", "--x"]), "invalid option -- 'y'");
    assert!(run(&["ls", "--x"]).is_ok());
}
