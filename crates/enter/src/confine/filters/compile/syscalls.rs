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
//! The other pseudo numbers only need to be distinct and below -10000.
//!
//! The rows are kept as data without pointers: the names one after
//! another in one string, where each ends, and the numbers. A table of
//! `&str` would be 487 pointers, each relocated when a static-pie starts
//! (every tool links this table, and the program's start-up writes seven
//! pages of it whether or not it compiles a filter); offsets need none.

/// The table's rows, `("name", [number; 9])`, as [`NAMES`], [`ENDS`] and
/// [`NUMBERS`] in `table`.
macro_rules! rows {
    ($(($name:literal, $numbers:expr)),* $(,)?) => {
        /// Every name, one after another.
        pub(super) const NAMES: &str = concat!($($name),*);
        /// Where each name ends in `NAMES`.
        pub(super) static ENDS: [u16; [$($name),*].len()] = super::ends([$($name.len()),*]);
        /// Each name's numbers, by [`super::Column`].
        pub(super) static NUMBERS: [[u32; 9]; [$($name),*].len()] = [$($numbers),*];
    };
}

#[path = "table.rs"]
mod table;

/// How many rows the table has.
const ROWS: usize = table::NUMBERS.len();

/// The end of each name in a string of them all, from their lengths.
const fn ends<const R: usize>(lengths: [usize; R]) -> [u16; R] {
    let mut ends = [0u16; R];
    let mut end = 0;
    let mut i = 0;
    while i < R {
        end += lengths[i];
        assert!(end <= u16::MAX as usize, "the names outgrow u16 offsets");
        ends[i] = end as u16;
        i += 1;
    }
    ends
}

/// No such call on this ABI.
pub(super) const NONE: u32 = u32::MAX;

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

/// The first pseudo number of the calls that are neither sockets nor IPC.
const PSEUDO_BASE: i32 = -10001;

/// The row of `name`, if libseccomp knows it: a binary search among the
/// names with the same first byte.
pub(super) fn index(name: &str) -> Option<usize> {
    static BY_FIRST: std::sync::OnceLock<[(u16, u16); 256]> = std::sync::OnceLock::new();
    let ranges = BY_FIRST.get_or_init(|| {
        let mut ranges = [(0u16, 0u16); 256];
        for row in 0..ROWS {
            let r = &mut ranges[usize::from(name_bytes(row)[0])];
            if r.1 == 0 {
                r.0 = row as u16;
            }
            r.1 = row as u16 + 1;
        }
        ranges
    });
    let (start, end) = ranges[usize::from(*name.as_bytes().first()?)];
    let (mut low, mut high) = (usize::from(start), usize::from(end));
    while low < high {
        let middle = low + (high - low) / 2;
        match name_bytes(middle).cmp(name.as_bytes()) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return Some(middle),
        }
    }
    None
}

/// The row of `name`, as [`index`] finds it, looked for first in the few
/// rows after `hint`, the row of a name that sorts before it: profiles
/// list their names in order, mostly, and the next is then a row or two
/// on (the table is sorted by byte).
pub(super) fn index_after(name: &str, hint: Option<usize>) -> Option<usize> {
    use std::cmp::Ordering;
    const NEAR: usize = 4;
    if let Some(h) = hint.filter(|&h| name_bytes(h) < name.as_bytes()) {
        for r in (h + 1..ROWS).take(NEAR) {
            match name_bytes(r).cmp(name.as_bytes()) {
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
    (0..ROWS).map(name)
}

/// The name of row `index`.
pub(super) fn name(index: usize) -> &'static str {
    let start = index.checked_sub(1).map_or(0, |before| table::ENDS[before]);
    &table::NAMES[usize::from(start)..usize::from(table::ENDS[index])]
}

/// The name of row `index` as bytes, for the searches: no check of char
/// boundaries (the names are ASCII) in their comparisons.
fn name_bytes(index: usize) -> &'static [u8] {
    let start = index.checked_sub(1).map_or(0, |before| table::ENDS[before]);
    &table::NAMES.as_bytes()[usize::from(start)..usize::from(table::ENDS[index])]
}

/// The number of row `index` on one ABI, as the table has it.
pub(super) fn number(index: usize, column: Column) -> Option<u32> {
    let n = table::NUMBERS[index][column as usize];
    (n != NONE).then_some(n)
}

/// The row whose number on `column` is `number` (numbers are unique per
/// ABI: a test checks it).
pub(super) fn by_number(column: Column, number: u32) -> Option<usize> {
    table::NUMBERS
        .iter()
        .position(|ns| ns[column as usize] == number)
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
pub(super) fn multiplexed(index: usize) -> Option<(Mux, u8)> {
    static BY_ROW: std::sync::OnceLock<Vec<Option<(Mux, u8)>>> = std::sync::OnceLock::new();
    BY_ROW.get_or_init(|| {
        let mut rows = vec![None; ROWS];
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
pub(super) fn pseudo(index: usize) -> i32 {
    match multiplexed(index) {
        Some((Mux::Socket, call)) => -100 - i32::from(call),
        Some((Mux::Ipc, call)) => -200 - i32::from(call),
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
            (index < ROWS).then_some(index)
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
        let names: Vec<&str> = names().collect();
        assert_eq!(names.len(), 487);
        assert_eq!((names[0], names[486]), ("_llseek", "writev"));
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
            for hint in (0..ROWS).map(Some).chain([None]) {
                assert_eq!(index_after(name, hint), found, "{name} after {hint:?}");
            }
        }
    }

    #[test]
    fn pseudo_numbers_round_trip() {
        for i in 0..ROWS {
            let p = pseudo(i);
            assert!(p <= -101, "{}", name(i));
            assert_eq!(by_pseudo(p), Some(i), "{}", name(i));
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
