//! The argument trees of one system call, merged rule by rule as
//! libseccomp 2.5.4 merges them.
//!
//! A rule's conditions become a chain of comparison nodes (`chain.rs`);
//! the chains of every rule on a call are merged into one tree, where each
//! node has a next node on its level (tried when it does not lead to an
//! action), and a next level for its true and its false outcome. Adding a
//! chain first prunes the existing tree of what the new chain makes
//! redundant, then links the new nodes in, in libseccomp's order of
//! comparisons. The node count that results sets the call's place in the
//! filter (fewer nodes first), so the reference counts that decide when a
//! node is freed, and thus counted out, are kept exactly as libseccomp
//! keeps them, quirks included: the code follows its steps one for one.
//! Nodes live in an arena and are never reused; a freed node is only
//! marked.

/// A comparison, with libseccomp's numbering (`enum scmp_compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Op {
    Ne = 1,
    Lt = 2,
    Le = 3,
    Eq = 4,
    Ge = 5,
    Gt = 6,
    MaskedEq = 7,
}

pub(super) type NodeId = u32;

/// One comparison of a 32-bit half (or the whole, on 32-bit ABIs) of an
/// argument.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub arg: u32,
    /// The high half of a 64-bit argument.
    pub high: bool,
    /// Where the half is in `struct seccomp_data`.
    pub offset: u32,
    /// The comparison made (EQ, MASKED_EQ, GT or GE once built).
    pub op: Op,
    /// The comparison the rule asked for.
    pub op_orig: Op,
    pub mask: u32,
    pub datum: u32,
    /// The rule's whole 64-bit value.
    pub datum_full: u64,
    /// The action when the comparison holds, if it ends there (the value
    /// may be set without the flag: libseccomp compares both).
    pub act_t_flg: bool,
    pub act_t: u32,
    pub act_f_flg: bool,
    pub act_f: u32,
    pub lvl_prv: Option<NodeId>,
    pub lvl_nxt: Option<NodeId>,
    pub nxt_t: Option<NodeId>,
    pub nxt_f: Option<NodeId>,
    refcnt: u32,
}

impl Node {
    pub(super) fn new(arg: u32, high: bool, offset: u32, op: Op, mask: u32, datum: u32) -> Node {
        Node {
            arg,
            high,
            offset,
            op,
            op_orig: op,
            mask,
            datum,
            datum_full: 0,
            act_t_flg: false,
            act_t: 0,
            act_f_flg: false,
            act_f: 0,
            lvl_prv: None,
            lvl_nxt: None,
            nxt_t: None,
            nxt_f: None,
            refcnt: 0,
        }
    }

    fn leaf(&self) -> bool {
        self.nxt_t.is_none() && self.nxt_f.is_none()
    }

    fn zombie(&self) -> bool {
        self.leaf() && !self.act_t_flg && !self.act_f_flg
    }

    /// Nodes of a level are kept in this order.
    fn arg_priority(&self) -> u32 {
        (self.arg << 1) + u32::from(self.high)
    }
}

fn op_priority(op: Op) -> u32 {
    match op {
        Op::MaskedEq | Op::Eq | Op::Ne => 3,
        Op::Le | Op::Lt => 2,
        Op::Ge | Op::Gt => 1,
    }
}

/// Whether `a` goes before `b` on a level.
fn chain_lt(a: &Node, b: &Node) -> bool {
    let (a_arg, b_arg) = (a.arg_priority(), b.arg_priority());
    if a_arg != b_arg {
        return a_arg < b_arg;
    }
    let (a_op, b_op) = (op_priority(a.op_orig), op_priority(b.op_orig));
    if a_op != b_op {
        return a_op < b_op;
    }
    match a.op_orig {
        // Smaller values first for LT and LE.
        Op::Le | Op::Lt => a.datum > b.datum,
        _ => a.datum < b.datum,
    }
}

/// Whether `a` and `b` make the same comparison.
fn chain_eq(a: &Node, b: &Node) -> bool {
    a.arg_priority() == b.arg_priority() && a.op == b.op && a.datum == b.datum && a.mask == b.mask
}

/// What a prune learned about the trees (libseccomp's `db_iter_state`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Prune {
    pub flags: u32,
    pub action: u32,
}

pub(super) const MATCH: u32 = 0x1;
const MATCH_ONCE: u32 = 0x2;
const X_FINISHED: u32 = 0x10;
const N_FINISHED: u32 = 0x20;
const X_PREFIX: u32 = 0x100;
const N_PREFIX: u32 = 0x200;
const MATCHSET: u32 = MATCH | MATCH_ONCE;
pub(super) const REDUNDANT: u32 = MATCH | X_FINISHED | N_PREFIX;

/// A conflict between rules (libseccomp's EEXIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Conflict;

/// The nodes of one ABI's rules.
#[derive(Debug, Default)]
pub(super) struct Arena {
    nodes: Vec<Node>,
    /// A walk along a level went round in a circle: libseccomp merges some
    /// rules into such a level (a node linked into two levels) and then
    /// walks it for ever, so runc never starts a container with them.
    endless: std::cell::Cell<bool>,
}

impl std::ops::Index<NodeId> for Arena {
    type Output = Node;
    fn index(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}

impl std::ops::IndexMut<NodeId> for Arena {
    fn index_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id as usize]
    }
}

impl Arena {
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether a walk never ended (see `endless`).
    pub(super) fn endless(&self) -> bool {
        self.endless.get()
    }

    /// A walk's budget: no level holds more nodes than there are.
    fn budget(&self) -> usize {
        self.nodes.len() + 1
    }

    /// One more step of a walk; false (and the arena marked) when the walk
    /// has gone round.
    fn step(&self, left: &mut usize) -> bool {
        if *left == 0 {
            self.endless.set(true);
            return false;
        }
        *left -= 1;
        true
    }

    pub(super) fn alloc(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeId
    }

    /// Take a reference.
    pub(super) fn get(&mut self, node: Option<NodeId>) -> Option<NodeId> {
        if let Some(n) = node {
            self[n].refcnt += 1;
        }
        node
    }

    pub(super) fn level_start(&self, mut n: NodeId) -> NodeId {
        let mut left = self.budget();
        while let Some(p) = self[n].lvl_prv {
            if !self.step(&mut left) {
                break;
            }
            n = p;
        }
        n
    }

    /// Drop a reference; a node that loses its last goes with its levels
    /// below, and `node` moves to a neighbour that is left (or None).
    /// Returns how many nodes were freed.
    pub(super) fn put(&mut self, node: &mut Option<NodeId>) -> u32 {
        let Some(n) = *node else {
            return 0;
        };
        self[n].refcnt = self[n].refcnt.wrapping_sub(1);
        if self[n].refcnt != 0 {
            return 0;
        }
        let mut cnt = 0;
        let mut lvl_p = self[n].lvl_prv;
        let mut lvl_n = self[n].lvl_nxt;
        let mut nxt_t = self[n].nxt_t;
        let mut nxt_f = self[n].nxt_f;
        // Split the level; both neighbours still hold their references.
        if let Some(p) = lvl_p {
            self[p].lvl_nxt = None;
        }
        if let Some(q) = lvl_n {
            self[q].lvl_prv = None;
        }
        if lvl_p.is_some() {
            cnt += self.put(&mut lvl_p);
        }
        if lvl_n.is_some() {
            cnt += self.put(&mut lvl_n);
        }
        // Join what is left of it.
        if let Some(p) = lvl_p {
            self[p].lvl_nxt = self.get(lvl_n);
        }
        if let Some(q) = lvl_n {
            self[q].lvl_prv = self.get(lvl_p);
        }
        *node = lvl_p.or(lvl_n);
        cnt += self.tree_put(&mut nxt_t);
        cnt += self.tree_put(&mut nxt_f);
        cnt + 1
    }

    /// Free a whole level if nothing but its own links holds it.
    fn level_clean(&mut self, node: NodeId) -> u32 {
        let start = self.level_start(node);
        let mut n = Some(start);
        let mut left = self.budget();
        while let Some(id) = n {
            if !self.step(&mut left) {
                return 0;
            }
            let links =
                u32::from(self[id].lvl_prv.is_some()) + u32::from(self[id].lvl_nxt.is_some());
            if self[id].refcnt > links {
                return 0;
            }
            n = self[id].lvl_nxt;
        }
        let mut cnt = 0;
        let mut n = Some(start);
        let mut left = self.budget();
        while let Some(id) = n {
            if !self.step(&mut left) {
                return cnt;
            }
            cnt += self.put(&mut n);
            if n == Some(id) {
                // Still held: libseccomp drops references until it is
                // freed (from 0, around the whole of u32, which takes it
                // seconds). Only the free counts.
                self[id].refcnt = 1;
            }
        }
        cnt
    }

    /// Drop a reference to a tree, and its top level if that was the last.
    pub(super) fn tree_put(&mut self, tree: &mut Option<NodeId>) -> u32 {
        let mut cnt = self.put(tree);
        if let Some(t) = *tree {
            cnt += self.level_clean(t);
        }
        cnt
    }

    /// Remove `node` and what hangs below it from `tree` (whose new top is
    /// returned), along with any empty node met on the way.
    fn tree_remove(&mut self, tree: Option<NodeId>, node: NodeId) -> (Option<NodeId>, u32) {
        let Some(top) = tree else {
            return (tree, 0);
        };
        let mut tree = tree;
        let mut cnt = 0;
        let mut c = self.level_start(top);
        let mut left = self.budget();
        loop {
            if !self.step(&mut left) {
                return (tree, cnt);
            }
            let remove = c == node || {
                let (t, k) = self.tree_remove(self[c].nxt_t, node);
                self[c].nxt_t = t;
                cnt += k;
                let (f, k) = self.tree_remove(self[c].nxt_f, node);
                self[c].nxt_f = f;
                cnt += k;
                self[c].zombie()
            };
            if remove {
                if Some(c) == tree {
                    tree = self[c].lvl_prv.or(self[c].lvl_nxt);
                }
                let (p, n) = (self[c].lvl_prv, self[c].lvl_nxt);
                if let Some(p) = p {
                    self[p].lvl_nxt = n;
                }
                if let Some(n) = n {
                    self[n].lvl_prv = p;
                }
                self[c].lvl_prv = None;
                self[c].lvl_nxt = None;
                cnt += self.put(&mut Some(c));
                return (tree, cnt);
            }
            match self[c].lvl_nxt {
                Some(next) if cnt == 0 => c = next,
                _ => return (tree, cnt),
            }
        }
    }

    /// Whether every action in the tree is `action`.
    fn actions_are(&self, tree: Option<NodeId>, action: u32) -> bool {
        let Some(top) = tree else {
            return true;
        };
        let mut c = Some(self.level_start(top));
        let mut left = self.budget();
        while let Some(id) = c {
            if !self.step(&mut left) {
                return false;
            }
            let n = &self[id];
            if (n.act_t_flg && n.act_t != action) || (n.act_f_flg && n.act_f != action) {
                return false;
            }
            if !self.actions_are(n.nxt_t, action) || !self.actions_are(n.nxt_f, action) {
                return false;
            }
            c = n.lvl_nxt;
        }
        true
    }

    /// Prune the existing tree (`existing`, a level of the call's tree
    /// whose top is `*root`) of what the new chain `new` covers; `state`
    /// says how the two compared. Returns how many nodes were removed.
    pub(super) fn prune(
        &mut self,
        root: &mut Option<NodeId>,
        existing: Option<NodeId>,
        new: Option<NodeId>,
        state: &mut Prune,
    ) -> u32 {
        let mut cnt = 0;
        let mut state_new = *state;
        let matched = 'walk: {
            let (Some(x0), Some(n)) = (existing, new) else {
                break 'walk true;
            };
            // A broken match.
            if state.flags & MATCHSET == MATCH_ONCE {
                break 'walk true;
            }
            let mut x = Some(self.level_start(x0));
            let mut left = self.budget();
            while let Some(xi) = x {
                if !self.step(&mut left) {
                    break 'walk true;
                }
                let x_next = self[xi].lvl_nxt;
                let mut xo = Some(xi);
                if chain_eq(&self[xi], &self[n]) {
                    state_new.flags |= MATCHSET;
                    if self[n].leaf() {
                        state_new.flags |= N_FINISHED;
                    }
                    if self[xi].leaf() {
                        state_new.flags |= X_FINISHED;
                    }
                    let (xn, nn) = (&self[xi], &self[n]);
                    // Keep nodes that have more to them than the new chain.
                    if (xn.act_t_flg || xn.nxt_t.is_some()) && !(nn.act_t_flg || nn.nxt_t.is_some())
                    {
                        break 'walk true;
                    }
                    if (xn.act_f_flg || xn.nxt_f.is_some()) && !(nn.act_f_flg || nn.nxt_f.is_some())
                    {
                        break 'walk true;
                    }
                    if state_new.flags & N_FINISHED != 0
                        && state_new.flags & X_FINISHED != 0
                        && (nn.act_t_flg != xn.act_t_flg
                            || nn.act_t != xn.act_t
                            || nn.act_f_flg != xn.act_f_flg
                            || nn.act_f != xn.act_f)
                    {
                        break 'walk true;
                    }
                    for branch in [Branch::True, Branch::False] {
                        let Some(n_next) = branch.of(&self[n]) else {
                            continue;
                        };
                        let Some(x_cur) = xo else { break };
                        self.get(Some(x_cur));
                        let mut state_nxt = *state;
                        state_nxt.flags |= MATCHSET;
                        let x_next_level = branch.of(&self[x_cur]);
                        cnt += self.prune(root, x_next_level, Some(n_next), &mut state_nxt);
                        cnt += self.put(&mut xo);
                        if state_nxt.flags & MATCH != 0 {
                            state_new.flags |= state_nxt.flags;
                        }
                    }
                    let Some(x_cur) = xo else {
                        x = x_next;
                        continue;
                    };
                    let same_actions = self.actions_are(Some(x_cur), state_new.action);
                    let f = state_new.flags;
                    if same_actions && f & MATCH != 0 && f & N_FINISHED != 0 && f & X_PREFIX != 0 {
                        // The new chain is shorter: it replaces this one.
                        let (top, k) = self.tree_remove(*root, x_cur);
                        *root = top;
                        cnt += k;
                        if root.is_none() {
                            break 'walk true;
                        }
                    } else if same_actions
                        && f & MATCH != 0
                        && f & X_FINISHED != 0
                        && f & N_PREFIX != 0
                    {
                        // The new chain is longer.
                        break 'walk true;
                    }
                } else if chain_lt(&self[xi], &self[n]) {
                    if state.flags & N_PREFIX != 0 {
                        break 'walk true;
                    }
                    for branch in [Branch::True, Branch::False] {
                        let Some(x_cur) = xo else { break };
                        let Some(x_next_level) = branch.of(&self[x_cur]) else {
                            continue;
                        };
                        self.get(Some(x_cur));
                        let mut state_nxt = *state;
                        state_nxt.flags &= !MATCH;
                        state_nxt.flags |= X_PREFIX;
                        cnt += self.prune(root, Some(x_next_level), Some(n), &mut state_nxt);
                        cnt += self.put(&mut xo);
                        if state_nxt.flags & MATCH != 0 {
                            state_new.flags |= state_nxt.flags;
                            break 'walk true;
                        }
                    }
                } else {
                    if state.flags & X_PREFIX != 0 {
                        break 'walk true;
                    }
                    for branch in [Branch::True, Branch::False] {
                        let Some(x_cur) = xo else { break };
                        let Some(n_next) = branch.of(&self[n]) else {
                            continue;
                        };
                        self.get(Some(x_cur));
                        let mut state_nxt = *state;
                        state_nxt.flags &= !MATCH;
                        state_nxt.flags |= N_PREFIX;
                        cnt += self.prune(root, Some(x_cur), Some(n_next), &mut state_nxt);
                        cnt += self.put(&mut xo);
                        if state_nxt.flags & MATCH != 0 {
                            state_new.flags |= state_nxt.flags;
                            break 'walk true;
                        }
                    }
                }
                x = x_next;
            }
            // Nothing on this level matched.
            false
        };
        if !matched {
            state_new.flags &= !MATCH;
        }
        if state_new.flags & MATCH != 0 {
            state.flags |= state_new.flags;
        } else {
            state.flags &= !MATCH;
        }
        cnt
    }

    /// Link the new chain `new` into the level `*existing` (which may get
    /// a new first node). `node_cnt` is the call's node count, which drops
    /// by the nodes a replaced branch frees.
    pub(super) fn add(
        &mut self,
        existing: &mut Option<NodeId>,
        new: NodeId,
        node_cnt: &mut u32,
    ) -> Result<(), Conflict> {
        let n = new;
        let mut x = match *existing {
            Some(x) => x,
            None => return Ok(()),
        };
        let mut left = self.budget();
        loop {
            if !self.step(&mut left) {
                return Ok(());
            }
            if chain_eq(&self[x], &self[n]) {
                for branch in [Branch::True, Branch::False] {
                    let (n_flg, n_act) = branch.action(&self[n]);
                    if !n_flg {
                        continue;
                    }
                    let (x_flg, x_act) = branch.action(&self[x]);
                    if !x_flg {
                        // The new node ends with an action where the old
                        // one goes on: every action below must agree.
                        if !self.actions_are(branch.of(&self[x]), n_act) {
                            return Err(Conflict);
                        }
                        let mut below = branch.of(&self[x]);
                        let freed = self.put(&mut below);
                        branch.set_next(&mut self[x], None);
                        branch.set_action(&mut self[x], n_act);
                        *node_cnt = node_cnt.wrapping_sub(freed);
                    } else if n_act != x_act {
                        // For a 64-bit comparison the full value decides
                        // (libseccomp sets the true action in both cases).
                        let (nn, xn) = (&self[n], &self[x]);
                        let wins = match branch {
                            Branch::True => nn.datum_full > xn.datum_full,
                            Branch::False => nn.datum_full < xn.datum_full,
                        };
                        if nn.high && wins {
                            self[x].act_t = self[n].act_t;
                        }
                        if self[x].leaf() || self[n].leaf() {
                            return Err(Conflict);
                        }
                    }
                }
                for branch in [Branch::True, Branch::False] {
                    let Some(n_next) = branch.of(&self[n]) else {
                        continue;
                    };
                    match branch.of(&self[x]) {
                        Some(_) => {
                            let mut slot = branch.of(&self[x]);
                            let added = self.add(&mut slot, n_next, node_cnt);
                            branch.set_next(&mut self[x], slot);
                            added?;
                        }
                        None if !branch.action(&self[x]).0 => {
                            let linked = self.get(Some(n_next));
                            branch.set_next(&mut self[x], linked);
                        }
                        // The existing chain is shorter.
                        None => return Ok(()),
                    }
                }
                return Ok(());
            } else if !chain_lt(&self[x], &self[n]) {
                match self[x].lvl_nxt {
                    None => {
                        // Last on this level.
                        self[n].lvl_prv = self.get(Some(x));
                        self[x].lvl_nxt = self.get(Some(n));
                        return Ok(());
                    }
                    Some(next) => x = next,
                }
            } else {
                // Before the existing node.
                match self[x].lvl_prv {
                    Some(p) => {
                        self[p].lvl_nxt = self.get(Some(n));
                        self[n].lvl_prv = Some(p);
                        self[x].lvl_prv = self.get(Some(n));
                        self[n].lvl_nxt = Some(x);
                    }
                    None => {
                        self[x].lvl_prv = self.get(Some(n));
                        self[n].lvl_nxt = self.get(Some(x));
                    }
                }
                if *existing == Some(x) {
                    *existing = self.get(Some(n));
                    self.put(&mut Some(x));
                }
                return Ok(());
            }
        }
    }
}

/// The true or the false outcome of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Branch {
    True,
    False,
}

impl Branch {
    pub(super) fn of(self, n: &Node) -> Option<NodeId> {
        match self {
            Branch::True => n.nxt_t,
            Branch::False => n.nxt_f,
        }
    }

    fn set_next(self, n: &mut Node, next: Option<NodeId>) {
        match self {
            Branch::True => n.nxt_t = next,
            Branch::False => n.nxt_f = next,
        }
    }

    pub(super) fn action(self, n: &Node) -> (bool, u32) {
        match self {
            Branch::True => (n.act_t_flg, n.act_t),
            Branch::False => (n.act_f_flg, n.act_f),
        }
    }

    pub(super) fn set_action(self, n: &mut Node, action: u32) {
        match self {
            Branch::True => {
                n.act_t = action;
                n.act_t_flg = true;
            }
            Branch::False => {
                n.act_f = action;
                n.act_f_flg = true;
            }
        }
    }
}
