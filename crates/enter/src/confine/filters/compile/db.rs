//! One ABI's rules, merged per system call as libseccomp 2.5.4 merges
//! them (`db_rule_add`), after the rule is translated to the ABI
//! (`arch_filter_rule_add`).

use super::arch::Arch;
use super::chain::{self, Cond};
use super::syscalls;
use super::tree::{Arena, Conflict, NodeId, Op, Prune, REDUNDANT};

/// A call's rules, merged.
#[derive(Debug)]
pub(super) struct Call {
    /// The number: negative for a pseudo call, which never reaches the
    /// filter.
    pub num: i32,
    /// Higher goes first in the filter: calls with fewer nodes.
    pub priority: u32,
    /// The argument tree; None when the call's action is unconditional.
    pub chains: Option<NodeId>,
    pub node_cnt: u32,
    /// The action when there is no tree.
    pub action: u32,
}

/// A rule as libseccomp holds it: conditions indexed by argument.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub action: u32,
    pub syscall: i32,
    pub conds: [Option<Cond>; 6],
}

/// The part of the priority that the node count sets.
const PRI_CHAIN: u32 = 0xFFFF;

/// Why a rule could not be added (libseccomp's errors, which stop runc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AddError {
    /// Two rules on a call disagree.
    Conflict,
    /// The call cannot be expressed on this ABI.
    Untranslatable,
    /// libseccomp would never finish adding it.
    Endless,
}

impl From<Conflict> for AddError {
    fn from(_: Conflict) -> AddError {
        AddError::Conflict
    }
}

/// One ABI's filter database.
#[derive(Debug)]
pub(super) struct Db {
    pub arch: Arch,
    pub arena: Arena,
    calls: Vec<Call>,
    /// Where the call of each row of the syscall table is in `calls`,
    /// plus one (0 for none). A call's number on an ABI stands for one
    /// row, and a row for one number (libseccomp names a number back to
    /// its call), so the row is the number's key.
    slots: Vec<u16>,
}

impl Db {
    /// A database with room for about `calls` calls (memory is touched
    /// once a run: no more than needed).
    pub(super) fn new(arch: Arch, calls: usize) -> Db {
        Db {
            arch,
            arena: Arena::default(),
            calls: Vec::with_capacity(calls),
            slots: vec![0; syscalls::ROWS],
        }
    }

    /// Add a rule whose call `rule.syscall` is numbered for `native`,
    /// which resolved it from the table's row `row`. (libseccomp goes from
    /// the native number back to the call's name, numbers being unique
    /// per ABI: that is `row`'s.)
    pub(super) fn add_rule(
        &mut self,
        native: Arch,
        row: usize,
        rule: &Rule,
    ) -> Result<(), AddError> {
        let syscall = match self.arch == native {
            true => rule.syscall,
            false => self.arch.resolve_row(row),
        };
        if self.arch.multiplexers().is_none() {
            return self.add(rule, syscall, row);
        }
        self.add_multiplexed(rule, syscall, row)
    }

    /// On an ABI that multiplexes socket and IPC calls, a rule on one
    /// becomes a rule on the multiplexer (its first argument the call's
    /// number) and one on the direct call where the ABI has it. `row` is
    /// the call's, whose number is `sys` on this ABI.
    fn add_multiplexed(&mut self, rule: &Rule, sys: i32, row: usize) -> Result<(), AddError> {
        let (socketcall, ipc) = self.arch.multiplexers().expect("a multiplexing ABI");
        let (mux, mux_row, call) = match syscalls::multiplexed(row) {
            Some((syscalls::Mux::Socket, call)) => (socketcall, syscalls::SOCKETCALL, call),
            Some((syscalls::Mux::Ipc, call)) => (ipc, syscalls::IPC, call),
            // Any other call, where the ABI has it.
            None if sys >= 0 => return self.add(rule, sys, row),
            None => return Ok(()),
        };
        if sys == 0 {
            return Err(AddError::Untranslatable);
        }
        // The direct call: the number resolved, or for a multiplexed one
        // the ABI's own (a pseudo number where it has none).
        let direct = if sys > 0 {
            sys
        } else {
            self.arch.raw_of_row(row)
        };
        let mut muxed = rule.clone();
        muxed.conds[0] = Some(Cond {
            arg: 0,
            op: Op::Eq,
            mask: u64::MAX,
            datum: u64::from(call),
        });
        self.add(&muxed, mux, mux_row)?;
        self.add(rule, direct, row)
    }

    /// Every rule is in: the index of calls by number goes, and its
    /// memory with it (the generator needs the calls alone).
    pub(super) fn done_adding(&mut self) {
        self.slots = Vec::new();
    }

    /// The calls, in no particular order (libseccomp keeps them by
    /// number, taken as unsigned: the generator sorts them so).
    pub(super) fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// Merge a rule into the tree of call `syscall`, of the table's row
    /// `row` (`db_rule_add`; the rule's own number is the native one).
    fn add(&mut self, rule: &Rule, syscall: i32, row: usize) -> Result<(), AddError> {
        let added = self.merge(rule, syscall, row);
        if self.arena.endless() {
            return Err(AddError::Endless);
        }
        added
    }

    fn merge(&mut self, rule: &Rule, syscall: i32, row: usize) -> Result<(), AddError> {
        // Most rules have no conditions, and so no chain.
        let chain = match rule.conds.iter().any(Option::is_some) {
            true => chain::build(&mut self.arena, self.arch.width(), &rule.conds, rule.action),
            false => chain::Chain {
                head: None,
                nodes: 0,
            },
        };
        let mut new_chains = chain.head;
        let new_action = if chain.head.is_none() { rule.action } else { 0 };
        let new_priority = PRI_CHAIN.wrapping_sub(chain.nodes);
        let arena = &mut self.arena;
        let slot = &mut self.slots[row];
        let call = match *slot {
            0 => {
                self.calls.push(Call {
                    num: syscall,
                    priority: new_priority,
                    chains: new_chains,
                    node_cnt: chain.nodes,
                    action: new_action,
                });
                *slot = self.calls.len() as u16;
                return Ok(());
            }
            i => &mut self.calls[usize::from(i) - 1],
        };
        let mut pruned_some = false;
        loop {
            if call.chains.is_none() {
                if pruned_some {
                    // A prune emptied the tree: the new chain takes it.
                    call.chains = new_chains;
                    call.action = new_action;
                    call.node_cnt = chain.nodes;
                    call.priority = new_priority;
                } else {
                    // Unconditional already: the new rule adds nothing.
                    arena.tree_put(&mut new_chains);
                }
                break;
            }
            if new_chains.is_none() {
                // Unconditional now: the tree goes.
                arena.tree_put(&mut call.chains);
                call.chains = None;
                call.node_cnt = 0;
                call.action = rule.action;
                break;
            }
            let mut state = Prune {
                flags: 0,
                action: rule.action,
            };
            let mut root = call.chains;
            let pruned = arena.prune(&mut root, call.chains, new_chains, &mut state);
            call.chains = root;
            if pruned > 0 {
                pruned_some = true;
                call.node_cnt = call.node_cnt.wrapping_sub(pruned);
                if call.chains.is_none() {
                    continue;
                }
            } else if state.flags & REDUNDANT == REDUNDANT {
                // The existing tree is shorter.
                arena.tree_put(&mut new_chains);
                break;
            }
            let mut root = call.chains;
            let added = arena.add(&mut root, new_chains.expect("a chain"), &mut call.node_cnt);
            call.chains = root;
            if let Err(e) = added {
                arena.tree_put(&mut new_chains);
                return Err(e.into());
            }
            call.node_cnt = call.node_cnt.wrapping_add(chain.nodes);
            let freed = arena.tree_put(&mut new_chains);
            call.node_cnt = call.node_cnt.wrapping_sub(freed);
            break;
        }
        call.priority = (call.priority & !PRI_CHAIN) | PRI_CHAIN.wrapping_sub(call.node_cnt);
        Ok(())
    }
}
