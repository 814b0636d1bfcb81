//! "Did you mean": when a name matches no container, the running
//! containers named nearest to it (a typo's worth of edits away), and
//! where to see them all.

use super::{Container, RuntimeKind};
use crate::error::Error;

/// At most this many names are suggested.
const MAX_SUGGESTED: usize = 3;

/// What to see every running container with.
const LIST: &str = "docker-enter --list lists the running containers";

/// `err` (no container is named `query`) with the nearest of `running`
/// suggested (those a typo away, the fewest edits only), each as it can be typed: a name, or the address when the
/// name is not enough (`only` a runtime, a name two runtimes share, a
/// Kubernetes container, named by its pod).
pub fn did_you_mean(
    err: Error,
    query: &str,
    only: Option<RuntimeKind>,
    running: &[Container],
) -> Error {
    let query = query.trim_start_matches('/');
    let typed = |c: &Container| -> Option<(String, usize)> {
        if only.is_some_and(|kind| kind != c.runtime) || c.sandbox {
            return None;
        }
        let words: Vec<&str> = match (&c.pod, c.runtime) {
            (Some(pod), _) => vec![pod.pod.as_str(), pod.container.as_str()],
            (None, RuntimeKind::Docker | RuntimeKind::Podman) => vec![c.name.as_str()],
            (None, _) => return None,
        };
        let nearest = words.iter().map(|w| distance(query, w)).min()?;
        let shared = running
            .iter()
            .any(|o| o.runtime != c.runtime && o.pod.is_none() && o.name == c.name);
        let by_address = only.is_some() || c.pod.is_some() || shared;
        let shown = if by_address {
            c.address()
        } else {
            c.name.clone()
        };
        Some((shown, nearest))
    };
    let mut near: Vec<(String, usize)> = running
        .iter()
        .filter_map(typed)
        .filter(|(_, d)| *d <= allowed(query))
        .collect();
    // Only the nearest: a name one edit away makes those two away noise.
    let best = near.iter().map(|n| n.1).min();
    near.retain(|n| Some(n.1) == best);
    near.sort();
    near.dedup();
    let names: Vec<String> = near.into_iter().take(MAX_SUGGESTED).map(|n| n.0).collect();
    let advice = match names.as_slice() {
        [] => LIST.to_string(),
        [one] => format!("did you mean {one}? {LIST}"),
        [first @ .., last] => format!("did you mean {} or {last}? {LIST}", first.join(", ")),
    };
    let hint = match &err.hint {
        Some(before) => format!("{before}; {advice}"),
        None => advice,
    };
    err.hint(hint)
}

/// How many edits a suggestion may be away: one in a short name, a third
/// of a longer one (as cargo judges a typo), never more than three (names
/// that share a long suffix, such as `-<pid>`, are not typos of each other).
fn allowed(query: &str) -> usize {
    (query.chars().count() / 3).clamp(1, 3)
}

/// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`:
/// the optimal string alignment distance.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two back (for swaps), one back, this one.
    let mut two_back: Vec<usize> = Vec::new();
    let mut one_back: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (one_back[j] + 1)
                .min(row[j - 1] + 1)
                .min(one_back[j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(two_back[j - 2] + 1);
            }
        }
        two_back = std::mem::replace(&mut one_back, row);
    }
    one_back[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContainerState, PodRef};

    #[test]
    fn distance_counts_typos() {
        assert_eq!(distance("nc-wbe", "nc-web"), 1);
        assert_eq!(distance("web", "web"), 0);
        assert_eq!(distance("web", "wbe"), 1);
        assert_eq!(distance("web", "webs"), 1);
        assert_eq!(distance("", "web"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ca", "abc"), 3);
    }

    fn running(runtime: RuntimeKind, name: &str) -> Container {
        Container {
            runtime,
            id: format!("{name}-0123456789abcdef"),
            name: name.into(),
            state: ContainerState::Running,
            pid: 42,
            ..Container::default()
        }
    }

    fn advice(query: &str, only: Option<RuntimeKind>, all: &[Container]) -> String {
        did_you_mean(
            Error::msg(format!("No such container: {query}")),
            query,
            only,
            all,
        )
        .to_string()
    }

    #[test]
    fn the_nearest_names_are_suggested_with_the_list() {
        let docker = RuntimeKind::Docker;
        let all = [
            running(docker, "nc-web"),
            running(docker, "nc-db"),
            running(docker, "nc-webs"),
            running(RuntimeKind::Podman, "other"),
        ];
        assert_eq!(
            advice("nc-wbe", None, &all),
            "No such container: nc-wbe (did you mean nc-web? \
             docker-enter --list lists the running containers)"
        );
        assert_eq!(
            advice("nc-web2", None, &all),
            "No such container: nc-web2 (did you mean nc-web or nc-webs? \
             docker-enter --list lists the running containers)"
        );
        assert_eq!(
            advice("zzz", None, &all),
            "No such container: zzz (docker-enter --list lists the running containers)"
        );
        // Asked of one runtime: its containers, by address.
        assert_eq!(
            advice("othr", Some(docker), &all),
            "No such container: othr (docker-enter --list lists the running containers)"
        );
        assert_eq!(
            advice("othr", Some(RuntimeKind::Podman), &all),
            "No such container: othr (did you mean podman:other? \
             docker-enter --list lists the running containers)"
        );
    }

    #[test]
    fn a_shared_name_or_a_pod_is_suggested_by_address() {
        let mut pod = running(RuntimeKind::Containerd, "3f2a");
        pod.pod = Some(PodRef {
            namespace: "default".into(),
            pod: "web".into(),
            container: "nginx".into(),
        });
        let all = [
            running(RuntimeKind::Docker, "db"),
            running(RuntimeKind::Podman, "db"),
            pod,
        ];
        assert_eq!(
            advice("wbe", None, &all),
            "No such container: wbe (did you mean k8s:default/web/nginx? \
             docker-enter --list lists the running containers)"
        );
        assert_eq!(
            advice("dc", None, &all),
            "No such container: dc (did you mean docker:db or podman:db? \
             docker-enter --list lists the running containers)"
        );
    }

    #[test]
    fn an_earlier_hint_is_kept() {
        let err = Error::msg("No such container: x").hint("one state file could not be read");
        assert_eq!(
            did_you_mean(err, "x", None, &[]).to_string(),
            "No such container: x (one state file could not be read; \
             docker-enter --list lists the running containers)"
        );
    }
}
