//! One rule's conditions as a chain of comparison nodes, as libseccomp
//! 2.5.4 builds it: conditions in the order of their argument, each a
//! comparison of 32-bit halves.
//!
//! On a 64-bit ABI a condition compares the high half, then the low half
//! (GT and the like: high greater, or high equal and low greater); on a
//! 32-bit ABI only the low 32 bits are compared, and NE, LT and LE become
//! EQ, GE and GT with their outcomes swapped.

use super::arch::Width;
use super::tree::{Arena, Node, NodeId, Op};

/// One condition of a rule: argument, comparison, and the mask and value
/// (the mask is all ones but for MASKED_EQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cond {
    pub arg: u32,
    pub op: Op,
    pub mask: u64,
    pub datum: u64,
}

/// A rule's chain: its first node (None for a rule without conditions)
/// and how many nodes it has.
pub(super) struct Chain {
    pub head: Option<NodeId>,
    pub nodes: u32,
}

/// Where argument `arg`'s low and high halves are in `struct
/// seccomp_data` (little-endian).
fn offsets(arg: u32) -> (u32, u32) {
    let low = 16 + 8 * arg;
    (low, low + 4)
}

fn low(x: u64) -> u32 {
    x as u32
}

fn high(x: u64) -> u32 {
    (x >> 32) as u32
}

/// Build the chain of `conds` (at most one per argument, indexed by
/// argument) ending in `action`.
pub(super) fn build(
    arena: &mut Arena,
    width: Width,
    conds: &[Option<Cond>; 6],
    action: u32,
) -> Chain {
    match width {
        Width::W64 => build_64(arena, conds, action),
        Width::W32 => build_32(arena, conds, action),
    }
}

fn node(arg: u32, is_high: bool, op: Op, orig: Op, mask: u32, datum: u32, full: u64) -> Node {
    let (lo, hi) = offsets(arg);
    let mut n = Node::new(
        arg,
        is_high,
        if is_high { hi } else { lo },
        op,
        mask,
        datum & mask,
    );
    n.op_orig = orig;
    n.datum_full = full;
    n
}

fn build_64(arena: &mut Arena, conds: &[Option<Cond>; 6], action: u32) -> Chain {
    let mut chain = Chain {
        head: None,
        nodes: 0,
    };
    // This level's nodes, and the previous level's with its comparison.
    let mut level: [Option<NodeId>; 3] = [None; 3];
    let mut prev: Option<([Option<NodeId>; 3], Op)> = None;
    for c in conds.iter().flatten() {
        // A masked comparison with an empty mask always holds.
        if c.op == Op::MaskedEq && c.mask == 0 {
            continue;
        }
        let (mh, ml, dh, dl) = (high(c.mask), low(c.mask), high(c.datum), low(c.datum));
        level = match c.op {
            Op::Gt | Op::Ge | Op::Le | Op::Lt => {
                let last = match c.op {
                    Op::Gt | Op::Le => Op::Gt,
                    _ => Op::Ge,
                };
                let n0 = arena.alloc(node(c.arg, true, Op::Gt, c.op, mh, dh, c.datum));
                let n1 = arena.alloc(node(c.arg, true, Op::Eq, c.op, mh, dh, c.datum));
                let n2 = arena.alloc(node(c.arg, false, last, c.op, ml, dl, c.datum));
                arena[n0].nxt_f = arena.get(Some(n1));
                arena[n1].nxt_t = arena.get(Some(n2));
                chain.nodes += 3;
                [Some(n0), Some(n1), Some(n2)]
            }
            Op::Eq | Op::MaskedEq | Op::Ne => {
                let op = match c.op {
                    Op::MaskedEq => Op::MaskedEq,
                    _ => Op::Eq,
                };
                let n0 = arena.alloc(node(c.arg, true, op, c.op, mh, dh, c.datum));
                let n1 = arena.alloc(node(c.arg, false, op, c.op, ml, dl, c.datum));
                arena[n0].nxt_t = arena.get(Some(n1));
                chain.nodes += 2;
                [Some(n0), Some(n1), None]
            }
        };
        let first = level[0];
        match prev {
            None => chain.head = arena.get(first),
            Some((p, op)) => {
                // Where the previous condition holds, this one is tested.
                let (links, true_side): (&[usize], bool) = match op {
                    Op::Gt | Op::Ge => (&[0, 2], true),
                    Op::Eq | Op::MaskedEq => (&[1], true),
                    Op::Le | Op::Lt => (&[1, 2], false),
                    Op::Ne => (&[0, 1], false),
                };
                for &i in links {
                    let id = p[i].expect("a node of the previous level");
                    let linked = arena.get(first);
                    if true_side {
                        arena[id].nxt_t = linked;
                    } else {
                        arena[id].nxt_f = linked;
                    }
                }
            }
        }
        prev = Some((level, c.op));
    }
    match prev {
        // No condition: the call's action itself.
        None => {}
        Some((_, op)) => {
            let (ends, true_side): (&[usize], bool) = match op {
                Op::Gt | Op::Ge => (&[0, 2], true),
                Op::Le | Op::Lt => (&[1, 2], false),
                Op::Eq | Op::MaskedEq => (&[1], true),
                Op::Ne => (&[0, 1], false),
            };
            for &i in ends {
                let id = level[i].expect("a node of the last level");
                if true_side {
                    arena[id].act_t_flg = true;
                    arena[id].act_t = action;
                } else {
                    arena[id].act_f_flg = true;
                    arena[id].act_f = action;
                }
            }
        }
    }
    chain
}

fn build_32(arena: &mut Arena, conds: &[Option<Cond>; 6], action: u32) -> Chain {
    let mut chain = Chain {
        head: None,
        nodes: 0,
    };
    // The previous node, and whether its true outcome leads on.
    let mut prev: Option<(NodeId, bool)> = None;
    for c in conds.iter().flatten() {
        if c.op == Op::MaskedEq && low(c.mask) == 0 {
            continue;
        }
        let (op, true_side) = match c.op {
            Op::Ne => (Op::Eq, false),
            Op::Lt => (Op::Ge, false),
            Op::Le => (Op::Gt, false),
            op => (op, true),
        };
        let id = arena.alloc(node(
            c.arg,
            false,
            op,
            c.op,
            low(c.mask),
            low(c.datum),
            c.datum,
        ));
        match prev {
            None => chain.head = arena.get(Some(id)),
            Some((p, true)) => arena[p].nxt_t = arena.get(Some(id)),
            Some((p, false)) => arena[p].nxt_f = arena.get(Some(id)),
        }
        chain.nodes += 1;
        prev = Some((id, true_side));
    }
    if let Some((last, true_side)) = prev {
        if true_side {
            arena[last].act_t_flg = true;
            arena[last].act_t = action;
        } else {
            arena[last].act_f_flg = true;
            arena[last].act_f = action;
        }
    }
    chain
}
