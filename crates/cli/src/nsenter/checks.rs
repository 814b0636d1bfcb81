//! Checks that need the whole command line, in util-linux 2.38's order where
//! 2.38 has the check (--all, then each namespace in entering order, then
//! root, then cwd), followed by the checks of later versions and ours.

use crate::error::Error;
use crate::ns_kind::NsKind;
use crate::plan::{
    AllNamespaces, Confinement, DirSource, EnvPlan, ForkMode, IdSpec, NsSource, Plan,
};

pub fn whole_line(plan: &Plan) -> Result<(), Error> {
    if plan.entry.target.is_none() {
        needs_no_target(plan)?;
    }
    if plan.entry.all == AllNamespaces::No && plan.entry.namespaces.is_empty() {
        // 2.42; 2.38 ran the program without entering anything.
        return Err(Error::msg("no namespace specified"));
    }
    if plan.entry.tools.is_some() {
        tools_fit(plan)?;
    }
    if plan.entry.hardening.no_host_streams && plan.entry.fork == ForkMode::Never {
        return Err(Error::msg(
            "--confine cannot be used with --no-fork: nsenter stays to relay the program's \
             standard input and output",
        ));
    }
    Ok(())
}

/// `--tools` mounts into a private copy of the mount namespace entered,
/// at its root.
fn tools_fit(plan: &Plan) -> Result<(), Error> {
    if plan.entry.all == AllNamespaces::No && plan.entry.source_of(NsKind::Mnt).is_none() {
        return Err(Error::msg(
            "--tools needs the mount namespace entered (-m or -a)",
        ));
    }
    if plan.entry.root.is_some() {
        return Err(Error::msg(
            "--tools cannot be used with --root: the tools are mounted at the root of the mount namespace",
        ));
    }
    Ok(())
}

/// Without --target, nothing may ask for something of the target.
fn needs_no_target(plan: &Plan) -> Result<(), Error> {
    let missing = |what: &str| Err(Error::msg(format!("no target PID specified for {what}")));
    let no_file = |what: &str| {
        Err(Error::msg(format!(
            "neither filename nor target pid supplied for {what}"
        )))
    };
    if plan.entry.all != AllNamespaces::No {
        return missing("--all");
    }
    for kind in NsKind::ALL {
        match plan.entry.source_of(kind) {
            Some(NsSource::Target) => return no_file(&kind.label()),
            Some(NsSource::TargetSocket(_)) => return missing("--net-socket"),
            _ => {}
        }
    }
    if plan.entry.root == Some(DirSource::Target) {
        return no_file("root");
    }
    if plan.entry.workdir == Some(DirSource::Target) {
        return no_file("cwd");
    }
    if plan.launch.env == EnvPlan::Target {
        return missing("--env");
    }
    if plan.entry.follow_context {
        return missing("--follow-context");
    }
    if plan.entry.join_cgroup {
        return missing("--join-cgroup");
    }
    if plan.entry.confinement != Confinement::Ours {
        return missing("--confine");
    }
    if plan.launch.creds.uid == Some(IdSpec::Follow) {
        return missing("--setuid follow");
    }
    if plan.launch.creds.gid == Some(IdSpec::Follow) {
        return missing("--setgid follow");
    }
    Ok(())
}
