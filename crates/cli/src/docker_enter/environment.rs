//! Environments as docker builds them: ordered `KEY=VALUE` entries where
//! setting a variable replaces it in place or appends it, and unsetting
//! removes it. A hash index makes each change cost the same however many
//! variables there are, so 50,000 of them take 50,000 steps, not 50,000².

use crate::bounded::ExecLimit;
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// One change asked for with `-e`, `--env-file` or Config.Env.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvOverride {
    /// `KEY=VALUE`: replace or append.
    Set(OsString),
    /// `KEY`: remove.
    Unset(OsString),
}

#[derive(Debug, Default)]
pub struct Environment {
    /// In order; `None` where a variable was removed.
    slots: Vec<Option<OsString>>,
    /// The slot of each live variable, by name.
    index: HashMap<Vec<u8>, usize>,
    /// What the live entries would cost execve.
    cost: u64,
}

impl Environment {
    pub fn set(&mut self, entry: OsString) {
        self.cost += ExecLimit::cost(entry.len());
        match self.index.get(key(&entry)) {
            Some(&slot) => {
                let old = self.slots[slot]
                    .replace(entry)
                    .expect("indexed slots are live");
                self.cost -= ExecLimit::cost(old.len());
            }
            None => {
                self.index.insert(key(&entry).to_vec(), self.slots.len());
                self.slots.push(Some(entry));
            }
        }
    }

    pub fn unset(&mut self, name: &[u8]) {
        if let Some(slot) = self.index.remove(name) {
            let old = self.slots[slot].take().expect("indexed slots are live");
            self.cost -= ExecLimit::cost(old.len());
            // Set-unset cycles must not leave the slots growing.
            if self.slots.len() > 64 && self.slots.len() > 2 * self.index.len() {
                self.compact();
            }
        }
    }

    pub fn apply(&mut self, change: &EnvOverride) {
        match change {
            EnvOverride::Set(entry) => self.set(entry.clone()),
            EnvOverride::Unset(name) => self.unset(name.as_bytes()),
        }
    }

    pub fn contains(&self, name: &[u8]) -> bool {
        self.index.contains_key(name)
    }

    /// What the variables would use of execve's limit.
    pub fn cost(&self) -> u64 {
        self.cost
    }

    pub fn into_entries(self) -> Vec<OsString> {
        self.slots.into_iter().flatten().collect()
    }

    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        for (slot, entry) in self.slots.iter().flatten().enumerate() {
            *self
                .index
                .get_mut(key(entry))
                .expect("live entries are indexed") = slot;
        }
    }
}

/// The changes that `-e` and `--env-file` make, gathered as they are read
/// and applied later to the container's environment with the same result
/// as applying each in turn: removals first, then settings in order.
#[derive(Debug, Default)]
pub struct EnvChanges {
    removed: HashSet<Vec<u8>>,
    set: Environment,
    removed_cost: u64,
}

impl EnvChanges {
    pub fn apply(&mut self, change: EnvOverride) {
        match change {
            EnvOverride::Set(entry) => self.set.set(entry),
            EnvOverride::Unset(name) => {
                self.set.unset(name.as_bytes());
                if self.removed.insert(name.as_bytes().to_vec()) {
                    self.removed_cost += ExecLimit::cost(name.len());
                }
            }
        }
    }

    /// At least what the program's environment will use of execve's limit;
    /// removed names count too, so that what is held stays bounded.
    pub fn cost(&self) -> u64 {
        self.set.cost() + self.removed_cost
    }

    pub fn apply_to(self, env: &mut Environment) {
        for name in &self.removed {
            env.unset(name);
        }
        for entry in self.set.slots.into_iter().flatten() {
            env.set(entry);
        }
    }
}

impl FromIterator<EnvOverride> for EnvChanges {
    fn from_iter<I: IntoIterator<Item = EnvOverride>>(changes: I) -> Self {
        let mut all = EnvChanges::default();
        for change in changes {
            all.apply(change);
        }
        all
    }
}

/// The name of a `KEY=VALUE` entry.
pub fn key(entry: &OsStr) -> &[u8] {
    let bytes = entry.as_bytes();
    bytes.split(|&b| b == b'=').next().unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(e: &str) -> EnvOverride {
        EnvOverride::Set(e.into())
    }

    fn unset(e: &str) -> EnvOverride {
        EnvOverride::Unset(e.into())
    }

    /// The environment docker's one-at-a-time replace-or-append gives.
    fn one_at_a_time(base: &[&str], changes: &[EnvOverride]) -> Vec<OsString> {
        let mut env: Vec<OsString> = base.iter().map(OsString::from).collect();
        for change in changes {
            match change {
                EnvOverride::Set(e) => match env.iter_mut().find(|x| key(x) == key(e)) {
                    Some(slot) => *slot = e.clone(),
                    None => env.push(e.clone()),
                },
                EnvOverride::Unset(n) => env.retain(|x| key(x) != n.as_bytes()),
            }
        }
        env
    }

    fn gathered(base: &[&str], changes: &[EnvOverride]) -> Vec<OsString> {
        let mut env = Environment::default();
        for e in base {
            env.set(e.into());
        }
        changes
            .iter()
            .cloned()
            .collect::<EnvChanges>()
            .apply_to(&mut env);
        env.into_entries()
    }

    #[test]
    fn gathered_changes_give_what_one_at_a_time_gives() {
        let base = ["PATH=/bin", "A=base", "B=base", "C=base"];
        let cases = [
            vec![set("A=1"), set("NEW=1"), set("A=2")],
            vec![unset("A"), set("A=again"), set("Z=1")],
            vec![set("X=1"), unset("X"), set("Y=1"), set("X=2")],
            vec![set("B=1"), unset("B"), unset("NOPE"), set("PATH=/usr/bin")],
            vec![unset("C"), set("D=1"), unset("D"), set("C=1"), set("D=2")],
        ];
        for changes in cases {
            assert_eq!(
                gathered(&base, &changes),
                one_at_a_time(&base, &changes),
                "{changes:?}"
            );
        }
    }

    #[test]
    fn cycles_of_setting_and_removing_stay_small() {
        let mut env = Environment::default();
        env.set("KEEP=1".into());
        for i in 0..10_000 {
            env.set(format!("V=1{i}").into());
            env.unset(b"V");
        }
        env.set("LAST=1".into());
        assert!(env.slots.len() < 200, "{}", env.slots.len());
        assert_eq!(env.into_entries(), ["KEEP=1", "LAST=1"]);
    }

    #[test]
    fn the_cost_follows_the_live_entries() {
        let mut env = Environment::default();
        env.set("A=1".into());
        env.set("A=22".into());
        env.set("B=".into());
        assert_eq!(env.cost(), ExecLimit::cost(4) + ExecLimit::cost(2));
        env.unset(b"A");
        assert_eq!(env.cost(), ExecLimit::cost(2));
        assert!(env.contains(b"B") && !env.contains(b"A"));
    }
}
