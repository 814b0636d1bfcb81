/* libseccomp as runc 1.1 drives it, for differential tests of docker-enter's
 * own seccomp compiler. Reads profiles on stdin, one per block:
 *   default ACTION
 *   arch NAME                      (libseccomp's names: x86, x86_64, ...)
 *   rule ACTION NAME N [ARG OP A B]*N
 *   end
 * and prints, for each, "ok HEX" (the exported BPF, host byte order) or
 * "error WHAT". Each profile is compiled in a child process given two
 * seconds: libseccomp never finishes some ("error timeout"), where runc
 * would hang. Two more requests ask the library's syscall table:
 *   name ARCH NAME      prints the number (seccomp_syscall_resolve_name_arch)
 *   number ARCH NUMBER  prints the name, or "-" (..._resolve_num_arch) Linked against the system's libseccomp.so.2, whose header
 * need not be installed: the few declarations are here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef void *scmp_filter_ctx;
struct scmp_arg_cmp {
	unsigned int arg;
	int op;
	unsigned long long datum_a;
	unsigned long long datum_b;
};
scmp_filter_ctx seccomp_init(unsigned int def_action);
void seccomp_release(scmp_filter_ctx ctx);
unsigned int seccomp_arch_resolve_name(const char *name);
int seccomp_arch_add(scmp_filter_ctx ctx, unsigned int arch_token);
int seccomp_syscall_resolve_name(const char *name);
int seccomp_rule_add_array(scmp_filter_ctx ctx, unsigned int action, int syscall,
			   unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array);
int seccomp_export_bpf(scmp_filter_ctx ctx, int fd);
int seccomp_syscall_resolve_name_arch(unsigned int arch_token, const char *name);
char *seccomp_syscall_resolve_num_arch(unsigned int arch_token, int num);

static void emit(scmp_filter_ctx ctx)
{
	int fds[2];
	unsigned char buf[65536];
	ssize_t n, got = 0;
	if (pipe(fds) != 0) {
		puts("error pipe");
		return;
	}
	if (seccomp_export_bpf(ctx, fds[1]) != 0) {
		puts("error export");
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
		got += n;
	close(fds[0]);
	printf("ok ");
	for (ssize_t i = 0; i < got; i++)
		printf("%02x", buf[i]);
	putchar('\n');
}

/* Compile one profile (its lines, up to "end") and print the result. */
static void compile(char **lines, int count)
{
	scmp_filter_ctx ctx = NULL;
	for (int l = 0; l < count; l++) {
		char *line = lines[l];
		if (!strncmp(line, "default ", 8)) {
			ctx = seccomp_init(strtoul(line + 8, NULL, 0));
			if (ctx == NULL) {
				puts("error init");
				return;
			}
		} else if (!strncmp(line, "arch ", 5)) {
			char name[64];
			sscanf(line + 5, "%63s", name);
			unsigned int token = seccomp_arch_resolve_name(name);
			int rc = token ? seccomp_arch_add(ctx, token) : -1;
			if (rc != 0 && rc != -17 /* EEXIST */) {
				printf("error arch %s\n", name);
				return;
			}
		} else if (!strncmp(line, "rule ", 5)) {
			char name[128];
			unsigned long action;
			int count, used;
			struct scmp_arg_cmp args[6];
			sscanf(line + 5, "%lu %127s %d%n", &action, name, &count, &used);
			char *p = line + 5 + used;
			for (int i = 0; i < count && i < 6; i++) {
				int n;
				sscanf(p, "%u %d %llu %llu%n", &args[i].arg, &args[i].op,
				       &args[i].datum_a, &args[i].datum_b, &n);
				p += n;
			}
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == -1)
				continue; /* runc skips names libseccomp does not know */
			if (seccomp_rule_add_array(ctx, action, nr, count, args) != 0) {
				printf("error rule %s\n", name);
				return;
			}
		}
	}
	emit(ctx);
}

int main(void)
{
	static char *lines[4096];
	char line[8192];
	int count = 0;
	while (fgets(line, sizeof(line), stdin)) {
		char arch[64], name[128];
		int number;
		if (sscanf(line, "name %63s %127s", arch, name) == 2) {
			printf("%d\n", seccomp_syscall_resolve_name_arch(
					      seccomp_arch_resolve_name(arch), name));
			continue;
		}
		if (sscanf(line, "number %63s %d", arch, &number) == 2) {
			char *found = seccomp_syscall_resolve_num_arch(
				seccomp_arch_resolve_name(arch), number);
			printf("%s\n", found ? found : "-");
			free(found);
			continue;
		}
		if (strncmp(line, "end", 3) != 0) {
			if (count < 4096)
				lines[count++] = strdup(line);
			continue;
		}
		fflush(stdout);
		pid_t child = fork();
		if (child == 0) {
			compile(lines, count);
			fflush(stdout);
			_exit(0);
		}
		int status, waited = 0;
		while (waitpid(child, &status, WNOHANG) == 0) {
			if (waited++ > 2000) {
				kill(child, SIGKILL);
				waitpid(child, &status, 0);
				puts("error timeout");
				break;
			}
			nanosleep(&(struct timespec){0, 1000000}, NULL);
		}
		for (int l = 0; l < count; l++)
			free(lines[l]);
		count = 0;
	}
	fflush(stdout);
	return 0;
}
