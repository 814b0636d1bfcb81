//! Expected values are what `docker exec -u SPEC C sh -c 'id; echo $HOME'`
//! printed on Docker 20.10 for a busybox image with these very files
//! (`id` lists groups sorted; ours keep the primary gid first).

use super::*;
use crate::bounded::{Records, CONTAINER_FILE};

fn file(bytes: &[u8]) -> Records<'_> {
    Records::lines(bytes, "/etc/file", CONTAINER_FILE)
}

/// Also the files of the integration tests' image (tests/common/busybox_image.rs).
const PASSWD: &[u8] = include_bytes!("testdata/passwd");
const GROUP: &[u8] = include_bytes!("testdata/group");

fn user(spec: &str) -> ExecUser {
    resolve_user(spec, Some(file(PASSWD)), Some(file(GROUP))).unwrap()
}

fn ids(u: &ExecUser) -> (u32, u32, Vec<u32>, &str) {
    (u.uid, u.gid, u.groups.clone(), u.home.to_str().unwrap())
}

#[test]
fn default_is_root_from_passwd() {
    // uid=0(root) gid=0(root) groups=0(root) HOME=/root
    for spec in ["", "root", "0", "0:0"] {
        assert_eq!(ids(&user(spec)), (0, 0, vec![0], "/root"), "{spec}");
    }
    assert_eq!(user("").shell, Some(PathBuf::from("/bin/sh")));
}

#[test]
fn named_user_gets_member_groups() {
    // -u alice and -u 1000: uid=1000 gid=1000 groups=10(wheel),44(video),1000(alice)
    for spec in ["alice", "1000"] {
        assert_eq!(
            ids(&user(spec)),
            (1000, 1000, vec![1000, 10, 44], "/home/alice"),
            "{spec}"
        );
    }
    // -u bob and -u 1001: groups=29(audio),44(video),1001(bob)
    for spec in ["bob", "1001"] {
        assert_eq!(
            ids(&user(spec)),
            (1001, 1001, vec![1001, 44, 29], "/home/bob"),
            "{spec}"
        );
    }
    // -u daemon: groups=1(daemon) HOME=/usr/sbin
    assert_eq!(ids(&user("daemon")), (1, 1, vec![1], "/usr/sbin"));
    assert_eq!(user("bob").shell, Some(PathBuf::from("/bin/ash")));
}

#[test]
fn explicit_group_replaces_member_groups() {
    // -u 1000:1000: groups=1000(alice)
    assert_eq!(
        ids(&user("1000:1000")),
        (1000, 1000, vec![1000], "/home/alice")
    );
    // -u alice:staff, alice:50, 1000:staff: gid=50(staff) groups=50(staff)
    for spec in ["alice:staff", "alice:50", "1000:staff"] {
        assert_eq!(
            ids(&user(spec)),
            (1000, 50, vec![50], "/home/alice"),
            "{spec}"
        );
    }
    // -u 0:50: uid=0 gid=50 groups=50 HOME=/root
    assert_eq!(ids(&user("0:50")), (0, 50, vec![50], "/root"));
}

#[test]
fn numeric_ids_without_entries_are_allowed() {
    // -u 4242: uid=4242 gid=0(root) groups=0(root) HOME=/
    assert_eq!(ids(&user("4242")), (4242, 0, vec![0], "/"));
    assert_eq!(user("4242").shell, None);
    // -u 4242:4242: uid=4242 gid=4242 groups=4242 HOME=/
    assert_eq!(ids(&user("4242:4242")), (4242, 4242, vec![4242], "/"));
}

#[test]
fn unknown_names_are_errors_worded_like_docker() {
    let err = |spec| {
        resolve_user(spec, Some(file(PASSWD)), Some(file(GROUP)))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("nobody"),
        "unable to find user nobody: no matching entries in passwd file"
    );
    assert_eq!(
        err("alice:nogroup"),
        "unable to find group nogroup: no matching entries in group file"
    );
    assert!(err("99999999999").contains("must be in range 0-2147483647"));
    assert!(err("1000:-5").contains("must be in range"));
}

#[test]
fn image_without_passwd_or_group() {
    // An image with neither file: -u '' and -u 0 give uid=0 gid=0 groups=0 HOME=/;
    // -u 1000 gives gid=0; -u 1000:1000 gives groups=1000; -u root fails.
    let bare = |spec| resolve_user(spec, None, None);
    assert_eq!(ids(&bare("").unwrap()), (0, 0, vec![0], "/"));
    assert_eq!(ids(&bare("0").unwrap()), (0, 0, vec![0], "/"));
    assert_eq!(ids(&bare("1000").unwrap()), (1000, 0, vec![0], "/"));
    assert_eq!(
        ids(&bare("1000:1000").unwrap()),
        (1000, 1000, vec![1000], "/")
    );
    assert_eq!(
        bare("root").unwrap_err().to_string(),
        "unable to find user root: no matching entries in passwd file"
    );
}

#[test]
fn runtime_extra_groups_are_added_for_every_user() {
    // Container run with --group-add audio --group-add 777 -u bob:
    let extra = ["audio".to_string(), "777".to_string()];
    let with_extra = |spec| {
        resolve_exec_user(spec, &extra, Some(file(PASSWD)), Some(file(GROUP)))
            .unwrap()
            .groups
    };
    // default (bob): groups=29(audio),44(video),777,1001(bob)
    assert_eq!(with_extra("bob"), [1001, 44, 29, 777]);
    // -u alice: groups=10(wheel),29(audio),44(video),777,1000(alice)
    assert_eq!(with_extra("alice"), [1000, 10, 44, 29, 777]);
    // -u alice:staff: groups=29(audio),50(staff),777
    assert_eq!(with_extra("alice:staff"), [50, 29, 777]);
    // -u 4242: groups=0(root),29(audio),777
    assert_eq!(with_extra("4242"), [0, 29, 777]);
    let missing = resolve_exec_user(
        "",
        &["nogroup".to_string()],
        Some(file(PASSWD)),
        Some(file(GROUP)),
    );
    assert!(missing
        .unwrap_err()
        .to_string()
        .contains("unable to find group nogroup"));
}

#[test]
fn first_entry_wins_and_extra_fields_are_ignored() {
    let passwd = b"toor:x:0:0::/toor:/bin/sh\nroot:x:0:0::/root:/bin/sh\n";
    assert_eq!(
        resolve_user("", Some(file(passwd)), None).unwrap().home,
        PathBuf::from("/toor")
    );
    assert_eq!(
        resolve_user("root", Some(file(passwd)), None).unwrap().home,
        PathBuf::from("/root")
    );
    // runc reads only the first two fields of "user:group:more".
    assert_eq!(
        ids(&user("alice:staff:junk")),
        (1000, 50, vec![50], "/home/alice")
    );
    // "alice:" has an empty group: as if none was given.
    assert_eq!(
        ids(&user("alice:")),
        (1000, 1000, vec![1000, 10, 44], "/home/alice")
    );
}

#[test]
fn home_bytes_are_kept() {
    let passwd = b"x:x:5:5::/home/\xff:/bin/sh\n";
    let home = resolve_user("x", Some(file(passwd)), None).unwrap().home;
    assert_eq!(home.as_os_str().as_bytes(), b"/home/\xff");
}

#[test]
fn shell_of_uid_takes_the_first_entry_with_a_shell() {
    let passwd = b"root:x:0:0:root:/root:/bin/ash\nbob:x:1000:1000::/home/bob:\n";
    let shell = |uid| shell_of_uid(file(passwd), uid).unwrap();
    assert_eq!(shell(0), Some(b"/bin/ash".to_vec()));
    assert_eq!(shell(1000), None);
    assert_eq!(shell(7), None);
}

/// alice's passwd line and a group file listing her in `n` groups.
fn alice_in_groups(n: u32) -> (Vec<u8>, Vec<u8>) {
    let passwd = b"alice:x:1000:1000::/home/alice:/bin/sh\n".to_vec();
    let mut group = Vec::new();
    for i in 0..n {
        group.extend_from_slice(format!("g{i}:x:{}:bob,alice\n", 2000 + i).as_bytes());
    }
    (passwd, group)
}

#[test]
fn more_groups_than_the_kernel_allows_say_its_limit() {
    // 65535 groups and the primary one: exactly NGROUPS_MAX.
    let (passwd, group) = alice_in_groups(65535);
    let user = resolve_user("alice", Some(file(&passwd)), Some(file(&group))).unwrap();
    assert_eq!(user.groups.len(), NGROUPS_MAX);
    for n in [65536, 70_000] {
        let (passwd, group) = alice_in_groups(n);
        let err = resolve_user("alice", Some(file(&passwd)), Some(file(&group))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "user alice is in more than 65536 groups, the most the kernel allows (NGROUPS_MAX)"
        );
    }
    // An explicit group replaces them: no limit reached.
    let (passwd, group) = alice_in_groups(70_000);
    let user = resolve_user("alice:g5", Some(file(&passwd)), Some(file(&group))).unwrap();
    assert_eq!(user.groups, [2005]);
}

#[test]
fn many_extra_groups_are_found_in_one_pass() {
    let (passwd, group) = alice_in_groups(20_000);
    let extra: Vec<String> = (0..20_000)
        .rev()
        .map(|i| match i % 2 {
            0 => format!("g{i}"),
            _ => (2000 + i).to_string(),
        })
        .collect();
    let user =
        resolve_exec_user("alice:g0", &extra, Some(file(&passwd)), Some(file(&group))).unwrap();
    assert_eq!(user.groups.len(), 20_000);
    assert_eq!(user.groups[..3], [2000, 2000 + 19_999, 2000 + 19_998]);
}

#[test]
fn a_refused_line_names_the_file_and_the_limit() {
    let mut passwd = vec![b':'; 70_000];
    passwd.extend_from_slice(b"\nroot:x:0:0::/root:/bin/sh\n");
    let err = resolve_user("", Some(file(&passwd)), None).unwrap_err();
    assert_eq!(err.to_string(), "/etc/file: line 1 is longer than 64 KiB");
}
