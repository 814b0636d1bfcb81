//! Security rule 6's re-exec, done before the C library starts (x86_64).
//!
//! docker-enter runs itself again from a read-only clone of its own file
//! (`enter::run_from_protected_copy`). Done from `main`, the first process
//! pays a whole start of static glibc for nothing but six system calls:
//! its CPU and cache detection executes CPUID again and again, and each
//! CPUID traps to the hypervisor in a VM (0.7 ms an exec on the
//! development VM; docs/design.md, "Measured"). So the binary's entry
//! point is the code below, which makes the same clone and execveat with
//! bare system calls before jumping to the C library's `_start`.
//!
//! It is an optimisation only: whenever anything differs from the common
//! case (already on a read-only mount, open_tree or mount_setattr denied
//! or unknown, the clone not read-only after all, execveat failing) it
//! closes what it opened and goes on to `_start` with the stack and
//! registers the kernel gave, and `run_from_protected_copy` decides as it
//! always did (a sealed copy, or a refusal), so rule 6 holds with or
//! without it. It is written in assembly because nothing else can run
//! there: the static-pie has not relocated itself yet, thread-local
//! storage (errno) does not exist, and memcpy and its kin are not yet
//! resolved to an implementation, any of which compiled Rust may use.
//!
//! Two entries (`build.rs` picks one per binary with `--entry`):
//! - `nsenter_can_start_docker_enter`, the docker-enter binary: always;
//! - `nsenter_can_start_by_name`, the can's one program: only when
//!   argv[0]'s last component is `docker-enter` (nsenter re-executes
//!   itself only for some command lines, which `main` decides).
//!
//! Registers: the kernel starts the process with the stack pointer at
//! argc (then argv, NULL, envp, NULL, auxv) and rdx the function `_start`
//! hands to atexit (0 from the kernel, the dynamic loader's in a dynamic
//! build). Both are kept (r14, r15) and restored before `_start`; the
//! system call instruction changes only rax, rcx and r11.

#[cfg(all(
    target_arch = "x86_64",
    target_pointer_width = "64",
    target_os = "linux"
))]
core::arch::global_asm!(
    ".pushsection .text.nsenter_can_start,\"ax\",@progbits",
    ".globl nsenter_can_start_docker_enter",
    ".type nsenter_can_start_docker_enter,@function",
    "nsenter_can_start_docker_enter:",
    "    mov r15, rdx",
    "    mov r14, rsp",
    "    jmp 3f",
    ".globl nsenter_can_start_by_name",
    ".type nsenter_can_start_by_name,@function",
    "nsenter_can_start_by_name:",
    "    mov r15, rdx",
    "    mov r14, rsp",
    // rdi: the start of argv[0]'s last component, rsi: past its NUL.
    "    mov rsi, [r14 + 8]",
    "    test rsi, rsi",
    "    jz 9f",
    "    mov rdi, rsi",
    "1:  movzx eax, byte ptr [rsi]",
    "    inc rsi",
    "    test eax, eax",
    "    jz 2f",
    "    cmp eax, 0x2f",
    "    jne 1b",
    "    mov rdi, rsi",
    "    jmp 1b",
    // Exactly the 12 bytes of "docker-enter".
    "2:  lea rax, [rsi - 1]",
    "    sub rax, rdi",
    "    cmp rax, 12",
    "    jne 9f",
    "    mov rax, [rdi]",
    "    movabs rcx, 0x652d72656b636f64", // "docker-e"
    "    cmp rax, rcx",
    "    jne 9f",
    "    cmp dword ptr [rdi + 8], 0x7265746e", // "nter"
    "    jne 9f",
    // A struct statfs (120 bytes) or struct mount_attr (32) at rsp,
    // which stays 16-byte aligned.
    "3:  sub rsp, 128",
    // statfs("/proc/self/exe"): on a read-only mount (f_flags at 80 holds
    // ST_RDONLY, 1) there is nothing to do.
    "    mov eax, 137",
    "    lea rdi, [rip + 5f]",
    "    mov rsi, rsp",
    "    syscall",
    "    test rax, rax",
    "    jnz 8f",
    "    test byte ptr [rsp + 80], 1",
    "    jnz 8f",
    // open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
    "    mov eax, 428",
    "    mov edi, -100",
    "    lea rsi, [rip + 5f]",
    "    mov edx, 0x80001",
    "    syscall",
    "    test rax, rax",
    "    js 8f",
    "    mov r13, rax",
    // mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
    //     {MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0}, 32)
    "    mov qword ptr [rsp], 7",
    "    mov qword ptr [rsp + 8], 0",
    "    mov qword ptr [rsp + 16], 0",
    "    mov qword ptr [rsp + 24], 0",
    "    mov eax, 442",
    "    mov rdi, r13",
    "    lea rsi, [rip + 6f]",
    "    mov edx, 0x9000",
    "    mov r10, rsp",
    "    mov r8d, 32",
    "    syscall",
    "    test rax, rax",
    "    jnz 7f",
    // fstatfs(fd): read-only after all?
    "    mov eax, 138",
    "    mov rdi, r13",
    "    mov rsi, rsp",
    "    syscall",
    "    test rax, rax",
    "    jnz 7f",
    "    test byte ptr [rsp + 80], 1",
    "    jz 7f",
    // execveat(fd, "", argv, envp, AT_EMPTY_PATH); envp = argv + argc + 1.
    "    mov rax, [r14]",
    "    lea rdx, [r14 + 8]",
    "    lea r10, [r14 + 8 * rax + 16]",
    "    mov eax, 322",
    "    mov rdi, r13",
    "    lea rsi, [rip + 6f]",
    "    mov r8d, 0x1000",
    "    syscall",
    // It returned: it failed. close(fd), and start as if nothing happened.
    "7:  mov eax, 3",
    "    mov rdi, r13",
    "    syscall",
    "8:  mov rsp, r14",
    "9:  mov rdx, r15",
    "    xor r13d, r13d",
    "    xor r14d, r14d",
    "    xor r15d, r15d",
    "    jmp _start",
    ".size nsenter_can_start_docker_enter, . - nsenter_can_start_docker_enter",
    ".size nsenter_can_start_by_name, . - nsenter_can_start_by_name",
    ".popsection",
    ".pushsection .rodata.nsenter_can_start,\"a\",@progbits",
    "5:  .asciz \"/proc/self/exe\"",
    "6:  .byte 0",
    ".popsection",
);
