//! Properties over arbitrary command lines: parsing never panics, gives the
//! same answer twice, and never touches what follows the options.

use super::*;
use proptest::prelude::*;
use std::os::unix::ffi::OsStringExt;

/// Words that look like options of the table, with and without values.
fn option_word() -> impl Strategy<Value = OsString> {
    let mut words: Vec<String> = vec!["-".into(), "--".into(), "---".into(), "--=".into()];
    for row in OPTIONS {
        let long = row.spec.long.unwrap();
        words.push(format!("--{long}"));
        words.push(format!("--{long}="));
        words.push(format!("--{long}=1"));
        words.push(format!("--{}", &long[..1]));
        words.push(format!("--{}", &long[..long.len().min(3)]));
        if let Some(c) = row.spec.short {
            words.push(format!("-{c}"));
            words.push(format!("-{c}1"));
            words.push(format!("-{c}/x"));
            words.push(format!("-F{c}"));
        }
    }
    let values = [
        "1", "0", "-1", "follow", "TERM", "/run/x", ":5", "1:2", "abc", "",
    ];
    words.extend(values.iter().map(|v| v.to_string()));
    prop::sample::select(words).prop_map(OsString::from)
}

fn any_word() -> impl Strategy<Value = OsString> {
    prop_oneof![
        4 => option_word(),
        1 => "[ -~]{0,12}".prop_map(OsString::from),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(OsString::from_vec),
        1 => prop::collection::vec(any::<u8>(), 0..8).prop_map(|b| {
            let mut word = b"-".to_vec();
            word.extend(b);
            OsString::from_vec(word)
        }),
    ]
}

fn argv() -> impl Strategy<Value = Vec<OsString>> {
    prop::collection::vec(any_word(), 0..10)
}

proptest! {
    #[test]
    fn never_panics_and_is_deterministic(args in argv()) {
        let first = parse(&args);
        prop_assert_eq!(first, parse(&args));
    }

    #[test]
    fn errors_are_one_line(args in argv()) {
        if let Err(e) = parse(&args) {
            prop_assert!(!e.to_string().contains('\n'));
            prop_assert!(e.errno.is_none());
        }
    }

    /// Whatever follows a program name is passed on as it is, even if it
    /// looks like an option.
    #[test]
    fn program_arguments_are_untouched(prog in "[a-z/][a-z/.]{0,8}", rest in argv()) {
        let mut args = vec![OsString::from("-t1"), OsString::from("-a"), OsString::from(&prog)];
        args.extend(rest.iter().cloned());
        let mut want = vec![OsString::from(prog)];
        want.extend(rest);
        prop_assert_eq!(parse(&args), Ok(Parsed::Run(plan_with(want))));
    }

    /// After `--`, anything at all is the program.
    #[test]
    fn double_dash_ends_options(rest in prop::collection::vec(any_word(), 1..6)) {
        let mut args = vec![OsString::from("-t1"), OsString::from("-a"), OsString::from("--")];
        args.extend(rest.iter().cloned());
        prop_assert_eq!(parse(&args), Ok(Parsed::Run(plan_with(rest))));
    }
}

fn plan_with(program: Vec<OsString>) -> Plan {
    let mut plan = Plan {
        entry: crate::plan::Entry::new("nsenter"),
        launch: crate::plan::Launch::new(Program::Command(program)),
    };
    plan.entry.target = Some(crate::plan::TargetSpec {
        pid: 1,
        pidfd_ino: None,
        identity: None,
    });
    plan.entry.all = AllNamespaces::Every;
    plan
}
