//! System call numbers by name, as the libseccomp that runc uses knows
//! them.
//!
//! `table.rs` holds the numbers of every name that Debian 12's libseccomp
//! (2.5.4-1+deb12u1: the code of 2.5.4 with the syscall list of 2.5.5,
//! which follows Linux 6.7) resolves, for the ABIs of [`Column`]. It was
//! made from that list by a throw-away script: one row per name, sorted by
//! byte for a binary search, `N` where the ABI has no such call. The
//! numbers are the kernel's ABI; the set of names is the library's,
//! because a name it does not know is one that runc skips (a profile may
//! name calls newer than the library), and so must we. A test compares the
//! table with the system's libseccomp, name by name and number by number.
//!
//! A name that an ABI lacks still gets a number, a negative "pseudo" one,
//! as in libseccomp: such rules are kept apart and never reach the filter,
//! but the socket and IPC calls that some ABIs reach only through
//! `socketcall(2)` and `ipc(2)` are rewritten into rules on those
//! (`db.rs`). Their pseudo numbers carry the multiplexer's call number:
//! -100 - call for sockets, -200 - call for IPC, as libseccomp numbers them.
//! The other pseudo numbers only need to be below -10000 and distinct, but
//! for one pair that libseccomp's own list numbers alike (see
//! [`SHARED_PSEUDO`]).

#[path = "table.rs"]
mod table;

/// No such call on this ABI.
pub(super) const NONE: u32 = u32::MAX;

/// A name in the table: its bytes, padded with NULs, and its length in
/// the last byte. With no pointer in it the table is plain read-only
/// data: a static binary (position independent) would otherwise relocate
/// a pointer per row at every start, writing to, and so copying, every
/// page of the table.
#[derive(Clone, Copy)]
pub(super) struct Name([u8; 32]);

impl Name {
    /// `name`, which must be shorter than 31 bytes (checked when the
    /// table is compiled).
    pub(super) const fn new(name: &str) -> Name {
        let bytes = name.as_bytes();
        assert!(!bytes.is_empty() && bytes.len() < 31);
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < bytes.len() {
            out[i] = bytes[i];
            i += 1;
        }
        out[31] = bytes.len() as u8;
        Name(out)
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.0[..usize::from(self.0[31])]
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// The columns of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    X86 = 0,
    X86_64 = 1,
    X32 = 2,
    Arm = 3,
    Aarch64 = 4,
    Mips = 5,
    Mips64 = 6,
    Mips64n32 = 7,
    Ppc64 = 8,
}

/// The calls `socketcall(2)` multiplexes, with their call numbers
/// (linux/net.h: SYS_SOCKET is 1).
const SOCKET_CALLS: [(&str, u8); 20] = [
    ("socket", 1),
    ("bind", 2),
    ("connect", 3),
    ("listen", 4),
    ("accept", 5),
    ("getsockname", 6),
    ("getpeername", 7),
    ("socketpair", 8),
    ("send", 9),
    ("recv", 10),
    ("sendto", 11),
    ("recvfrom", 12),
    ("shutdown", 13),
    ("setsockopt", 14),
    ("getsockopt", 15),
    ("sendmsg", 16),
    ("recvmsg", 17),
    ("accept4", 18),
    ("recvmmsg", 19),
    ("sendmmsg", 20),
];

/// The calls `ipc(2)` multiplexes, with their call numbers (linux/ipc.h).
const IPC_CALLS: [(&str, u8); 12] = [
    ("semop", 1),
    ("semget", 2),
    ("semctl", 3),
    ("semtimedop", 4),
    ("msgsnd", 11),
    ("msgrcv", 12),
    ("msgget", 13),
    ("msgctl", 14),
    ("shmat", 21),
    ("shmdt", 22),
    ("shmget", 23),
    ("shmctl", 24),
];

/// The number of rows.
pub(super) const ROWS: usize = table::SYSCALLS.len();

/// The rows of socketcall(2) and ipc(2) (a test checks them).
pub(super) const SOCKETCALL: usize = 407;
pub(super) const IPC: usize = 172;

/// The first pseudo number of the calls that are neither sockets nor IPC.
const PSEUDO_BASE: i32 = -10001;

/// The rows of `sys_debug_setcontext` and `switch_endian` (a test checks
/// them): two calls of PowerPC alone that libseccomp 2.5.4 gives the same
/// pseudo number (-10191). On an ABI that lacks both, a rule on the first
/// is one on the second (libseccomp names the number back as
/// `switch_endian`), which on PowerPC is number 363, not 256.
const SHARED_PSEUDO: (usize, usize) = (431, 424);

/// The row of `name`, if libseccomp knows it: a binary search among the
/// names with the same first byte.
pub(super) fn index(name: &str) -> Option<usize> {
    static BY_FIRST: std::sync::OnceLock<[(u16, u16); 256]> = std::sync::OnceLock::new();
    let ranges = BY_FIRST.get_or_init(|| {
        let mut ranges = [(0u16, 0u16); 256];
        for (row, (n, _)) in table::SYSCALLS.iter().enumerate() {
            let r = &mut ranges[usize::from(n.as_bytes()[0])];
            if r.1 == 0 {
                r.0 = row as u16;
            }
            r.1 = row as u16 + 1;
        }
        ranges
    });
    let (start, end) = ranges[usize::from(*name.as_bytes().first()?)];
    let rows = &table::SYSCALLS[usize::from(start)..usize::from(end)];
    rows.binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| usize::from(start) + i)
}

/// The row of `name`, as [`index`] finds it, looked for first in the few
/// rows after `hint`, the row of a name that sorts before it: profiles
/// list their names in order, mostly, and the next is then a row or two
/// on (the table is sorted by byte).
pub(super) fn index_after(name: &str, hint: Option<usize>) -> Option<usize> {
    use std::cmp::Ordering;
    const NEAR: usize = 4;
    let rows = &table::SYSCALLS;
    if let Some(h) = hint.filter(|&h| rows[h].0.as_bytes() < name.as_bytes()) {
        for (r, (n, _)) in rows.iter().enumerate().skip(h + 1).take(NEAR) {
            match n.as_bytes().cmp(name.as_bytes()) {
                Ordering::Less => {}
                Ordering::Equal => return Some(r),
                // Between two rows: not in the table.
                Ordering::Greater => return None,
            }
        }
    }
    index(name)
}

/// Every name, in the table's order.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    table::SYSCALLS.iter().map(|(n, _)| n.as_str())
}

/// The name of row `index`.
pub(super) fn name(index: usize) -> &'static str {
    table::SYSCALLS[index].0.as_str()
}

/// The number of row `index` on one ABI, as the table has it.
#[inline]
pub(super) fn number(index: usize, column: Column) -> Option<u32> {
    let n = table::SYSCALLS[index].1[column as usize];
    (n != NONE).then_some(n)
}

/// The row whose number on `column` is `number` (numbers are unique per
/// ABI: a test checks it).
pub(super) fn by_number(column: Column, number: u32) -> Option<usize> {
    table::SYSCALLS
        .iter()
        .position(|(_, ns)| ns[column as usize] == number)
}

/// Which multiplexer an ABI without the direct call reaches a call
/// through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mux {
    Socket,
    Ipc,
}

/// The multiplexer and call number of row `index`, if socketcall(2) or
/// ipc(2) multiplexes it.
#[inline]
pub(super) fn multiplexed(index: usize) -> Option<(Mux, u8)> {
    static BY_ROW: std::sync::OnceLock<Vec<Option<(Mux, u8)>>> = std::sync::OnceLock::new();
    BY_ROW.get_or_init(|| {
        let mut rows = vec![None; table::SYSCALLS.len()];
        let calls = SOCKET_CALLS
            .iter()
            .map(|&(n, c)| (n, Mux::Socket, c))
            .chain(IPC_CALLS.iter().map(|&(n, c)| (n, Mux::Ipc, c)));
        for (name, mux, call) in calls {
            if let Some(row) = self::index(name) {
                rows[row] = Some((mux, call));
            }
        }
        rows
    })[index]
}

/// The pseudo number of row `index` (what an ABI without the call gives).
#[inline]
pub(super) fn pseudo(index: usize) -> i32 {
    match multiplexed(index) {
        Some((Mux::Socket, call)) => -100 - i32::from(call),
        Some((Mux::Ipc, call)) => -200 - i32::from(call),
        None if index == SHARED_PSEUDO.0 => PSEUDO_BASE - SHARED_PSEUDO.1 as i32,
        None => PSEUDO_BASE - index as i32,
    }
}

/// The row a pseudo number stands for.
pub(super) fn by_pseudo(number: i32) -> Option<usize> {
    let named = |calls: &[(&str, u8)], call: i32| {
        calls
            .iter()
            .find(|(_, c)| i32::from(*c) == call)
            .and_then(|(n, _)| index(n))
    };
    match number {
        -120..=-101 => named(&SOCKET_CALLS, -100 - number),
        -224..=-201 => named(&IPC_CALLS, -200 - number),
        n if n <= PSEUDO_BASE => {
            let index = usize::try_from(PSEUDO_BASE - n).ok()?;
            (index < table::SYSCALLS.len()).then_some(index)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 9] = [
        Column::X86,
        Column::X86_64,
        Column::X32,
        Column::Arm,
        Column::Aarch64,
        Column::Mips,
        Column::Mips64,
        Column::Mips64n32,
        Column::Ppc64,
    ];

    #[test]
    fn names_are_sorted_and_numbers_unique_per_abi() {
        let names: Vec<&str> = table::SYSCALLS.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        for column in COLUMNS {
            let mut numbers: Vec<u32> =
                (0..names.len()).filter_map(|i| number(i, column)).collect();
            let all = numbers.len();
            numbers.sort_unstable();
            numbers.dedup();
            assert_eq!(numbers.len(), all, "{column:?}");
        }
    }

    #[test]
    fn known_numbers() {
        let read = index("read").unwrap();
        assert_eq!(number(read, Column::X86_64), Some(0));
        assert_eq!(number(read, Column::X86), Some(3));
        assert_eq!(number(read, Column::Aarch64), Some(63));
        let socket = index("socket").unwrap();
        assert_eq!(number(socket, Column::X86), Some(359));
        assert_eq!(number(index("socketcall").unwrap(), Column::X86_64), None);
        assert_eq!(index("no_such_call"), None);
        assert!(index("fchmodat2").is_some(), "Linux 6.6");
        assert_eq!(index("statmount"), None, "Linux 6.8, newer than the table");
    }

    #[test]
    fn a_hint_finds_what_the_search_finds() {
        let mut names: Vec<String> = names().map(str::to_string).collect();
        // Names not in the table, between, before and after its rows.
        names.extend(["a", "read0", "readz", "zzz", "_", "no_such_call"].map(String::from));
        for name in &names {
            let found = index(name);
            for hint in (0..table::SYSCALLS.len()).map(Some).chain([None]) {
                assert_eq!(index_after(name, hint), found, "{name} after {hint:?}");
            }
        }
    }

    #[test]
    fn pseudo_numbers_round_trip() {
        assert_eq!(name(SOCKETCALL), "socketcall");
        assert_eq!(name(IPC), "ipc");
        let (shared, named) = SHARED_PSEUDO;
        assert_eq!(name(shared), "sys_debug_setcontext");
        assert_eq!(name(named), "switch_endian");
        for i in 0..table::SYSCALLS.len() {
            let p = pseudo(i);
            assert!(p <= -101, "{}", name(i));
            let back = if i == shared { named } else { i };
            assert_eq!(by_pseudo(p), Some(back), "{}", name(i));
        }
        assert_eq!(pseudo(index("socket").unwrap()), -101);
        assert_eq!(
            multiplexed(index("accept4").unwrap()),
            Some((Mux::Socket, 18))
        );
        assert_eq!(multiplexed(index("msgctl").unwrap()), Some((Mux::Ipc, 14)));
        assert_eq!(multiplexed(index("read").unwrap()), None);
        assert_eq!(pseudo(index("shmctl").unwrap()), -224);
    }
}
