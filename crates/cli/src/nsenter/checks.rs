//! Checks that need the whole command line, in util-linux 2.38's order where
//! 2.38 has the check (--all, then each namespace in entering order, then
//! root, then cwd), followed by the checks of later versions and ours.

use crate::error::Error;
use crate::ns_kind::NsKind;
use crate::plan::{
    AllNamespaces, Confinement, DirSource, EnvPlan, ForkMode, IdSpec, NsSource, Plan, WorkDir,
};

pub fn whole_line(plan: &Plan) -> Result<(), Error> {
    if plan.target.is_none() {
        needs_no_target(plan)?;
    }
    if plan.all == AllNamespaces::No && plan.namespaces.is_empty() {
        // 2.42; 2.38 ran the program without entering anything.
        return Err(Error::msg("no namespace specified"));
    }
    if plan.tools.is_some() {
        tools_fit(plan)?;
    }
    if plan.hardening.no_host_streams && plan.fork == ForkMode::Never {
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
    if plan.all == AllNamespaces::No && plan.source_of(NsKind::Mnt).is_none() {
        return Err(Error::msg(
            "--tools needs the mount namespace entered (-m or -a)",
        ));
    }
    if plan.root.is_some() {
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
    if plan.all != AllNamespaces::No {
        return missing("--all");
    }
    for kind in NsKind::ALL {
        match plan.source_of(kind) {
            Some(NsSource::Target) => return no_file(&kind.label()),
            Some(NsSource::TargetSocket(_)) => return missing("--net-socket"),
            _ => {}
        }
    }
    if plan.root == Some(DirSource::Target) {
        return no_file("root");
    }
    if plan.workdir == WorkDir::Before(DirSource::Target) {
        return no_file("cwd");
    }
    if plan.env == EnvPlan::Target {
        return missing("--env");
    }
    if plan.follow_context {
        return missing("--follow-context");
    }
    if plan.join_cgroup {
        return missing("--join-cgroup");
    }
    if plan.confinement != Confinement::Ours {
        return missing("--confine");
    }
    if plan.creds.uid == Some(IdSpec::Follow) {
        return missing("--setuid follow");
    }
    if plan.creds.gid == Some(IdSpec::Follow) {
        return missing("--setgid follow");
    }
    Ok(())
}
