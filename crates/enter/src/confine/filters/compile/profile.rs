//! An OCI seccomp profile (`linux.seccomp` of a bundle's config.json), read
//! as runc 1.1 reads it: one rule per name, actions and comparisons by
//! their libseccomp names. Whatever would have stopped runc from starting
//! the container is refused here too.

use super::arch::Arch;
use super::syscalls;
use super::tree::Op;
use super::Refusal;
use serde_json::Value;

/// An action, as runc names them (configs.Action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Kill,
    KillThread,
    KillProcess,
    Errno,
    Trap,
    Allow,
    Trace,
    Log,
    Notify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Action {
    pub kind: Kind,
    /// `errnoRet` (or `defaultErrnoRet`), for ERRNO and TRACE.
    pub errno_ret: Option<u64>,
}

/// libseccomp's bound on an ERRNO action's value.
const MAX_ERRNO: u32 = 4095;

impl Action {
    /// The filter's return value (SCMP_ACT_*), as runc asks libseccomp for
    /// it: ERRNO and TRACE carry errnoRet's low 16 bits, EPERM without.
    pub(super) fn value(self) -> Result<u32, Refusal> {
        let data = (self.errno_ret.unwrap_or(1) & 0xffff) as u32;
        Ok(match self.kind {
            Kind::Kill | Kind::KillThread => 0,
            Kind::KillProcess => 0x8000_0000,
            Kind::Trap => 0x0003_0000,
            Kind::Errno if data >= MAX_ERRNO => {
                return Err(Refusal(format!(
                    "SCMP_ACT_ERRNO with errno {data} is invalid"
                )))
            }
            Kind::Errno => 0x0005_0000 | data,
            Kind::Trace => 0x7ff0_0000 | data,
            Kind::Log => 0x7ffc_0000,
            Kind::Allow => 0x7fff_0000,
            Kind::Notify => {
                return Err(Refusal(
                    "SCMP_ACT_NOTIFY hands calls to the runtime's seccomp agent, which \
                     docker-enter cannot reach"
                        .into(),
                ))
            }
        })
    }

    /// Whether the action lets the call through (runc adds no ENOSYS stub
    /// to a profile whose default does).
    pub(super) fn lets_through(self) -> bool {
        matches!(self.kind, Kind::Allow | Kind::Log | Kind::Trace)
    }
}

/// One condition, as the profile gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Arg {
    pub index: u64,
    pub op: Op,
    pub value: u64,
    pub value_two: u64,
}

/// One name of a profile's syscall entry, in 12 bytes (a profile has
/// hundreds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Syscall {
    /// Its row in the syscall table; [`UNKNOWN`] for a name libseccomp
    /// does not know.
    row: u16,
    /// Its entry, and its place among the entry's names.
    entry: u32,
    name: u32,
}

const UNKNOWN: u16 = u16::MAX;

impl Syscall {
    /// Its row in the syscall table; None for a name libseccomp does not
    /// know.
    pub(super) fn row(&self) -> Option<usize> {
        (self.row != UNKNOWN).then_some(usize::from(self.row))
    }
}

/// A syscall entry of the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<'a> {
    action: Action,
    args: Vec<Arg>,
    names: &'a [Value],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Profile<'a> {
    pub default: Action,
    pub default_errno_ret: Option<u64>,
    /// As listed (runc adds them after the native one, once each).
    pub archs: Vec<Arch>,
    /// One per name, in the profile's order.
    pub syscalls: Vec<Syscall>,
    entries: Vec<Entry<'a>>,
}

fn action(name: &Value, errno_ret: Option<u64>, what: &str) -> Result<Action, Refusal> {
    let kind = match name.as_str() {
        Some("SCMP_ACT_KILL") => Kind::Kill,
        Some("SCMP_ACT_KILL_THREAD") => Kind::KillThread,
        Some("SCMP_ACT_KILL_PROCESS") => Kind::KillProcess,
        Some("SCMP_ACT_ERRNO") => Kind::Errno,
        Some("SCMP_ACT_TRAP") => Kind::Trap,
        Some("SCMP_ACT_ALLOW") => Kind::Allow,
        Some("SCMP_ACT_TRACE") => Kind::Trace,
        Some("SCMP_ACT_LOG") => Kind::Log,
        Some("SCMP_ACT_NOTIFY") => Kind::Notify,
        _ => return Err(Refusal(format!("{what} is not a seccomp action: {name}"))),
    };
    Ok(Action { kind, errno_ret })
}

fn op(name: &Value) -> Result<Op, Refusal> {
    Ok(match name.as_str() {
        Some("SCMP_CMP_NE") => Op::Ne,
        Some("SCMP_CMP_LT") => Op::Lt,
        Some("SCMP_CMP_LE") => Op::Le,
        Some("SCMP_CMP_EQ") => Op::Eq,
        Some("SCMP_CMP_GE") => Op::Ge,
        Some("SCMP_CMP_GT") => Op::Gt,
        Some("SCMP_CMP_MASKED_EQ") => Op::MaskedEq,
        _ => return Err(Refusal(format!("{name} is not a seccomp comparison"))),
    })
}

/// An optional unsigned number.
fn number(v: &Value, what: &str) -> Result<Option<u64>, Refusal> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Refusal(format!("{what} is not an unsigned number: {v}"))),
    }
}

/// An optional list.
fn list<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], Refusal> {
    match v {
        Value::Null => Ok(&[]),
        Value::Array(a) => Ok(a),
        v => Err(Refusal(format!("{what} is not a list: {v}"))),
    }
}

impl<'a> Profile<'a> {
    /// The conditions of a name's entry.
    pub(super) fn args(&self, call: &Syscall) -> &[Arg] {
        &self.entries[call.entry as usize].args
    }

    /// The action of a name's entry.
    pub(super) fn action(&self, call: &Syscall) -> Action {
        self.entries[call.entry as usize].action
    }

    /// The name, as the profile gives it.
    pub(super) fn name(&self, call: &Syscall) -> &'a str {
        self.entries[call.entry as usize].names[call.name as usize]
            .as_str()
            .unwrap_or_default()
    }

    /// `linux.seccomp`; None when it asks for no filter (absent, or with
    /// neither a default action nor rules, as runc takes it).
    pub(super) fn from_oci(v: &'a Value) -> Result<Option<Profile<'a>>, Refusal> {
        if v.is_null() {
            return Ok(None);
        }
        if !v.is_object() {
            return Err(Refusal(format!("linux.seccomp is not an object: {v}")));
        }
        let default_name = &v["defaultAction"];
        let entries = list(&v["syscalls"], "linux.seccomp.syscalls")?;
        if default_name.as_str().is_none_or(str::is_empty) && entries.is_empty() {
            return Ok(None);
        }
        if !list(&v["flags"], "linux.seccomp.flags")?.is_empty() {
            // runc 1.1 refuses them.
            return Err(Refusal(
                "linux.seccomp.flags are set, which runc 1.1 refuses".into(),
            ));
        }
        let archs = list(&v["architectures"], "linux.seccomp.architectures")?
            .iter()
            .map(|a| match a.as_str() {
                Some(name) => Arch::from_oci(name),
                None => Err(Refusal(format!("{a} is not an architecture"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let default_errno_ret = number(&v["defaultErrnoRet"], "defaultErrnoRet")?;
        let default = action(default_name, default_errno_ret, "defaultAction")?;
        // Room for every name (those that are not strings are refused).
        let names = entries
            .iter()
            .map(|e| e["names"].as_array().map_or(0, Vec::len))
            .sum();
        let mut syscalls = Vec::with_capacity(names);
        let mut entries_read = Vec::with_capacity(entries.len());
        let mut last_row = None;
        for entry in entries {
            let errno_ret = number(&entry["errnoRet"], "errnoRet")?;
            let action = action(&entry["action"], errno_ret, "a rule's action")?;
            let args = list(&entry["args"], "a rule's args")?
                .iter()
                .map(|a| {
                    Ok(Arg {
                        index: number(&a["index"], "an argument's index")?.unwrap_or(0),
                        op: op(&a["op"])?,
                        value: number(&a["value"], "an argument's value")?.unwrap_or(0),
                        value_two: number(&a["valueTwo"], "an argument's valueTwo")?.unwrap_or(0),
                    })
                })
                .collect::<Result<Vec<_>, Refusal>>()?;
            let names = list(&entry["names"], "a rule's names")?;
            let at = entries_read.len() as u32;
            entries_read.push(Entry {
                action,
                args,
                names,
            });
            for (i, name) in names.iter().enumerate() {
                let Some(name) = name.as_str() else {
                    return Err(Refusal(format!("{name} is not a system call name")));
                };
                let row = syscalls::index_after(name, last_row);
                last_row = row.or(last_row);
                syscalls.push(Syscall {
                    row: row.map_or(UNKNOWN, |r| r as u16),
                    entry: at,
                    name: i as u32,
                });
            }
        }
        Ok(Some(Profile {
            default,
            default_errno_ret,
            archs,
            syscalls,
            entries: entries_read,
        }))
    }
}
