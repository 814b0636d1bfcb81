//! Credentials of the program: groups, gid, uid, capabilities.

use crate::error::{Error, Result};
use crate::plan::{Credentials, IdSpec};
use crate::sys::{caps, ids, process};
use crate::target::Target;

/// Credentials with `follow` and the `--user` defaults resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub groups: Option<Vec<u32>>,
    pub keep_caps: bool,
    /// Supplementary groups were already dropped before entering.
    pub dropped_early: bool,
}

/// Resolve before entering (`follow` reads the owner of /proc/PID).
pub fn resolve(
    creds: &Credentials,
    target: Option<&Target>,
    entering_userns: bool,
) -> Result<Resolved> {
    let owner = || -> Result<(u32, u32)> {
        target
            .ok_or_else(|| Error::msg("no target PID specified for follow"))?
            .owner()
    };
    let mut uid = match creds.uid {
        Some(IdSpec::Id(u)) => Some(u),
        Some(IdSpec::Follow) => Some(owner()?.0),
        None => None,
    };
    let mut gid = match creds.gid {
        Some(IdSpec::Id(g)) => Some(g),
        Some(IdSpec::Follow) => Some(owner()?.1),
        None => None,
    };
    let defaults = entering_userns && !creds.preserve;
    if defaults {
        uid = uid.or(Some(0));
        gid = gid.or(Some(0));
    }
    let groups = match &creds.groups {
        Some(g) => Some(g.clone()),
        None if gid.is_some() && (defaults || creds.gid.is_some()) => Some(Vec::new()),
        None => None,
    };
    Ok(Resolved {
        uid,
        gid,
        groups,
        keep_caps: creds.keep_caps,
        dropped_early: false,
    })
}

/// Before entering a user namespace, drop supplementary groups while we
/// still may (inside, setgroups can be denied).
pub fn drop_groups_early(resolved: &mut Resolved) {
    if resolved.groups.as_deref() == Some(&[]) {
        resolved.dropped_early = ids::setgroups(&[]).is_ok();
    }
}

/// Apply in the process that will exec: groups, then gid, then uid.
pub fn apply(resolved: &Resolved) -> Result<()> {
    if *resolved == Resolved::default() {
        return Ok(());
    }
    if let Some(groups) = &resolved.groups {
        if let Err(e) = ids::setgroups(groups) {
            if !(groups.is_empty() && resolved.dropped_early) {
                return Err(Error::sys("setgroups failed", e));
            }
        }
    }
    if let Some(gid) = resolved.gid {
        ids::setgid(gid).map_err(|e| Error::sys("setgid failed", e))?;
    }
    if resolved.keep_caps {
        caps::set_keep_caps(true).map_err(|e| Error::sys("cannot keep capabilities", e))?;
    }
    if let Some(uid) = resolved.uid {
        ids::setuid(uid).map_err(|e| Error::sys("setuid failed", e))?;
    }
    // Changing credentials may make us dumpable again (security rule 3).
    process::set_dumpable(false)
        .map_err(|e| Error::sys("cannot make the process non-dumpable", e))?;
    Ok(())
}

/// `--keep-caps`, after [`apply`] (and after the target's capabilities
/// are taken): the permitted capabilities `within` the bounding set the
/// program gets become inheritable and ambient, so the program keeps them
/// across exec. (Beyond it, CAP_SYS_ADMIN may be held a little longer to
/// install the target's filters: never for the program.)
pub fn keep_capabilities(resolved: &Resolved, within: u64) -> Result<()> {
    if !resolved.keep_caps {
        return Ok(());
    }
    let mut caps = caps::capget().map_err(|e| Error::sys("cannot read capabilities", e))?;
    let kept = caps.permitted & within;
    caps.effective = caps.permitted;
    caps.inheritable = kept;
    caps::capset(caps).map_err(|e| Error::sys("cannot set capabilities", e))?;
    for cap in 0..64 {
        if kept & (1 << cap) != 0 {
            caps::raise_ambient(cap)
                .map_err(|e| Error::sys(format!("cannot raise ambient capability {cap}"), e))?;
        }
    }
    process::set_dumpable(false).map_err(|e| Error::sys("cannot make the process non-dumpable", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_namespace_defaults_to_root_and_no_groups() {
        let r = resolve(&Credentials::default(), None, true).unwrap();
        assert_eq!((r.uid, r.gid, r.groups), (Some(0), Some(0), Some(vec![])));
    }

    #[test]
    fn preserve_credentials_touches_nothing() {
        let creds = Credentials {
            preserve: true,
            ..Default::default()
        };
        assert_eq!(resolve(&creds, None, true).unwrap(), Resolved::default());
    }

    #[test]
    fn setgid_drops_groups_and_explicit_groups_win() {
        let creds = Credentials {
            gid: Some(IdSpec::Id(5)),
            ..Default::default()
        };
        assert_eq!(resolve(&creds, None, false).unwrap().groups, Some(vec![]));
        let creds = Credentials {
            gid: Some(IdSpec::Id(5)),
            groups: Some(vec![7, 8]),
            ..Default::default()
        };
        assert_eq!(
            resolve(&creds, None, false).unwrap().groups,
            Some(vec![7, 8])
        );
        assert_eq!(
            resolve(&Credentials::default(), None, false).unwrap(),
            Resolved::default()
        );
    }
}
