/*
 * labs/syscall/user/syscalltest.c: the syscall lab's probe.
 *
 * usage: syscalltest calls | fork | exec-child | badtrace | sandbox | badsandbox
 *
 * Each mode makes a fixed series of system calls and prints what each
 * returned, as "what: result" with the result a number or an error name
 * (EPERM).  The program judges nothing: the grader (labs/syscall/grade.py)
 * compares these lines, and the lines the kernel's tracing prints, with
 * what the lab asks for.  Run it yourself, alone or under trace, to see
 * what your kernel does:
 *
 *   calls       getpid, two opens (one fails), read, two closes (one
 *               fails): run it as "trace 2132000 syscalltest calls"
 *   fork        forks a child that calls getpid and execs
 *               "syscalltest exec-child", which calls getpid again
 *   badtrace    trace with masks that name no call, then a good one
 *   sandbox     a child forbids itself mkdir, then unlink; tries to
 *               lift the ban; forks a grandchild that execs mkdir
 *   badsandbox  sandbox with masks it must refuse
 */
#include "user/user.h"

#define BIT(call) (1 << (call))

/* A call's result as the lines show it: the number, or the error name. */
static void
show(const char *what, int result)
{
	if (result < 0)
		printf("%s: %s\n", what, errno_name(errno));
	else
		printf("%s: %d\n", what, result);
}

static void
calls(void)
{
	char buf[10];
	int fd;

	printf("pid: %d\n", getpid());
	show("open missing", open("/no-such-file", O_RDONLY));
	fd = open("/README.md", O_RDONLY);
	show("open README.md", fd);
	show("read", read(fd, buf, sizeof(buf)));
	show("close", close(fd));
	show("close again", close(fd));
}

/* Fork a child that runs fn, and wait for it; the child's pid. */
static int
in_child(void (*fn)(void))
{
	int pid = fork();

	if (pid < 0) {
		show("fork", pid);
		exit(1);
	}
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (wait(NULL) != pid)
		printf("wait: %s\n", errno_name(errno));
	return pid;
}

/* The program exec_self runs: one more call, traced if getpid is. */
static void
exec_child(void)
{
	getpid();
}

static void
exec_self(void)
{
	char *argv[] = { "syscalltest", "exec-child", NULL };

	getpid();
	exec("/bin/syscalltest", argv);
	show("exec", -1);
}

static void
fork_and_exec(void)
{
	int parent = getpid();
	int child = in_child(exec_self);

	printf("parent: %d child: %d\n", parent, child);
}

static void
bad_trace(void)
{
	printf("pid: %d\n", getpid());
	show("trace(1)", trace(1));
	show("trace(1 << 30)", trace(BIT(30)));
	show("trace(-1)", trace(-1));
	show("trace(getpid | 1 << 30)", trace(BIT(SYS_getpid) | BIT(30)));
	getpid();                                   /* not traced */
	show("trace(getpid)", trace(BIT(SYS_getpid)));
	getpid();                                   /* traced */
	show("trace(0)", trace(0));
	getpid();                                   /* not traced */
}

/* A ban on mkdir and unlink, inherited: the grandchild's side. */
static void
grandchild(void)
{
	char *argv[] = { "mkdir", "sbx-exec", NULL };

	show("grandchild mkdir", mkdir("sbx-grandchild"));
	show("grandchild unlink", unlink("sbx-none"));
	exec("/bin/mkdir", argv);
	show("grandchild exec", -1);
}

static void
sandboxed_child(void)
{
	show("child sandbox(mkdir)", sandbox(BIT(SYS_mkdir)));
	show("child mkdir", mkdir("sbx-child"));
	show("child sandbox(0)", sandbox(0));
	show("child mkdir after sandbox(0)", mkdir("sbx-child"));
	show("child unlink", unlink("sbx-none"));
	show("child sandbox(unlink)", sandbox(BIT(SYS_unlink)));
	show("child unlink after sandbox(unlink)", unlink("sbx-none"));
	show("child mkdir after sandbox(unlink)", mkdir("sbx-child"));
	printf("child getpid works: %s\n", getpid() > 0 ? "yes" : "no");
	in_child(grandchild);
}

static void
sandbox_family(void)
{
	struct stat st;

	in_child(sandboxed_child);
	show("parent mkdir", mkdir("sbx-parent"));
	show("parent stat sbx-child", stat("sbx-child", &st));
	show("parent stat sbx-grandchild", stat("sbx-grandchild", &st));
	show("parent stat sbx-exec", stat("sbx-exec", &st));
	show("parent unlink sbx-parent", unlink("sbx-parent"));
}

static void
bad_sandbox(void)
{
	show("sandbox(exit)", sandbox(BIT(SYS_exit)));
	show("sandbox(exit | mkdir)", sandbox(BIT(SYS_exit) | BIT(SYS_mkdir)));
	show("mkdir", mkdir("sbx-bad"));
	show("sandbox(1)", sandbox(1));
	show("sandbox(1 << 30)", sandbox(BIT(30)));
	show("sandbox(-1)", sandbox(-1));
	show("unlink", unlink("sbx-bad"));
	show("sandbox(sandbox)", sandbox(BIT(SYS_sandbox)));
	show("sandbox(mkdir)", sandbox(BIT(SYS_mkdir)));
	show("mkdir again", mkdir("sbx-bad"));
	show("unlink again", unlink("sbx-bad"));
}

static const struct {
	const char *name;
	void (*run)(void);
} modes[] = {
	{ "calls", calls },
	{ "fork", fork_and_exec },
	{ "exec-child", exec_child },
	{ "badtrace", bad_trace },
	{ "sandbox", sandbox_family },
	{ "badsandbox", bad_sandbox },
};

int
main(int argc, char **argv)
{
	for (uint i = 0; argc == 2 && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(argv[1], modes[i].name) == 0) {
			modes[i].run();
			return 0;
		}
	}
	fprintf(2, "usage: syscalltest calls | fork | exec-child | badtrace | "
		"sandbox | badsandbox\n");
	return 2;
}
