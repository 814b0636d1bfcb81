//! The BPF program of a set of ABI databases, laid out as libseccomp
//! 2.5.4's generator lays it out (`gen_bpf.c`), with its default
//! optimisation (calls tested one after another, highest priority first).
//!
//! The program is built as blocks of instructions whose jumps name their
//! targets: a tree node, a block, or a block's identity. Blocks with the
//! same instructions and accumulator states are one block (libseccomp
//! finds them by a hash of their bytes; here the identity is the content
//! itself, which makes the same blocks equal). The ABI sections are
//! chained, then every block a jump names is pulled in right after the
//! first block (from the end) that jumps to it, a load of the accumulator
//! put in front where the jumping block leaves it otherwise; jumps longer
//! than 255 instructions get a `ja` (or a copy of the return) within
//! reach; and the jumps become offsets.
//!
//! The steps follow libseccomp's one for one, because the order of blocks
//! depends on them. Where libseccomp starts a search again from the end
//! of the list, this carries on from where it knows the answer lies, which
//! gives the same result without the quadratic walk.

use super::arch::{Arch, X32_SYSCALL_BIT};
use super::db::{Call, Db};
use super::tree::{Arena, Branch, NodeId, Op};
use crate::sys::seccomp::Insn;

const LD_ABS: u16 = 0x20;
const ALU_AND: u16 = 0x54;
const JA: u16 = 0x05;
const JEQ: u16 = 0x15;
const JGT: u16 = 0x25;
const JGE: u16 = 0x35;
const RET: u16 = 0x06;
const MAX_JUMP: u32 = 255;
/// `struct seccomp_data`: the call's number, then the ABI.
const OFFSET_NR: i32 = 0;
const OFFSET_ARCH: i32 = 4;

/// The generator failed where libseccomp fails (a program it cannot lay
/// out, such as one whose jumps cannot be made to reach).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unbuildable(pub &'static str);

type BlkId = u32;
/// A block's identity: equal for blocks with equal content.
type Hash = u32;

/// Where a jump goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum To {
    /// Fall through (offset 0).
    None,
    /// The n-th block after this one (ABI sections), or the next node of
    /// the level (n = 0).
    Nxt(u32),
    Node(u32),
    Blk(u32),
    Hsh(Hash),
}

/// A [`To`] in four bytes: its kind in the top three bits (instructions
/// are most of the generator's memory, and hashed and compared whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Jump(u32);

const KIND_SHIFT: u32 = 29;
const VALUE: u32 = (1 << KIND_SHIFT) - 1;

impl Jump {
    const NONE: Jump = Jump(0);

    fn new(kind: u32, n: u32) -> Jump {
        debug_assert!(n <= VALUE);
        Jump(kind << KIND_SHIFT | n)
    }

    fn nxt(n: u32) -> Jump {
        Jump::new(1, n)
    }

    fn node(n: u32) -> Jump {
        Jump::new(2, n)
    }

    fn blk(b: BlkId) -> Jump {
        Jump::new(3, b)
    }

    fn hsh(h: Hash) -> Jump {
        Jump::new(4, h)
    }

    #[inline]
    fn to(self) -> To {
        let n = self.0 & VALUE;
        match self.0 >> KIND_SHIFT {
            0 => To::None,
            1 => To::Nxt(n),
            2 => To::Node(n),
            3 => To::Blk(n),
            _ => To::Hsh(n),
        }
    }
}

/// One instruction: `k` is a value, or with `k_hsh` the identity of a
/// block a `ja` goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Instr {
    op: u16,
    k_hsh: bool,
    jt: Jump,
    jf: Jump,
    k: u32,
}

impl Instr {
    fn plain(op: u16, k: u32) -> Instr {
        Instr {
            op,
            k_hsh: false,
            jt: Jump::NONE,
            jf: Jump::NONE,
            k,
        }
    }

    fn jump(op: u16, k: u32, jt: Jump, jf: Jump) -> Instr {
        Instr {
            op,
            k_hsh: false,
            jt,
            jf,
            k,
        }
    }

    /// A block's identity in `k` (a long jump).
    fn k_hsh(self) -> Option<Hash> {
        self.k_hsh.then_some(self.k)
    }

    fn side(&mut self, side: Branch) -> &mut Jump {
        match side {
            Branch::True => &mut self.jt,
            Branch::False => &mut self.jf,
        }
    }

    /// The instruction as two words, for hashing.
    fn words(self) -> [u64; 2] {
        [
            u64::from(self.op) | u64::from(self.k_hsh) << 16 | u64::from(self.k) << 32,
            u64::from(self.jt.0) | u64::from(self.jf.0) << 32,
        ]
    }
}

/// What the accumulator holds: a word of `seccomp_data` under a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Acc {
    offset: i32,
    mask: u32,
}

const UNDEF: Acc = Acc {
    offset: -1,
    mask: u32::MAX,
};

const fn holding(offset: i32) -> Acc {
    Acc {
        offset,
        mask: u32::MAX,
    }
}

/// A block: its instructions are `len` of them from `at` in [`Gen::pool`].
/// The accumulator states it starts and ends with are kept as masks and
/// offsets (all under 64, or -1), to fit the block in 28 bytes.
#[derive(Debug, Clone)]
struct Block {
    at: u32,
    hash: Hash,
    prev: Link,
    next: Link,
    mask_start: u32,
    mask_end: u32,
    offset_start: i8,
    offset_end: i8,
    len: u8,
    hashed: bool,
}

impl Block {
    fn acc_start(&self) -> Acc {
        Acc {
            offset: i32::from(self.offset_start),
            mask: self.mask_start,
        }
    }

    fn acc_end(&self) -> Acc {
        Acc {
            offset: i32::from(self.offset_end),
            mask: self.mask_end,
        }
    }

    fn set_acc_start(&mut self, acc: Acc) {
        self.offset_start = acc.offset as i8;
        self.mask_start = acc.mask;
    }

    fn set_acc_end(&mut self, acc: Acc) {
        self.offset_end = acc.offset as i8;
        self.mask_end = acc.mask;
    }

    /// Its accumulator states as one word, for hashing.
    fn accs(&self) -> u64 {
        u64::from(self.offset_start as u8)
            | u64::from(self.offset_end as u8) << 8
            | u64::from(self.mask_start ^ self.mask_end.rotate_left(16)) << 16
    }
}

/// A link to a block, or none, in four bytes (an `Option<BlkId>` takes
/// eight): the block's id plus one, 0 for none. Blocks are most of the
/// generator's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link(u32);

impl Link {
    const NONE: Link = Link(0);

    fn get(self) -> Option<BlkId> {
        self.0.checked_sub(1)
    }
}

impl From<Option<BlkId>> for Link {
    fn from(b: Option<BlkId>) -> Link {
        Link(b.map_or(0, |b| b + 1))
    }
}

/// An identity: its block, and whether it is already placed.
struct Entry {
    blk: BlkId,
    found: bool,
    /// Whether the table holds it (see [`Gen::call_identity`]).
    in_table: bool,
    /// Its content hash when it was entered (the top half).
    key: u32,
}

/// The blocks, by id.
struct Blocks(Vec<Block>);

impl std::ops::Index<BlkId> for Blocks {
    type Output = Block;
    fn index(&self, b: BlkId) -> &Block {
        &self.0[b as usize]
    }
}

impl std::ops::IndexMut<BlkId> for Blocks {
    fn index_mut(&mut self, b: BlkId) -> &mut Block {
        &mut self.0[b as usize]
    }
}

struct Gen {
    blocks: Blocks,
    /// Every block's instructions.
    pool: Vec<Instr>,
    /// The table's return blocks, by action.
    returns: Vec<(u32, BlkId)>,
    /// Entries by content hash (their blocks, unchanged while blocks are
    /// added, are compared for equality): open addressing, each slot an
    /// index in `entries` plus one (0 for none), at most two thirds of
    /// them taken. Smaller than a map, and no memory but this to touch.
    table: Vec<u32>,
    /// How many entries the table holds.
    in_table: usize,
    entries: Vec<Entry>,
    /// For an identity, the call test that falls through to it and took
    /// a new identity without the table, plus one (see
    /// [`Gen::call_identity`]).
    falls_to: Vec<Hash>,
    /// The blocks of the levels being laid out, innermost last.
    levels: Vec<BlkId>,
    def_hsh: Hash,
    bad_arch_hsh: Hash,
}

type Result<T> = std::result::Result<T, Unbuildable>;

/// The program for `dbs` (in the order their ABIs were added, the native
/// one first) with `default` for calls no rule matches; a call of another
/// ABI kills the thread. It comes after `front` (runc's stub), in one
/// vector.
///
/// The databases go once their sections are built: the layout's memory
/// takes theirs (fewer fresh pages for a process that compiles once).
pub(super) fn generate(dbs: Vec<Db>, default: u32, front: &[Insn]) -> Result<Vec<Insn>> {
    // About a block, an instruction and an identity for each call, as
    // the profiles of Docker and Podman have it.
    let room = dbs.iter().map(|d| d.calls().len()).sum::<usize>() + 64;
    let mut g = Gen {
        blocks: Blocks(Vec::with_capacity(room)),
        pool: Vec::with_capacity(room + room / 4),
        returns: Vec::new(),
        // The table holds few blocks but the calls' tests.
        table: vec![0; 128],
        in_table: 0,
        entries: Vec::with_capacity(room),
        falls_to: Vec::with_capacity(room),
        levels: Vec::new(),
        def_hsh: 0,
        bad_arch_hsh: 0,
    };
    g.build(dbs, default, front)
}

impl Gen {
    #[inline]
    fn alloc(&mut self, instrs: &[Instr]) -> BlkId {
        self.blocks.0.push(Block {
            at: self.pool.len() as u32,
            hash: 0,
            prev: Link::NONE,
            next: Link::NONE,
            mask_start: UNDEF.mask,
            mask_end: UNDEF.mask,
            offset_start: UNDEF.offset as i8,
            offset_end: UNDEF.offset as i8,
            len: instrs.len() as u8,
            hashed: false,
        });
        // One by one: most blocks have one instruction (a copy of a slice
        // calls memcpy).
        for &i in instrs {
            self.pool.push(i);
        }
        (self.blocks.0.len() - 1) as BlkId
    }

    #[inline]
    fn instrs(&self, b: BlkId) -> &[Instr] {
        let blk = &self.blocks[b];
        &self.pool[blk.at as usize..blk.at as usize + usize::from(blk.len)]
    }

    #[inline]
    fn instrs_mut(&mut self, b: BlkId) -> &mut [Instr] {
        let blk = &self.blocks[b];
        &mut self.pool[blk.at as usize..blk.at as usize + usize::from(blk.len)]
    }

    #[inline]
    fn len(&self, b: BlkId) -> u32 {
        u32::from(self.blocks[b].len)
    }

    /// Put `front` before block `b`'s instructions.
    fn prepend(&mut self, b: BlkId, front: &[Instr]) {
        let (at, len) = (self.blocks[b].at as usize, usize::from(self.blocks[b].len));
        let start = self.pool.len();
        self.pool.extend_from_slice(front);
        self.pool.extend_from_within(at..at + len);
        self.blocks[b].at = start as u32;
        self.blocks[b].len += front.len() as u8;
    }

    /// The top half of a hash of the block's content (which the
    /// multiplication mixes best).
    fn content_hash(&self, b: BlkId) -> u32 {
        let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        let mut h = 0;
        for i in self.instrs(b) {
            let [first, second] = i.words();
            h = mix(mix(h, first), second);
        }
        (mix(h, self.blocks[b].accs()) >> 32) as u32
    }

    #[inline]
    fn hash(&self, b: BlkId) -> Hash {
        self.blocks[b].hash
    }

    /// Enter a block in the identity table. A block equal to one already
    /// there takes its identity; unless `placed` (a block already in the
    /// program's list), the earlier block is returned in its stead.
    fn hsh_add(&mut self, b: BlkId, placed: bool) -> BlkId {
        if self.blocks[b].hashed {
            return b;
        }
        self.blocks[b].hashed = true;
        self.identity(b, placed, None)
    }

    /// [`Gen::hsh_add`]'s search and entry; `also` is one more entry that
    /// may have the same content, which the table does not hold.
    fn identity(&mut self, b: BlkId, placed: bool, also: Option<u32>) -> BlkId {
        let key = self.content_hash(b);
        let i = self.entries.len();
        if (self.in_table + 1) * 3 > self.table.len() * 2 {
            self.grow_table();
        }
        // The latest entry of this content hash with the same content (a
        // block's content may change once entered: the one met last is
        // libseccomp's).
        let mask = self.table.len() - 1;
        let mut at = slot_of(key, self.table.len());
        let mut same = also.filter(|&j| {
            let e = &self.entries[j as usize];
            same_content(&self.blocks, &self.pool, e.blk, b)
        });
        while let Some(j) = self.table[at].checked_sub(1) {
            let e = &self.entries[j as usize];
            if e.key == key && same_content(&self.blocks, &self.pool, e.blk, b) {
                same = same.max(Some(j));
            }
            at = (at + 1) & mask;
        }
        if let Some(j) = same {
            self.blocks[b].hash = j + 1;
            return if placed {
                b
            } else {
                self.entries[j as usize].blk
            };
        }
        self.table[at] = i as u32 + 1;
        self.in_table += 1;
        self.entries.push(Entry {
            blk: b,
            found: placed,
            in_table: true,
            key,
        });
        self.blocks[b].hash = i as Hash + 1;
        b
    }

    /// The identity of call test `b`, which falls through to identity
    /// `nxt` (the next call's test, or the default action). Only another
    /// call's test can have the same content (every other block differs
    /// in what the accumulator holds, or in its instructions), and only
    /// one that falls through to `nxt` too. Where `nxt` is the identity
    /// entered last, the test of the next call that `b` is built right
    /// after, no block made before it falls through to it: `b` takes a
    /// new identity without a search, and without a place in the table.
    /// A later test that falls through to `nxt` (its next call's test
    /// took that one's identity: the same calls end two sections) looks
    /// at `b`'s entry as well as the table.
    fn call_identity(&mut self, b: BlkId, nxt: Hash) -> BlkId {
        self.blocks[b].hashed = true;
        let nxt = nxt as usize;
        if nxt != self.entries.len() {
            let also = self.falls_to.get(nxt).and_then(|&e| e.checked_sub(1));
            return self.identity(b, true, also);
        }
        self.entries.push(Entry {
            blk: b,
            found: true,
            in_table: false,
            key: 0,
        });
        let id = self.entries.len() as Hash;
        self.blocks[b].hash = id;
        if self.falls_to.len() <= nxt {
            self.falls_to.resize(nxt + 1, 0);
        }
        self.falls_to[nxt] = id;
        b
    }

    /// Twice the slots, the entries entered again.
    fn grow_table(&mut self) {
        let len = (self.table.len() * 2).max(64);
        self.table = vec![0; len];
        for (i, e) in self.entries.iter().enumerate().filter(|(_, e)| e.in_table) {
            let mut at = slot_of(e.key, len);
            while self.table[at] != 0 {
                at = (at + 1) & (len - 1);
            }
            self.table[at] = i as u32 + 1;
        }
    }

    /// The block of an identity, the first time it is asked for.
    fn find_once(&mut self, h: Hash) -> Option<BlkId> {
        let e = self
            .entries
            .get_mut(usize::try_from(h).ok()?.checked_sub(1)?)?;
        if e.found {
            return None;
        }
        e.found = true;
        Some(e.blk)
    }

    fn action(&mut self, action: u32) -> BlkId {
        self.alloc(&[Instr::plain(RET, action)])
    }

    /// The table's block of a return: a new one takes an equal one's
    /// place (the first of each is remembered, to spare the lookups).
    fn action_blk(&mut self, action: u32) -> BlkId {
        if let Some(&(_, b)) = self.returns.iter().find(|(a, _)| *a == action) {
            return b;
        }
        let b = self.action(action);
        let b = self.hsh_add(b, false);
        self.returns.push((action, b));
        b
    }

    fn action_hsh(&mut self, action: u32) -> Hash {
        let b = self.action_blk(action);
        self.hash(b)
    }

    /// The block of one tree node, given what the accumulator holds.
    fn node(&mut self, arena: &Arena, id: NodeId, acc: &mut Acc) -> Result<BlkId> {
        let node = &arena[id];
        let mut start = *acc;
        let act_t = node.act_t_flg.then(|| self.action_hsh(node.act_t));
        let act_f = node.act_f_flg.then(|| self.action_hsh(node.act_f));
        let offset = node.offset as i32;
        let mask = node.mask;
        let mut instrs = [Instr::plain(0, 0); 3];
        let mut len = 0;
        if offset != acc.offset || mask & acc.mask != mask {
            *acc = holding(offset);
            instrs[len] = Instr::plain(LD_ABS, offset as u32);
            len += 1;
            start = UNDEF;
        }
        if mask != acc.mask {
            acc.mask = mask;
            instrs[len] = Instr::plain(ALU_AND, mask);
            len += 1;
        }
        let op = match node.op {
            Op::Eq | Op::MaskedEq => JEQ,
            Op::Gt => JGT,
            Op::Ge => JGE,
            _ => return Err(Unbuildable("a comparison left unrewritten")),
        };
        let target = |branch: Branch, act: Option<Hash>| match (branch.of(node), act) {
            (Some(next), _) => Jump::node(next),
            (None, Some(h)) => Jump::hsh(h),
            (None, None) => Jump::nxt(0),
        };
        let jt = target(Branch::True, act_t);
        let jf = target(Branch::False, act_f);
        instrs[len] = Instr::jump(op, node.datum, jt, jf);
        let b = self.alloc(&instrs[..=len]);
        self.blocks[b].set_acc_start(start);
        self.blocks[b].set_acc_end(*acc);
        Ok(b)
    }

    /// The blocks of the level of `chain` (or the call's action when there
    /// is none), whose last block falls through to `nxt`; returns the
    /// first.
    fn chain(
        &mut self,
        arena: &Arena,
        call: &Call,
        chain: Option<NodeId>,
        nxt: Jump,
        acc: Acc,
    ) -> Result<BlkId> {
        let mut acc = acc;
        let Some(c) = chain else {
            // The call's action: it resolves to the table's block (as
            // below, but without building one to throw away).
            return Ok(self.action_blk(call.action));
        };
        // The level's blocks, in `levels` from `first` on (the levels
        // below are laid out above them, and gone again when done).
        let first = self.levels.len();
        let mut c = Some(arena.level_start(c));
        let mut left = arena.len();
        while let Some(id) = c {
            left = left
                .checked_sub(1)
                .ok_or(Unbuildable("a level that goes round"))?;
            let b = self.node(arena, id, &mut acc)?;
            self.levels.push(b);
            c = arena[id].lvl_nxt;
        }
        let count = self.levels.len() - first;
        if count == 0 {
            return Err(Unbuildable("an empty level"));
        }
        // Each block falls through to the next of the level.
        for i in first..first + count {
            let b = self.levels[i];
            let to = match self.levels.get(i + 1) {
                Some(&n) if i + 1 < first + count => Jump::blk(n),
                _ => nxt,
            };
            for instr in self.instrs_mut(b) {
                for j in [&mut instr.jt, &mut instr.jf] {
                    match j.to() {
                        To::Nxt(0) => *j = to,
                        To::Nxt(_) => return Err(Unbuildable("a jump past a level")),
                        _ => {}
                    }
                }
            }
        }
        // From the last: each block takes the identity of an equal one
        // (which then stands in the level in its place).
        for i in (first..first + count).rev() {
            let b = self.levels[i];
            let to = match i + 1 < first + count {
                true => Jump::blk(self.levels[i + 1]),
                false => nxt,
            };
            let r = self.resolve(arena, call, b, to)?;
            self.levels[i] = r;
        }
        let head = self.levels[first];
        self.levels.truncate(first);
        Ok(head)
    }

    /// Turn a block's jumps to nodes and blocks into identities (building
    /// the levels below), then enter it in the table.
    fn resolve(&mut self, arena: &Arena, call: &Call, b: BlkId, nxt: Jump) -> Result<BlkId> {
        if self.blocks[b].hashed {
            return Ok(b);
        }
        for i in 0..self.len(b) as usize {
            for side in [Branch::True, Branch::False] {
                let j = *self.instrs_mut(b)[i].side(side);
                let to = match j.to() {
                    To::None | To::Hsh(_) => continue,
                    To::Blk(t) => self.resolve(arena, call, t, nxt)?,
                    To::Node(n) => {
                        let acc = self.blocks[b].acc_end();
                        self.chain(arena, call, Some(n), nxt, acc)?
                    }
                    To::Nxt(_) => return Err(Unbuildable("an unresolved fall-through")),
                };
                let h = Jump::hsh(self.hash(to));
                *self.instrs_mut(b)[i].side(side) = h;
            }
        }
        Ok(self.hsh_add(b, false))
    }

    /// A call's test: its number, then its argument tree; `nxt` is the
    /// next call's test.
    fn call(&mut self, arena: &Arena, call: &Call, nxt: Hash, load: bool) -> Result<BlkId> {
        let acc = match load {
            true => holding(OFFSET_NR),
            // Someone else loads the number.
            false => UNDEF,
        };
        let tree = self.chain(arena, call, call.chains, Jump::hsh(self.def_hsh), acc)?;
        let test = Instr::jump(
            JEQ,
            call.num as u32,
            Jump::hsh(self.hash(tree)),
            Jump::hsh(nxt),
        );
        let b = match load {
            true => {
                let b = self.alloc(&[Instr::plain(LD_ABS, OFFSET_NR as u32), test]);
                self.blocks[b].set_acc_start(UNDEF);
                b
            }
            false => {
                let b = self.alloc(&[test]);
                self.blocks[b].set_acc_start(holding(OFFSET_NR));
                b
            }
        };
        self.blocks[b].set_acc_end(holding(OFFSET_NR));
        Ok(self.call_identity(b, nxt))
    }

    /// Put `b` in front of the list that starts at `head`.
    fn push_front(&mut self, b: BlkId, head: &mut Option<BlkId>) {
        self.blocks[b].next = Link::from(*head);
        if let Some(h) = *head {
            self.blocks[h].prev = Link::from(Some(b));
        }
        *head = Some(b);
    }

    /// One ABI's section (with x32's calls when `secondary` is its x32
    /// database): the ABI test, then every call in order of priority.
    fn arch(&mut self, db: &Db, secondary: Option<&Db>) -> Result<BlkId> {
        let dbs = [Some(db), secondary];
        let calls = ordered(db, secondary);
        let x86_64_alone = matches!(db.arch, Arch::X86_64 | Arch::X32) && secondary.is_none();
        let load_first = !x86_64_alone;
        let mut head: Option<BlkId> = None;
        let mut count = 0u32;
        for (i, &at) in calls.iter().enumerate().rev() {
            let (owner, call) = Place(at).of(&dbs);
            // Pseudo calls never reach the filter.
            if call.num < 0 {
                continue;
            }
            let nxt = head.map_or(self.def_hsh, |h| self.hash(h));
            let b = self.call(&owner.arena, call, nxt, i == 0 && load_first)?;
            self.push_front(b, &mut head);
            count += 1;
        }
        let first = |g: &Gen, head: Option<BlkId>| Jump::hsh(head.map_or(g.def_hsh, |h| g.hash(h)));
        if x86_64_alone {
            // Keep the other of x86_64 and x32 out; -1 (a tracer's skip)
            // goes on to the calls.
            let mut instrs = vec![Instr::plain(LD_ABS, OFFSET_NR as u32)];
            let bad = Jump::hsh(self.bad_arch_hsh);
            if db.arch == Arch::X86_64 {
                instrs.push(Instr::jump(
                    JGE,
                    X32_SYSCALL_BIT,
                    Jump::NONE,
                    first(self, head),
                ));
                instrs.push(Instr::jump(JEQ, u32::MAX, first(self, head), bad));
            } else {
                instrs.push(Instr::jump(JGE, X32_SYSCALL_BIT, first(self, head), bad));
            }
            let b = self.alloc(&instrs);
            self.blocks[b].set_acc_end(holding(OFFSET_NR));
            count += 1;
            self.push_front(b, &mut head);
            self.hsh_add(b, true);
        }
        let check = Instr::jump(JEQ, db.arch.audit(), first(self, head), Jump::nxt(count));
        let b = self.alloc(&[check]);
        self.push_front(b, &mut head);
        self.hsh_add(b, true);
        Ok(b)
    }

    fn build(&mut self, dbs: Vec<Db>, default: u32, front: &[Insn]) -> Result<Vec<Insn>> {
        // A call of an ABI the filter does not cover kills the thread.
        let bad = self.action(0);
        self.hsh_add(bad, true);
        self.bad_arch_hsh = self.hash(bad);
        let def = self.action(default);
        let def = self.hsh_add(def, false);
        self.def_hsh = self.hash(def);
        let head = self.alloc(&[Instr::plain(LD_ABS, OFFSET_ARCH as u32)]);
        self.blocks[head].set_acc_end(holding(OFFSET_ARCH));
        self.hsh_add(head, true);
        let mut tail = head;

        let x86_64 = dbs.iter().position(|d| d.arch == Arch::X86_64);
        let x32 = dbs.iter().position(|d| d.arch == Arch::X32);
        // Each section's ABI test.
        let mut checks: Vec<BlkId> = Vec::with_capacity(dbs.len());
        for (i, db) in dbs.iter().enumerate() {
            // x86_64 and x32 share an ABI number: the first of them takes
            // both.
            let secondary = match (Some(i) == x86_64, Some(i) == x32) {
                (true, _) => match x32 {
                    Some(j) if j > i => Some(&dbs[j]),
                    Some(_) => continue,
                    None => None,
                },
                (_, true) => match x86_64 {
                    Some(j) if j > i => Some(&dbs[j]),
                    Some(_) => continue,
                    None => None,
                },
                _ => None,
            };
            let b = self.arch(db, secondary)?;
            checks.push(b);
            self.blocks[b].prev = Link::from(Some(tail));
            self.blocks[tail].next = Link::from(Some(b));
            tail = b;
            while let Some(n) = self.blocks[tail].next.get() {
                tail = n;
            }
        }
        drop(dbs);
        self.blocks[bad].prev = Link::from(Some(tail));
        self.blocks[bad].next = Link::from(None);
        self.blocks[tail].next = Link::from(Some(bad));
        let tail = bad;

        self.resolve_sections(&checks)?;
        self.pull_in(tail);
        self.reach(tail, front)
    }

    /// The ABI tests' jumps to the next section: `Nxt(n)` is the n-th
    /// block after the jump's block's next, in the list of sections (which
    /// holds only the sections' own blocks yet).
    fn resolve_sections(&mut self, checks: &[BlkId]) -> Result<()> {
        for &b in checks {
            for i in 0..self.len(b) as usize {
                for side in [Branch::True, Branch::False] {
                    let To::Nxt(n) = self.instrs_mut(b)[i].side(side).to() else {
                        continue;
                    };
                    let mut t = self.blocks[b].next.get();
                    for _ in 0..n {
                        t = t.and_then(|t| self.blocks[t].next.get());
                    }
                    let t = t.ok_or(Unbuildable("a section jump past the end"))?;
                    let h = Jump::hsh(self.hash(t));
                    *self.instrs_mut(b)[i].side(side) = h;
                }
            }
        }
        Ok(())
    }

    /// Place every block a jump names, after the last block that jumps to
    /// it (libseccomp walks from the end, taking each block's last jumps
    /// first, and starts again from the end after each block placed: the
    /// blocks after the one placed have nothing left to place, so the walk
    /// goes on from there).
    fn pull_in(&mut self, tail: BlkId) {
        let mut cur = Some(tail);
        while let Some(b) = cur {
            let mut pulled = None;
            for i in (0..self.len(b) as usize).rev() {
                let instr = self.instrs(b)[i];
                for j in [instr.jt, instr.jf] {
                    if let To::Hsh(h) = j.to() {
                        pulled = self.find_once(h);
                    }
                    if pulled.is_some() {
                        break;
                    }
                }
                if pulled.is_none() {
                    if let Some(h) = instr.k_hsh() {
                        pulled = self.find_once(h);
                    }
                }
                if pulled.is_some() {
                    break;
                }
            }
            let Some(t) = pulled else {
                cur = self.blocks[b].prev.get();
                continue;
            };
            let (start, end) = (self.blocks[t].acc_start(), self.blocks[b].acc_end());
            if start.offset != -1 && start != end {
                // Load what the block expects.
                let ld = Instr::plain(LD_ABS, start.offset as u32);
                match start.mask {
                    u32::MAX => self.prepend(t, &[ld]),
                    mask => self.prepend(t, &[ld, Instr::plain(ALU_AND, mask)]),
                }
                self.blocks[t].set_acc_start(UNDEF);
            }
            self.insert_after(b, t);
            cur = Some(t);
        }
    }

    /// Insert `new` right after `blk`.
    fn insert_after(&mut self, blk: BlkId, new: BlkId) {
        let next = self.blocks[blk].next.get();
        self.blocks[new].prev = Link::from(Some(blk));
        self.blocks[new].next = Link::from(next);
        if let Some(n) = next {
            self.blocks[n].prev = Link::from(Some(new));
        }
        self.blocks[blk].next = Link::from(Some(new));
    }

    /// Make every conditional jump reach its target: from the end, each
    /// block's jumps from its last instruction, and the block again after
    /// a block was inserted for one of them; and lay out the program.
    ///
    /// libseccomp measures each jump by walking the list; here the walk's
    /// answers are kept as they change. Blocks are only ever inserted
    /// right after the block at hand, so every block after it keeps its
    /// distance to the end of the program (`Walked::to_end`), and the
    /// blocks after it with one identity form a stack whose top is the
    /// nearest and whose bottom is the last (libseccomp's target: the last
    /// block of that identity, searched from the end). A block whose jumps
    /// all reach has its final place and targets then, so its
    /// instructions are laid out as it is passed (from the end; `front`,
    /// runc's stub, comes first).
    fn reach(&mut self, tail: BlkId, front: &[Insn]) -> Result<Vec<Insn>> {
        let mut walked = Walked::new(self.entries.len(), self.blocks.0.len());
        // Backwards, then turned round.
        let mut out = Vec::with_capacity(self.pool.len() + front.len());
        let mut cur = Some(tail);
        while let Some(b) = cur {
            let mut inserted = false;
            for i in (0..self.len(b) as usize).rev() {
                let instr = self.instrs(b)[i];
                for j in [instr.jt, instr.jf] {
                    match j.to() {
                        To::None => {}
                        To::Hsh(h) => inserted |= self.reach_one(&mut walked, b, i, h, &mut out)?,
                        _ => return Err(Unbuildable("an unresolved jump")),
                    }
                }
            }
            if !inserted {
                self.emit(&walked, b, &mut out)?;
                walked.passed(self, b);
                cur = self.blocks[b].prev.get();
            }
        }
        out.extend(front.iter().rev());
        out.reverse();
        Ok(out)
    }

    /// Make the jump of instruction `offset` of `blk` to identity `h`
    /// reach: true when a block had to be inserted for it (and was laid
    /// out onto `out`).
    fn reach_one(
        &mut self,
        walked: &mut Walked,
        blk: BlkId,
        offset: usize,
        h: Hash,
        out: &mut Vec<Insn>,
    ) -> Result<bool> {
        let (Some(target), Some(nearest)) = (walked.last(h), walked.nearest(h)) else {
            return Err(Unbuildable("a jump backwards"));
        };
        let from = walked.after(self, blk) + self.len(blk) - offset as u32 - 1;
        let distance = |t: BlkId| from - walked.to_end[t as usize];
        // The target itself, or a block of the same identity, in reach.
        if distance(target) <= MAX_JUMP || distance(nearest) <= MAX_JUMP {
            return Ok(false);
        }
        // A copy of a return, or a long jump.
        let copy = match self.instrs(target) {
            [Instr {
                op: RET,
                k_hsh: false,
                k: action,
                ..
            }] => Instr::plain(RET, *action),
            _ => Instr {
                op: JA,
                k_hsh: true,
                jt: Jump::NONE,
                jf: Jump::NONE,
                k: h,
            },
        };
        let new = self.alloc(&[copy]);
        self.blocks[new].hash = h;
        self.insert_after(blk, new);
        self.emit(walked, new, out)?;
        walked.passed(self, new);
        Ok(true)
    }

    /// Block `b`'s instructions, last first, onto `out`, with every jump
    /// an offset: a conditional jump lands on the nearest block of its
    /// identity, a long jump on the last (as libseccomp resolves them).
    fn emit(&self, walked: &Walked, b: BlkId, out: &mut Vec<Insn>) -> Result<()> {
        let after = walked.after(self, b);
        let instrs = self.instrs(b);
        for (i, instr) in instrs.iter().enumerate().rev() {
            let from = after + (instrs.len() - i - 1) as u32;
            let offset = |j: Jump| -> Result<u8> {
                match j.to() {
                    To::None => Ok(0),
                    To::Hsh(h) => walked
                        .nearest(h)
                        .map(|t| from - walked.to_end[t as usize])
                        .filter(|&d| d <= MAX_JUMP)
                        .map(|d| d as u8)
                        .ok_or(Unbuildable("a jump out of reach")),
                    _ => Err(Unbuildable("an unresolved jump")),
                }
            };
            let k = match instr.k_hsh() {
                None => instr.k,
                Some(h) => walked
                    .last(h)
                    .map(|t| from - walked.to_end[t as usize])
                    .ok_or(Unbuildable("a long jump to nowhere"))?,
            };
            out.push(Insn {
                code: instr.op,
                jt: offset(instr.jt)?,
                jf: offset(instr.jf)?,
                k,
            });
        }
        Ok(())
    }
}

/// The calls of `db` and then of `secondary`, in libseccomp's order: by
/// priority, highest first; ties keep the databases' order (the first's
/// calls, then the second's), each by number taken as unsigned (unique
/// within a database, so libseccomp's stable insertions and any sort
/// agree). Profiles have a few priorities and numbers close together:
/// each database's calls are laid out by number in a table of its span,
/// then dealt in that order to their (priority, database) groups; pseudo
/// numbers (negative, never in the filter) follow each group's others, in
/// no particular order: only whether one comes first matters (see
/// `arch`).
fn ordered(db: &Db, secondary: Option<&Db>) -> Vec<u32> {
    const MAX_GROUPS: usize = 32;
    let dbs: Vec<&Db> = [Some(db), secondary].into_iter().flatten().collect();
    /// A (priority, database) group: its calls with numbers, and
    /// without, and where in the order it starts.
    #[derive(Clone, Copy)]
    struct Group {
        priority: u32,
        db: usize,
        real: usize,
        pseudo: usize,
        at: usize,
    }
    let mut groups: Vec<Group> = Vec::new();
    // Each call's group, in the databases' order.
    let mut group_of: Vec<u8> = Vec::with_capacity(dbs.iter().map(|d| d.calls().len()).sum());
    // Each database's span of numbers.
    let mut spans = [(u32::MAX, 0u32, 0usize); 2];
    for (d, of) in dbs.iter().enumerate() {
        // Calls mostly share their group with the one before.
        let mut last: Option<(u32, usize)> = None;
        for c in of.calls() {
            let found = match last {
                Some((priority, g)) if priority == c.priority => Some(g),
                _ => groups
                    .iter()
                    .position(|g| g.priority == c.priority && g.db == d),
            };
            let g = match found {
                Some(g) => g,
                None if groups.len() == MAX_GROUPS => return sorted(&dbs),
                None => {
                    groups.push(Group {
                        priority: c.priority,
                        db: d,
                        real: 0,
                        pseudo: 0,
                        at: 0,
                    });
                    groups.len() - 1
                }
            };
            last = Some((c.priority, g));
            group_of.push(g as u8);
            if c.num < 0 {
                groups[g].pseudo += 1;
            } else {
                groups[g].real += 1;
                let (lo, hi, n) = &mut spans[d];
                (*lo, *hi, *n) = ((*lo).min(c.num as u32), (*hi).max(c.num as u32), *n + 1);
            }
        }
    }
    // Where each group's calls start, in the groups' order.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_unstable_by_key(|&g| (std::cmp::Reverse(groups[g].priority), groups[g].db));
    let mut at = 0;
    for &g in &order {
        groups[g].at = at;
        at += groups[g].real + groups[g].pseudo;
    }
    let mut out = vec![0u32; at];
    // Where each group's next call goes.
    let mut next: Vec<usize> = groups.iter().map(|g| g.at).collect();
    // Where each database's calls start in `group_of`.
    let first = [0, dbs[0].calls().len()];
    let mut deal = |d: usize, i: usize| {
        let g = usize::from(group_of[first[d] + i]);
        out[next[g]] = Place::new(d, i).0;
        next[g] += 1;
    };
    let mut table: Vec<u32> = Vec::new();
    for (d, of) in dbs.iter().enumerate() {
        let (lo, hi, count) = spans[d];
        if count > 0 {
            let span = (hi - lo) as usize + 1;
            if span > 4 * count + 1024 {
                return sorted(&dbs);
            }
            table.clear();
            table.resize(span, 0);
            for (i, c) in of.calls().iter().enumerate().filter(|(_, c)| c.num >= 0) {
                let slot = &mut table[(c.num as u32 - lo) as usize];
                if *slot != 0 {
                    // Two calls with one number: not a database of ours.
                    return sorted(&dbs);
                }
                *slot = i as u32 + 1;
            }
            for &i in table.iter().filter(|&&i| i != 0) {
                deal(d, i as usize - 1);
            }
        }
        for (i, _) in of.calls().iter().enumerate().filter(|(_, c)| c.num < 0) {
            deal(d, i);
        }
    }
    out
}

/// The same order by a general sort, for databases unlike profiles.
fn sorted(dbs: &[&Db]) -> Vec<u32> {
    let mut calls: Vec<(usize, usize, &Call)> = dbs
        .iter()
        .enumerate()
        .flat_map(|(d, &of)| of.calls().iter().enumerate().map(move |(i, c)| (d, i, c)))
        .collect();
    calls.sort_by_key(|&(d, _, c)| (std::cmp::Reverse(c.priority), d, c.num as u32));
    calls
        .into_iter()
        .map(|(d, i, _)| Place::new(d, i).0)
        .collect()
}

/// A call of a section's databases in four bytes: the database (first or
/// second) in the top bit, the call's index below.
#[derive(Clone, Copy)]
struct Place(u32);

impl Place {
    fn new(db: usize, call: usize) -> Place {
        Place((db as u32) << 31 | call as u32)
    }

    fn of<'a>(self, dbs: &[Option<&'a Db>; 2]) -> (&'a Db, &'a Call) {
        let db = dbs[(self.0 >> 31) as usize].expect("the database of a call");
        (db, &db.calls()[(self.0 & !(1 << 31)) as usize])
    }
}

/// What a walk from the end of the block list has passed: each block's
/// distance to the end of the program (in instructions, from its start),
/// and for each identity the first block passed (the last in the list)
/// and the latest (the nearest to the walk), as links.
struct Walked {
    to_end: Vec<u32>,
    by_hash: Vec<(Link, Link)>,
}

impl Walked {
    fn new(identities: usize, blocks: usize) -> Walked {
        Walked {
            to_end: vec![0; blocks],
            by_hash: vec![(Link::NONE, Link::NONE); identities + 1],
        }
    }

    /// The instructions after block `b` (its next block's distance to the
    /// end).
    #[inline]
    fn after(&self, g: &Gen, b: BlkId) -> u32 {
        g.blocks[b]
            .next
            .get()
            .map_or(0, |n| self.to_end[n as usize])
    }

    /// Block `b` is now behind the walk.
    #[inline]
    fn passed(&mut self, g: &Gen, b: BlkId) {
        let to_end = self.after(g, b) + g.len(b);
        let i = b as usize;
        if self.to_end.len() <= i {
            self.to_end.resize(g.blocks.0.len().max(i + 1), 0);
        }
        self.to_end[i] = to_end;
        if let Some(seen) = self.by_hash.get_mut(g.blocks[b].hash as usize) {
            let here = Link::from(Some(b));
            *seen = match seen.0 {
                Link::NONE => (here, here),
                last => (last, here),
            };
        }
    }

    #[inline]
    fn nearest(&self, h: Hash) -> Option<BlkId> {
        self.by_hash.get(h as usize)?.1.get()
    }

    #[inline]
    fn last(&self, h: Hash) -> Option<BlkId> {
        self.by_hash.get(h as usize)?.0.get()
    }
}

/// Where a content hash goes in a table of `len` slots (a power of two):
/// its top bits.
fn slot_of(key: u32, len: usize) -> usize {
    ((u64::from(key) << 32) >> (64 - len.trailing_zeros())) as usize
}

/// Whether blocks `a` and `b` have the same instructions and accumulator
/// states.
fn same_content(blocks: &Blocks, pool: &[Instr], a: BlkId, b: BlkId) -> bool {
    let (x, y) = (&blocks[a], &blocks[b]);
    let instrs = |blk: &Block| &pool[blk.at as usize..blk.at as usize + usize::from(blk.len)];
    x.acc_start() == y.acc_start() && x.acc_end() == y.acc_end() && instrs(x) == instrs(y)
}
