//! Resource limits: the target's, read from /proc/PID/limits, given to the
//! program. A hard limit above ours cannot be raised without
//! CAP_SYS_RESOURCE: the program then gets ours, the lower, and a soft
//! limit no higher (more limited than the target, never less).

use crate::sys::process::{self, Limit, RESOURCES};
use crate::sys::Errno;

/// The row names of /proc/PID/limits, in the order of `RESOURCES`.
const NAMES: [&str; 16] = [
    "Max cpu time",
    "Max file size",
    "Max data size",
    "Max stack size",
    "Max core file size",
    "Max resident set",
    "Max processes",
    "Max open files",
    "Max locked memory",
    "Max address space",
    "Max file locks",
    "Max pending signals",
    "Max msgqueue size",
    "Max nice priority",
    "Max realtime priority",
    "Max realtime timeout",
];

/// Each resource's limits (indexes into `RESOURCES`) from the text of
/// /proc/PID/limits; Err names the row missing or malformed.
pub fn parse(text: &str) -> Result<Vec<(usize, Limit)>, &'static str> {
    NAMES
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let row = text
                .lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
                .ok_or(*name)?;
            let mut values = row.split_whitespace().map(value);
            match (values.next(), values.next()) {
                (Some(Some(soft)), Some(Some(hard))) => Ok((index, Limit { soft, hard })),
                _ => Err(*name),
            }
        })
        .collect()
}

/// "unlimited" or a number; None when it is neither.
fn value(word: &str) -> Option<Option<u64>> {
    match word {
        "unlimited" => Some(None),
        n => n.parse().ok().map(Some),
    }
}

/// The lower of two limits (None is unlimited).
fn lower(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// What the program gets when `want`'s hard limit is above `ours` and we
/// may not raise it: our hard limit, and the soft limit within it.
pub fn within(want: Limit, ours: Limit) -> Limit {
    let hard = lower(want.hard, ours.hard);
    Limit {
        soft: lower(want.soft, hard),
        hard,
    }
}

/// Give the calling process these limits (see the module notes); Err
/// names the resource that could not be set.
pub fn apply(limits: &[(usize, Limit)]) -> Result<(), (&'static str, Errno)> {
    for &(index, want) in limits {
        let name = NAMES.get(index).copied().unwrap_or("a resource limit");
        let set = match process::set_limit(index, want) {
            Err(Errno::PERM) => process::get_limit(index)
                .and_then(|ours| process::set_limit(index, within(want, ours))),
            other => other,
        };
        set.map_err(|e| (name, e))?;
    }
    debug_assert_eq!(NAMES.len(), RESOURCES.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// /proc/PID/limits of a container run with
    /// `--ulimit nofile=1234:5678`.
    const LIMITS: &str = "\
Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             96365                96365                processes 
Max open files            1234                 5678                 files     
Max locked memory         8388608              8388608              bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       96365                96365                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
";

    #[test]
    fn every_row_in_the_kernels_order() {
        let limits = parse(LIMITS).unwrap();
        assert_eq!(limits.len(), 16);
        assert_eq!(
            limits[7],
            (
                7,
                Limit {
                    soft: Some(1234),
                    hard: Some(5678)
                }
            )
        );
        assert_eq!(
            limits[3].1,
            Limit {
                soft: Some(8388608),
                hard: None
            }
        );
        assert_eq!(limits[13].1.hard, Some(0));
    }

    #[test]
    fn a_missing_or_bad_row_is_named() {
        assert_eq!(
            parse(&LIMITS.replace("Max open files", "Max open filez")),
            Err("Max open files")
        );
        assert_eq!(
            parse(&LIMITS.replace("1234 ", "12x4 ")),
            Err("Max open files")
        );
    }

    #[test]
    fn a_hard_limit_we_cannot_raise_leaves_ours() {
        let ours = Limit {
            soft: Some(1000),
            hard: Some(1000),
        };
        let want = Limit {
            soft: Some(1234),
            hard: Some(5678),
        };
        assert_eq!(within(want, ours), ours);
        let low = Limit {
            soft: Some(10),
            hard: Some(5678),
        };
        assert_eq!(
            within(low, ours),
            Limit {
                soft: Some(10),
                hard: Some(1000)
            }
        );
        let unlimited = Limit {
            soft: None,
            hard: None,
        };
        assert_eq!(within(unlimited, ours), ours);
        assert_eq!(within(want, unlimited), want);
    }
}
