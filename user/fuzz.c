/*
 * user/fuzz.c: seeded random system calls with good and bad arguments,
 * every result checked.
 *
 * usage: fuzz [-s seed] [-n calls] [-p procs]
 *
 *   -s seed   where the random sequences start (default 1)
 *   -n calls  system calls each worker makes (default 1000)
 *   -p procs  worker processes, 1 to MAXPROCS (8; default 4)
 *
 * fuzz starts the workers and waits for them.  Worker i draws its calls
 * from a xorshift generator seeded with seed + i, so the same seed makes
 * the same calls with the same arguments, whatever the timing.  Each call
 * is one of the system calls of include/syscalls.h (exit is left to the
 * workers' children, and poweroff out), or now and then a call number
 * that does not exist.  The arguments mix good and bad values:
 *
 *   descriptors  open ones of every kind, closed ones, -1, 15, 16, 1000
 *   buffers      a buffer, an unaligned one, one ending at the heap's end;
 *                read-only data; NULL, page 0, the kernel, the trapframe,
 *                the trampoline, MAXVA, the stack's guard page, just past
 *                the heap's end; one that runs from the heap into the
 *                unmapped page after it
 *   paths        a few names in the worker's own directory (TOP/wN), "",
 *                "/", ".", ".."; too long, or a name too long; bad
 *                addresses; strings that run unterminated to the heap's end
 *   sizes        0, small, a block, negative, huge
 *   the rest     open flags good and bad, device numbers, pids of its
 *                children and of no process, sleeps of 0 or 1 tick, heap
 *                growth and shrinking, exec's path and argv
 *
 * The worker keeps a model of what it owns: its descriptors (what each
 * is, and the bytes in each of its pipes), its children and what each was
 * told to do, its heap's end, its pid.  From the model and the arguments
 * it works out what each call may return (struct want): a result in a
 * range, or one of a set of errors, following book/appendix-a-syscalls.md.
 * So a bad pointer must give EFAULT, a closed descriptor EBADF, open must
 * return the lowest free descriptor, a pipe must give back exactly the
 * bytes written to it, wait must report the status the child was told to
 * exit with, sbrk must return the old end of the heap and zeroed pages.
 * What other workers may take for a moment (memory, file-table slots,
 * disk space) may also be missing: ENOMEM, ENFILE, ENOSPC are allowed
 * where the call needs such a thing.  A result outside the want is a
 * failure: the worker reports the call with its arguments, what it got
 * and what was allowed, and exits.
 *
 * Children exit at once, with a status or their pid, sleep a tick first,
 * or exec: /bin/true (the only program they may run), a missing file, a
 * directory, or a file of junk the worker wrote, with good or bad argv.
 * A worker never kills pid 1 or its parent, writes only in its own
 * directory, never reads the console or an empty pipe it could write to
 * (which would wait forever), and waits for all its children at the end.
 *
 * When the workers are done, fuzz waits for every process to be gone,
 * prints the workers' reports (kept in files until then, so that reports
 * made at the same moment on different harts do not mix on the console),
 * removes TOP with everything the workers wrote, and checks that free
 * memory pages, free disk blocks, free inodes and the number of processes
 * are back to what they were before.  It ends with one line,
 *
 *   fuzz: seed S, P procs x N calls: OK
 *
 * (or FAILED and why) and exits 0 only when every call and every count
 * was right.  A failing call is reported as
 *
 *   fuzz: worker 2, seed 3, call 41: read(5 (pipe read end), NULL, 16)
 *         returned 16, want EFAULT
 *   fuzz: to repeat it: fuzz -s 3 -n 42 -p 1
 *
 * and the second line runs that worker's calls alone, up to the failing
 * one.  Apart from scheduling (which can change what other workers leave
 * free: memory, file-table slots) the run is the same every time.
 */
#include "user/user.h"
#include "include/addrspace.h"   /* the address space, for bad pointers */
#include "include/fs_format.h"   /* BSIZE, DIRSIZ */

#define TOP           "/fuzz.d"
#define MAXPROCS      8         /* workers */
#define MAXCHILDREN   4         /* unreaped children a worker may have */
#define NREAPED       8         /* pids of reaped children kept, for kill */
#define BUFSZ         (2 * BSIZE)       /* the good buffer */
#define HEAP_CAP      (128 * PGSIZE)    /* most heap above its floor */
#define FAIL_STATUS   99        /* exit status: a failure was reported */
#define EXEC_REFUSED  42        /* exit status: exec failed, rightly */
#define SETTLE_TICKS  500       /* most ticks to wait for processes to go */
#define NELEM(a)      ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the worker's state -------------------------------------------------- */

static uint64 rng;              /* the xorshift state */
static int worker_id, worker_seed, ncalls;
static int call_index;          /* which call is being made, from 0 */
static char call_text[240];     /* that call, as a failure message shows it */
static int mypid;
static int last_uptime;

static char own_dir[16];        /* TOP "/wN" */
static char junk_path[32];      /* a file of junk, for exec */
static char report_path[32];    /* failure reports go here (save_report) */
static char long_name[48];      /* own_dir, "/", a name of DIRSIZ+1 bytes */
static char long_path[MAXPATH + 1];   /* MAXPATH bytes and a NUL */
static char long_arg[MAXARGLEN + 1];  /* MAXARGLEN bytes and a NUL */
static bool at_own_dir;         /* the current directory is own_dir */

static char buf[BUFSZ];         /* the good buffer */
static const char rodata[64] = "read-only data, which the kernel may read";

static uint64 heap_start;       /* sbrk(0) when the program started */
static uint64 heap_floor;       /* the worker keeps at least a page of heap */
static uint64 heap_end;         /* sbrk(0) as the model has it */

static uint
rnd(uint n)
{
	return rand_below(&rng, n);
}

/* An index into a table of n, the first `common` of them pct% of the time. */
static int
pick(int n, int common, int pct)
{
	if ((int)rnd(100) < pct)
		return rnd(common);
	return rnd(n);
}

/* ---- what a call may return --------------------------------------------- */

typedef uint64 errset;          /* a set of errno values */
#define E(err) ((errset)1 << (err))
_Static_assert(ERRNO_MAX <= 64, "an errset holds every errno");

struct want {
	bool ok;                /* it may succeed, */
	long lo, hi;            /* returning a value in [lo, hi]; */
	errset errs;            /* or fail with one of these */
};

static struct want
succeeds(long lo, long hi)
{
	return (struct want){ true, lo, hi, 0 };
}

static struct want
fails(errset errs)
{
	return (struct want){ false, 0, 0, errs };
}

/* The symbolic name of an error number ("ENOENT"). */
static const char *
errname(int err)
{
	const char *name = errno_name(err);

	return name != NULL ? name : "an unknown error";
}

/* w in words: "16", "a result in [0, 512]", "EFAULT or EINVAL". */
static void
want_text(char *out, int size, struct want w)
{
	const char *sep = "";
	int n = 0, err;

	out[0] = '\0';
	if (w.ok && w.lo == w.hi)
		n = snprintf(out, size, "%ld", w.lo);
	else if (w.ok)
		n = snprintf(out, size, "a result in [%ld, %ld]", w.lo, w.hi);
	if (w.ok)
		sep = " or ";
	for (err = 1; err < ERRNO_MAX && n < size; err++) {
		if (w.errs & E(err)) {
			n += snprintf(out + n, size - n, "%s%s", sep,
				      errname(err));
			sep = " or ";
		}
	}
}

/*
 * Add text to report_path, which the driver prints when every worker is
 * done: printed now, the reports of workers failing at the same moment on
 * different harts could come out with their characters mixed.  Print it
 * now only if the file cannot be written.
 */
static void
save_report(const char *text, int n)
{
	int fd = open(report_path, O_CREATE | O_WRONLY | O_APPEND);

	if (fd < 0 || write(fd, text, n) != n)
		write(2, text, n);
	close(fd);
}

/*
 * Report a failure of the current call, with how to repeat it, and exit.
 * A child of the worker reports the same way, so that its parent finds
 * out even when it reaps the child without asking for its status.
 */
static __attribute__((noreturn, format(printf, 1, 2))) void
fail(const char *fmt, ...)
{
	char why[320], report[480];
	va_list ap;
	int n, upto = call_index < ncalls ? call_index + 1 : ncalls;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	n = snprintf(report, sizeof(report),
		     "fuzz: worker %d, seed %d, call %d: %s\n"
		     "fuzz: to repeat it: fuzz -s %d -n %d -p 1\n", worker_id,
		     worker_seed, call_index, why, worker_seed, upto);
	if (n >= (int)sizeof(report))
		n = sizeof(report) - 1;
	save_report(report, n);
	exit(FAIL_STATUS);
}

/* Say which call comes next, for failure messages; clears errno. */
static __attribute__((format(printf, 1, 2))) void
describe(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call_text, sizeof(call_text), fmt, ap);
	va_end(ap);
	errno = 0;
}

/* The call described in call_text returned r: fail unless w allows it. */
static void
check(long r, struct want w)
{
	char wanted[200];

	if (r == -1 && errno > 0 && errno < ERRNO_MAX && (w.errs & E(errno)))
		return;
	if (r != -1 && w.ok && r >= w.lo && r <= w.hi)
		return;
	want_text(wanted, sizeof(wanted), w);
	if (r == -1)
		fail("%s failed with %s, want %s", call_text, errname(errno),
		     wanted);
	fail("%s returned %ld, want %s", call_text, r, wanted);
}

/* ---- pointers ----------------------------------------------------------- */

/*
 * A pointer argument: its address, and how many bytes from there the
 * kernel can reach in the direction of the call (writing into user memory
 * or reading from it).  exact: no more than valid bytes are reachable;
 * otherwise at least valid bytes are, and maybe more (a buffer in the
 * middle of the data segment).
 */
struct ptr {
	const char *what;
	uint64 addr;
	long valid;
	bool exact;
};

enum ptrhow {
	AT_BUFFER,      /* buf + offset: good */
	AT_HEAP_TAIL,   /* the heap's last bytes, ending at its end: good */
	AT_RODATA,      /* read-only data: good to read, bad to write */
	AT_ADDRESS,     /* a fixed address, never mapped for the user */
	AT_GUARD,       /* the stack's guard page: mapped, not for the user */
	AT_HEAP_END,    /* the first unmapped byte after the heap */
	AT_CROSSING,    /* 4 bytes before the heap's end: runs into unmapped */
};

static const struct ptrkind {
	const char *what;
	enum ptrhow how;
	uint64 addr;            /* AT_BUFFER: offset; AT_ADDRESS: address */
} ptr_kinds[] = {
	{ "a buffer",                   AT_BUFFER,    0 },
	{ "an unaligned buffer",        AT_BUFFER,    1 },
	{ "the heap's last bytes",      AT_HEAP_TAIL, 0 },
	{ "read-only data",             AT_RODATA,    0 },
	{ "NULL",                       AT_ADDRESS,   0 },
	{ "the end of page 0",          AT_ADDRESS,   PGSIZE - 4 },
	{ "the kernel's text",          AT_ADDRESS,   KERNBASE },
	{ "unaligned kernel data",      AT_ADDRESS,   KERNBASE + 0x200003 },
	{ "the trapframe",              AT_ADDRESS,   TRAPFRAME },
	{ "the trampoline",             AT_ADDRESS,   TRAMPOLINE },
	{ "MAXVA",                      AT_ADDRESS,   MAXVA },
	{ "the last page of 2^64",      AT_ADDRESS,   0xfffffffffffff000ULL },
	{ "the stack's guard page",     AT_GUARD,     0 },
	{ "just past the heap's end",   AT_HEAP_END,  0 },
	{ "4 bytes before the heap's end", AT_CROSSING, 0 },
};
#define NGOODPTRS 3             /* the first entries above are good */

/* The first address after the heap: unmapped. */
static uint64
heap_limit(void)
{
	return PGROUNDUP(heap_end);
}

/* Is the pointer kind k never reachable by the kernel for the user? */
static bool
unmapped(const struct ptrkind *k)
{
	return k->how == AT_ADDRESS || k->how == AT_GUARD ||
	       k->how == AT_HEAP_END;
}

/* Make p for kind k and a transfer of n bytes; kernel_writes: the kernel
 * stores into it (read, fstat, ...) rather than loading from it (write). */
static void
make_ptr(struct ptr *p, const struct ptrkind *k, int n, bool kernel_writes)
{
	p->what = k->what;
	p->valid = 0;
	p->exact = true;
	switch (k->how) {
	case AT_BUFFER:
		p->addr = (uint64)buf + k->addr;
		p->valid = BUFSZ - k->addr;
		p->exact = false;
		break;
	case AT_HEAP_TAIL:
		p->valid = n < 0 ? 0 : n > PGSIZE ? PGSIZE : n;
		p->addr = heap_limit() - p->valid;
		break;
	case AT_RODATA:
		p->addr = (uint64)rodata;
		p->valid = kernel_writes ? 0 : (long)sizeof(rodata);
		p->exact = kernel_writes;
		break;
	case AT_ADDRESS:
		p->addr = k->addr;
		break;
	case AT_GUARD:
		p->addr = heap_start - (USTACKPAGES + 1) * PGSIZE;
		break;
	case AT_HEAP_END:
		p->addr = heap_limit();
		break;
	case AT_CROSSING:
		p->addr = heap_limit() - 4;
		p->valid = 4;
		break;
	}
}

/* A pointer for a transfer of n bytes: a good one half the time. */
static void
pick_ptr(struct ptr *p, int n, bool kernel_writes)
{
	make_ptr(p, &ptr_kinds[pick(NELEM(ptr_kinds), NGOODPTRS, 50)], n,
		 kernel_writes);
}

/* Can the kernel move all n bytes through p?  (A pointer that reaches
 * nothing is bad even for 0 bytes: the kernel may refuse it.) */
static bool
fits(const struct ptr *p, long n)
{
	return n <= p->valid && !(n == 0 && p->valid == 0);
}

/*
 * What a transfer of n bytes through p may return, when with a good
 * buffer it would return a count in [lo, hi].  If part of the range is
 * out of reach, the call may stop there (EFAULT, or the count so far);
 * it can never have moved more than the reachable bytes.
 */
static struct want
transfer(const struct ptr *p, long n, long lo, long hi)
{
	struct want w = succeeds(lo, hi);

	if (fits(p, n))
		return w;
	w.errs = E(EFAULT);
	w.lo = lo > 0 ? 1 : 0;
	if (p->exact && p->valid < w.hi)
		w.hi = p->valid;
	w.ok = w.lo <= w.hi;
	return w;
}

/* ---- paths -------------------------------------------------------------- */

enum pathrole { ROLE_NONE, ROLE_OWN_DIR, ROLE_DOT, ROLE_PROGRAM };

struct path {
	const char *addr;       /* what the call is given */
	char label[48];         /* how a failure message shows it */
	char abs[32];           /* room for an absolute name */
	errset fetch;           /* copying it in must fail with one of these */
	errset resolve;         /* else the lookup must fail so */
	enum pathrole role;
};

/* Names in the worker's directory; any of them may become a file, a
 * directory or a device.  The last one is exactly DIRSIZ bytes long. */
static const char *const pool[] = {
	"a", "b", "d", "d/a", "d/e", "abcdefghijklmn",
};
_Static_assert(sizeof("abcdefghijklmn") - 1 == DIRSIZ, "a name of DIRSIZ");

enum pathhow { PATH_TEXT, PATH_BAD_ADDRESS, PATH_UNTERMINATED };

static const struct pathkind {
	const char *what;       /* NULL: show the text itself */
	enum pathhow how;
	const char *text;       /* PATH_TEXT */
	int bytes;              /* PATH_UNTERMINATED: that many to the end */
	errset fetch, resolve;
	enum pathrole role;
	bool reads_only;        /* never given to a call that changes files */
} path_kinds[] = {
	{ .text = own_dir, .role = ROLE_OWN_DIR },
	{ .text = "/" },
	{ .text = ".", .role = ROLE_DOT },
	{ .text = ".." },
	{ .text = "", .resolve = E(ENOENT) },
	{ .what = "a name of DIRSIZ+1 bytes", .text = long_name,
	  .resolve = E(ENAMETOOLONG) },
	{ .what = "a path of MAXPATH bytes", .text = long_path,
	  .fetch = E(ENAMETOOLONG) },
	{ .what = "a bad address", .how = PATH_BAD_ADDRESS,
	  .fetch = E(EFAULT) },
	{ .what = "1 byte before the heap's end, unterminated",
	  .how = PATH_UNTERMINATED, .bytes = 1, .fetch = E(EFAULT) },
	{ .what = "10 bytes before the heap's end, unterminated",
	  .how = PATH_UNTERMINATED, .bytes = 10, .fetch = E(EFAULT) },
	{ .what = "a page of 'a's up to the heap's end",
	  .how = PATH_UNTERMINATED, .bytes = PGSIZE, .fetch = E(ENAMETOOLONG) },
	{ .what = "the junk file", .text = junk_path, .reads_only = true },
	{ .text = "/bin/true", .role = ROLE_PROGRAM, .reads_only = true },
};

/* One of the pool's names: relative when that names the same file. */
static void
pool_path(struct path *p)
{
	const char *name = pool[rnd(NELEM(pool))];

	memset(p, 0, sizeof(*p));
	if (at_own_dir && rnd(2) == 0) {
		p->addr = name;
	} else {
		snprintf(p->abs, sizeof(p->abs), "%s/%s", own_dir, name);
		p->addr = p->abs;
	}
	snprintf(p->label, sizeof(p->label), "\"%s\"", p->addr);
}

/* A path argument, a pool name most of the time; changes: for a call that
 * may change the file system, so never a file outside own_dir. */
static void
pick_path(struct path *p, bool changes)
{
	const struct pathkind *k;
	const struct ptrkind *bad;
	struct ptr ptr;
	char *end;

	if (rnd(10) < 6) {
		pool_path(p);
		return;
	}
	memset(p, 0, sizeof(*p));
	do
		k = &path_kinds[rnd(NELEM(path_kinds))];
	while (changes && k->reads_only);
	p->fetch = k->fetch;
	p->resolve = k->resolve;
	p->role = k->role;
	if (k->what != NULL)
		snprintf(p->label, sizeof(p->label), "%s", k->what);
	else
		snprintf(p->label, sizeof(p->label), "\"%s\"", k->text);
	switch (k->how) {
	case PATH_TEXT:
		p->addr = k->text;
		break;
	case PATH_BAD_ADDRESS:
		do
			bad = &ptr_kinds[rnd(NELEM(ptr_kinds))];
		while (!unmapped(bad));
		make_ptr(&ptr, bad, 0, false);
		p->addr = (const char *)ptr.addr;
		snprintf(p->label, sizeof(p->label), "%s", bad->what);
		break;
	case PATH_UNTERMINATED:
		end = (char *)heap_limit();
		memset(end - k->bytes, 'a', k->bytes);
		p->addr = end - k->bytes;
		break;
	}
}

/*
 * What a call taking path p may return: the path's own errors come first
 * (extra_fetch: the call's other arguments, checked before any lookup),
 * else anything in otherwise.
 */
static struct want
path_want(const struct path *p, errset extra_fetch, struct want otherwise)
{
	if (p->fetch | extra_fetch)
		return fails(p->fetch | extra_fetch);
	if (p->resolve)
		return fails(p->resolve);
	return otherwise;
}

/* ---- the model of the worker's descriptors and pipes --------------------- */

enum fdkind { FD_CLOSED, FD_RESERVED, FD_PATH, FD_PIPE_READ, FD_PIPE_WRITE };

struct fdmodel {
	enum fdkind kind;
	bool readable, writable;        /* FD_PATH: as opened */
	short type;                     /* FD_PATH: T_FILE, T_DIR or T_DEVICE */
	int pipe;                       /* FD_PIPE_*: index in pipes[] */
};

struct pipemodel {
	int readers, writers;           /* descriptors for each end */
	int count;                      /* bytes in the pipe */
	char data[PIPESIZE];            /* those bytes, oldest first */
};

static struct fdmodel fds[NOFILE];
static struct pipemodel pipes[NOFILE];  /* free when it has no ends */

/* The model of descriptor fd, or NULL when fd is not open. */
static struct fdmodel *
fd_model(int fd)
{
	if (fd < 0 || fd >= NOFILE || fds[fd].kind == FD_CLOSED)
		return NULL;
	return &fds[fd];
}

/* The lowest closed descriptor from `from` on, or -1. */
static int
lowest_closed(int from)
{
	int fd;

	for (fd = from; fd < NOFILE; fd++)
		if (fds[fd].kind == FD_CLOSED)
			return fd;
	return -1;
}

/* What fd is, for messages: " (pipe read end)". */
static const char *
fd_note(int fd)
{
	static const char *const types[] = {
		[T_DIR] = "directory", [T_FILE] = "file", [T_DEVICE] = "device",
	};
	static const char *const modes[2][2] = {      /* [readable][writable] */
		{ "opened for nothing", "write-only" },
		{ "read-only", "read-write" },
	};
	static char note[40];
	struct fdmodel *f;

	if (fd < 0 || fd >= NOFILE)
		return "";
	f = &fds[fd];
	switch (f->kind) {
	case FD_CLOSED:     return " (closed)";
	case FD_RESERVED:   return " (the console)";
	case FD_PIPE_READ:  return " (pipe read end)";
	case FD_PIPE_WRITE: return " (pipe write end)";
	case FD_PATH:       break;
	}
	snprintf(note, sizeof(note), " (%s, %s)", types[f->type],
		 modes[f->readable][f->writable]);
	return note;
}

/* What a descriptor is picked for: any use, or reading, or writing. */
enum fduse { FOR_ANY, FOR_READING, FOR_WRITING };

static bool
suits(const struct fdmodel *f, enum fduse use)
{
	switch (use) {
	case FOR_READING:
		return f->kind == FD_PIPE_READ ||
		       (f->kind == FD_PATH && f->readable);
	case FOR_WRITING:
		return f->kind == FD_PIPE_WRITE ||
		       (f->kind == FD_PATH && f->writable);
	case FOR_ANY:
		break;
	}
	return f->kind != FD_CLOSED && f->kind != FD_RESERVED;
}

/* A descriptor argument: an open one that suits `use` most of the time,
 * else any open one, a closed one, or no descriptor at all. */
static int
pick_fd(enum fduse use)
{
	static const int odd[] = { -1, NOFILE - 1, NOFILE, 1000, INT32_MIN };
	int good[NOFILE], open[NOFILE], closed[NOFILE];
	int ngood = 0, nopen = 0, nclosed = 0, fd;

	for (fd = 0; fd < NOFILE; fd++) {
		if (fds[fd].kind == FD_CLOSED)
			closed[nclosed++] = fd;
		if (suits(&fds[fd], use))
			good[ngood++] = fd;
		if (suits(&fds[fd], FOR_ANY))
			open[nopen++] = fd;
	}
	if (ngood > 0 && rnd(10) < 6)
		return good[rnd(ngood)];
	if (nopen > 0 && rnd(10) < 5)
		return open[rnd(nopen)];
	if (nclosed > 0 && rnd(2) == 0)
		return closed[rnd(nclosed)];
	return odd[rnd(NELEM(odd))];
}

static void
fd_forget(int fd)
{
	if (fds[fd].kind == FD_PIPE_READ)
		pipes[fds[fd].pipe].readers--;
	if (fds[fd].kind == FD_PIPE_WRITE)
		pipes[fds[fd].pipe].writers--;
	fds[fd].kind = FD_CLOSED;
}

static void
fd_copy(int from, int to)
{
	fds[to] = fds[from];
	if (fds[to].kind == FD_PIPE_READ)
		pipes[fds[to].pipe].readers++;
	if (fds[to].kind == FD_PIPE_WRITE)
		pipes[fds[to].pipe].writers++;
}

/* Record a new pipe with read end rfd and write end wfd. */
static void
pipe_new(int rfd, int wfd)
{
	int i;

	for (i = 0; pipes[i].readers + pipes[i].writers > 0; i++)
		;
	pipes[i].readers = pipes[i].writers = 1;
	pipes[i].count = 0;
	fds[rfd] = (struct fdmodel){ .kind = FD_PIPE_READ, .pipe = i };
	fds[wfd] = (struct fdmodel){ .kind = FD_PIPE_WRITE, .pipe = i };
}

/* n bytes from p went into pipe pi. */
static void
pipe_put(struct pipemodel *pi, const char *p, int n)
{
	memmove(pi->data + pi->count, p, n);
	pi->count += n;
}

/* n bytes came out of pipe pi into p: they must be the oldest ones. */
static void
pipe_take(struct pipemodel *pi, const char *p, int n)
{
	if (memcmp(pi->data, p, n) != 0)
		fail("%s returned %d bytes, but not the bytes written",
		     call_text, n);
	pi->count -= n;
	memmove(pi->data, pi->data + n, pi->count);
}

/* ---- the model of the worker's children ---------------------------------- */

struct child {
	int pid;
	int call;               /* the call that forked it */
	char what[120];         /* what it was told to do */
	int status[2];          /* the exit statuses it may report */
	bool killed;            /* kill succeeded, so -1 will do too */
};

static struct child children[MAXCHILDREN];
static int nchildren;
static int reaped[NREAPED];     /* pids of children already waited for */
static int nreaped;

static struct child *
find_child(int pid)
{
	int i;

	for (i = 0; i < nchildren; i++)
		if (children[i].pid == pid)
			return &children[i];
	return NULL;
}

/* May child c exit with status? */
static bool
status_ok(const struct child *c, int status)
{
	return status == c->status[0] || status == c->status[1] ||
	       (c->killed && status == -1);
}

/* Wait returned pid with *status (NULL: not asked for): check, forget it. */
static void
reaped_child(int pid, const int *status)
{
	struct child *c = find_child(pid);
	char want[48];
	int n;

	if (c == NULL)
		fail("%s returned %d, which is no child still to be waited for",
		     call_text, pid);
	if (status != NULL && !status_ok(c, *status)) {
		if (*status == FAIL_STATUS)
			fail("the child of call %d (%s) failed; its report is "
			     "above", c->call, c->what);
		n = snprintf(want, sizeof(want), "%d", c->status[0]);
		if (c->status[1] != c->status[0])
			n += snprintf(want + n, sizeof(want) - n, " or %d",
				      c->status[1]);
		if (c->killed)
			snprintf(want + n, sizeof(want) - n, " or -1 (killed)");
		fail("%s: child %d, which was to %s (call %d), exited with "
		     "status %d, want %s", call_text, pid, c->what, c->call,
		     *status, want);
	}
	reaped[nreaped++ % NREAPED] = pid;
	*c = children[--nchildren];
}

/* ---- what children do --------------------------------------------------- */

static char *argv_two[] = { "true", "x", NULL };
static char *argv_none[] = { NULL };
static char *argv_bad_string[] = { "true", (char *)TRAPFRAME, NULL };
static char *argv_long[] = { "true", long_arg, NULL };
static char *argv_max[MAXARG + 1];      /* MAXARG arguments */
static char *argv_too_many[MAXARG + 2]; /* MAXARG + 1 arguments */

static const struct argvkind {
	const char *what;
	char **argv;
	errset fetch;           /* exec must fail with one of these */
	bool at_heap_end;       /* two pointers, then the end of the heap */
} argv_kinds[] = {
	{ "argv {\"true\", \"x\"}", argv_two, 0, false },
	{ "an empty argv", argv_none, 0, false },
	{ "MAXARG arguments", argv_max, 0, false },
	{ "MAXARG+1 arguments", argv_too_many, E(E2BIG), false },
	{ "an argument of MAXARGLEN bytes", argv_long, E(E2BIG), false },
	{ "an argument at the trapframe", argv_bad_string, E(EFAULT), false },
	{ "argv at NULL", NULL, E(EFAULT), false },
	{ "argv in the kernel", (char **)KERNBASE, E(EFAULT), false },
	{ "argv running off the heap's end", NULL, E(EFAULT), true },
};
#define NGOODARGVS 3

enum childhow { CHILD_EXIT, CHILD_EXIT_PID, CHILD_SLEEP, CHILD_EXEC };

static const struct childkind {
	const char *what;
	enum childhow how;
	int status;
} child_kinds[] = {
	{ "exec",                   CHILD_EXEC,     0 },
	{ "sleep(1), then exit(3)", CHILD_SLEEP,    3 },
	{ "exit(0)",                CHILD_EXIT,     0 },
	{ "exit(7)",                CHILD_EXIT,     7 },
	{ "exit(255)",              CHILD_EXIT,     255 },
	{ "exit(-300)",             CHILD_EXIT,     -300 },
	{ "exit(123456)",           CHILD_EXIT,     123456 },
	{ "exit(getpid())",         CHILD_EXIT_PID, 0 },
};

/* What a child is to do, worked out before the fork. */
struct plan {
	const struct childkind *kind;
	char what[120];
	struct path path;       /* CHILD_EXEC: exec's arguments */
	char **argv;
	struct want want;       /* CHILD_EXEC: how exec may fail */
	bool may_run;           /* CHILD_EXEC: /bin/true may run */
};

/* Plan an exec: /bin/true often, else any path; good argv mostly. */
static void
plan_exec(struct plan *pl)
{
	const struct argvkind *a;
	struct path *p = &pl->path;
	errset fetch;

	a = &argv_kinds[pick(NELEM(argv_kinds), NGOODARGVS, 60)];
	if (rnd(5) < 2) {
		memset(p, 0, sizeof(*p));
		p->addr = "/bin/true";
		p->role = ROLE_PROGRAM;
		snprintf(p->label, sizeof(p->label), "\"/bin/true\"");
	} else {
		pick_path(p, false);
	}
	pl->argv = a->argv;
	if (a->at_heap_end) {
		pl->argv = (char **)(heap_limit() - 2 * sizeof(char *));
		pl->argv[0] = "true";
		pl->argv[1] = "x";
	}
	fetch = p->fetch | a->fetch;
	pl->may_run = false;
	if (fetch || p->resolve) {
		pl->want = fetch ? fails(fetch) : fails(p->resolve);
	} else if (p->role == ROLE_PROGRAM) {
		pl->want = fails(0);
		pl->may_run = true;
	} else {        /* nothing else the worker names is a program */
		pl->want = fails(E(ENOENT) | E(ENOTDIR) | E(EACCES) |
				 E(ENOEXEC));
	}
	/* exec copies the arguments in before anything else, and other
	 * workers may have taken all memory for a moment (sbrk). */
	pl->want.errs |= E(ENOMEM);
	snprintf(pl->what, sizeof(pl->what), "exec(%s, %s)", p->label,
		 a->what);
}

static void
plan_child(struct plan *pl)
{
	uint x = rnd(10);

	/* exec 40% of the time, sleep (to be killed, maybe) 20%, exit 40% */
	if (x < 4)
		pl->kind = &child_kinds[0];
	else if (x < 6)
		pl->kind = &child_kinds[1];
	else
		pl->kind = &child_kinds[2 + rnd(NELEM(child_kinds) - 2)];
	if (pl->kind->how == CHILD_EXEC)
		plan_exec(pl);
	else
		snprintf(pl->what, sizeof(pl->what), "%s", pl->kind->what);
}

/* In the child: carry out the plan. */
static __attribute__((noreturn)) void
run_child(const struct plan *pl)
{
	switch (pl->kind->how) {
	case CHILD_EXIT:
		exit(pl->kind->status);
	case CHILD_EXIT_PID:
		exit(getpid());
	case CHILD_SLEEP:
		sleep(1);
		exit(pl->kind->status);
	case CHILD_EXEC:
		break;
	}
	describe("%s in a child", pl->what);
	check(exec(pl->path.addr, pl->argv), pl->want);
	exit(EXEC_REFUSED);
}

/* The parent's record of a child with pid, made by plan pl. */
static void
add_child(int pid, const struct plan *pl)
{
	struct child *c = &children[nchildren];
	int status = pl->kind->status;

	if (pid == mypid || find_child(pid) != NULL)
		fail("%s returned %d, a pid already in use", call_text, pid);
	if (pl->kind->how == CHILD_EXIT_PID)
		status = pid;
	if (pl->kind->how == CHILD_EXEC)
		status = pl->may_run ? 0 : EXEC_REFUSED;
	*c = (struct child){ .pid = pid, .call = call_index,
		.status = { status, EXEC_REFUSED } };
	if (pl->kind->how != CHILD_EXEC)
		c->status[1] = status;
	snprintf(c->what, sizeof(c->what), "%s", pl->what);
	nchildren++;
}

/* ---- the calls: descriptors --------------------------------------------- */

static const int sizes[] = {
	1, 13, 512, BSIZE,              /* the common ones */
	0, BUFSZ, -1, INT32_MIN, INT32_MAX,
};
#define NCOMMONSIZES 4

static int
pick_size(void)
{
	return sizes[pick(NELEM(sizes), NCOMMONSIZES, 70)];
}

/* The want of a device file, which has no driver. */
static struct want
device_want(const struct ptr *p, int n)
{
	struct want w = fails(E(ENODEV));

	if (n == 0)
		w = (struct want){ true, 0, 0, E(ENODEV) };
	if (!fits(p, n))
		w.errs |= E(EFAULT);
	return w;
}

static struct want
read_want(int fd, const struct ptr *p, int *n)
{
	struct fdmodel *f = fd_model(fd);
	struct pipemodel *pi;
	int avail;

	if (f == NULL || f->kind == FD_PIPE_WRITE ||
	    (f->kind == FD_PATH && !f->readable))
		return fails(E(EBADF) | (*n < 0 ? E(EINVAL) : 0));
	if (*n < 0)
		return fails(E(EINVAL));
	if (f->kind == FD_PATH && f->type == T_DEVICE)
		return device_want(p, *n);
	if (f->kind == FD_PATH)
		return transfer(p, *n, 0, *n);
	pi = &pipes[f->pipe];
	if (pi->count == 0 && pi->writers > 0)
		*n = 0;         /* else it would wait for the worker forever */
	avail = *n < pi->count ? *n : pi->count;
	return transfer(p, *n, avail, avail);
}

static void
op_read(void)
{
	int fd = pick_fd(FOR_READING), n = pick_size();
	struct ptr p;
	struct want w;
	long r;

	pick_ptr(&p, n, true);
	if (!p.exact && n > p.valid)
		n = p.valid;    /* never let the kernel write past the buffer */
	w = read_want(fd, &p, &n);
	describe("read(%d%s, %s, %d)", fd, fd_note(fd), p.what, n);
	r = read(fd, (void *)p.addr, n);
	check(r, w);
	if (r > 0 && fds[fd].kind == FD_PIPE_READ)
		pipe_take(&pipes[fds[fd].pipe], (const char *)p.addr, r);
}

static struct want
write_want(int fd, const struct ptr *p, int *n)
{
	struct fdmodel *f = fd_model(fd);
	struct pipemodel *pi;
	struct want w;

	if (f == NULL || f->kind == FD_PIPE_READ ||
	    (f->kind == FD_PATH && !f->writable))
		return fails(E(EBADF) | (*n < 0 ? E(EINVAL) : 0));
	if (*n < 0)
		return fails(E(EINVAL));
	if (f->kind == FD_PATH && f->type == T_DEVICE)
		return device_want(p, *n);
	if (f->kind == FD_PATH) {
		w = transfer(p, *n, *n > 0 ? 1 : 0, *n);
		w.errs |= E(EFBIG) | E(ENOSPC);
		return w;
	}
	pi = &pipes[f->pipe];
	if (pi->readers == 0) {   /* a child may hold a read end a moment */
		w = transfer(p, *n, *n > 0 ? 1 : 0, *n);
		w.errs |= E(EPIPE);
		return w;
	}
	if (*n > PIPESIZE - pi->count)
		*n = PIPESIZE - pi->count;   /* else it would wait forever */
	return transfer(p, *n, *n, *n);
}

static void
op_write(void)
{
	int fd = pick_fd(FOR_WRITING), n = pick_size();
	struct ptr p;
	struct want w;
	long r;

	pick_ptr(&p, n, false);
	w = write_want(fd, &p, &n);
	describe("write(%d%s, %s, %d)", fd, fd_note(fd), p.what, n);
	r = write(fd, (const void *)p.addr, n);
	check(r, w);
	if (r > 0 && fds[fd].kind == FD_PIPE_WRITE &&
	    pipes[fds[fd].pipe].readers > 0)
		pipe_put(&pipes[fds[fd].pipe], (const char *)p.addr, r);
}

static void
op_close(void)
{
	int fd = pick_fd(FOR_ANY);
	bool open = fd_model(fd) != NULL;

	describe("close(%d%s)", fd, fd_note(fd));
	check(close(fd), open ? succeeds(0, 0) : fails(E(EBADF)));
	if (open)
		fd_forget(fd);
}

static void
op_dup(void)
{
	int fd = pick_fd(FOR_ANY), low = lowest_closed(0);
	struct want w;
	long r;

	if (fd_model(fd) == NULL)
		w = fails(E(EBADF));
	else
		w = low < 0 ? fails(E(EMFILE)) : succeeds(low, low);
	describe("dup(%d%s)", fd, fd_note(fd));
	r = dup(fd);
	check(r, w);
	if (r >= 0)
		fd_copy(fd, r);
}

static void
op_fsync(void)
{
	int fd = pick_fd(FOR_ANY);

	describe("fsync(%d%s)", fd, fd_note(fd));
	check(fsync(fd), fd_model(fd) ? succeeds(0, 0) : fails(E(EBADF)));
}

static void
op_fstat(void)
{
	int fd = pick_fd(FOR_ANY);
	struct fdmodel *f = fd_model(fd);
	struct stat st;
	struct ptr p;
	struct want w;
	long r;

	pick_ptr(&p, sizeof(st), true);
	if (f == NULL)
		w = fails(E(EBADF));
	else if (f->kind != FD_PATH)
		w = fails(E(EINVAL) | (fits(&p, sizeof(st)) ? 0 : E(EFAULT)));
	else
		w = fits(&p, sizeof(st)) ? succeeds(0, 0) : fails(E(EFAULT));
	describe("fstat(%d%s, %s)", fd, fd_note(fd), p.what);
	r = fstat(fd, (struct stat *)p.addr);
	check(r, w);
	if (r != 0)
		return;
	memmove(&st, (void *)p.addr, sizeof(st));
	if (st.type != f->type)
		fail("%s says type %d, but the file was opened as type %d",
		     call_text, st.type, f->type);
}

/*
 * After a failed call that might have taken descriptor fd: it must still
 * be closed.  (A pipe end left open by mistake would make a later read
 * wait forever instead of failing.)
 */
static void
still_closed(int fd)
{
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) == 0 || errno != EBADF))
		fail("%s failed, but left descriptor %d open", call_text, fd);
}

static void
op_pipe(void)
{
	int rfd = lowest_closed(0);
	int wfd = rfd < 0 ? -1 : lowest_closed(rfd + 1);
	int got[2];
	struct ptr p;
	struct want w;
	long r;

	pick_ptr(&p, sizeof(got), true);
	w = succeeds(0, 0);
	if (wfd < 0)
		w = fails(E(EMFILE));
	if (!fits(&p, sizeof(got)))
		w = fails(w.errs | E(EFAULT));
	w.errs |= E(ENFILE) | E(ENOMEM);    /* other workers use these too */
	describe("pipe(%s)", p.what);
	r = pipe((int *)p.addr);
	check(r, w);
	if (r != 0) {
		still_closed(rfd);
		still_closed(wfd);
		return;
	}
	memmove(got, (void *)p.addr, sizeof(got));
	if (got[0] != rfd || got[1] != wfd)
		fail("%s gave descriptors %d and %d, want %d and %d", call_text,
		     got[0], got[1], rfd, wfd);
	pipe_new(rfd, wfd);
}

/* ---- the calls: paths --------------------------------------------------- */

/*
 * The errors a path call may give for a name in own_dir, whose state the
 * worker does not track.  EISDIR for open with O_CREATE of a directory,
 * EBUSY for unlink("/") and EMLINK are what the kernel does, beyond the
 * appendix's lists.
 */
#define OPEN_ERRS   (E(ENOENT) | E(ENOTDIR) | E(EISDIR) | E(EEXIST) | \
		     E(ENODEV) | E(ENOSPC) | E(ENFILE) | E(EMFILE))
#define MKDIR_ERRS  (E(EEXIST) | E(ENOENT) | E(ENOTDIR) | E(ENOSPC) | \
		     E(EMLINK))
#define UNLINK_ERRS (E(ENOENT) | E(ENOTDIR) | E(ENOTEMPTY) | E(EINVAL) | \
		     E(EBUSY))
#define LINK_ERRS   (E(ENOENT) | E(ENOTDIR) | E(EEXIST) | E(EPERM) | \
		     E(EMLINK) | E(ENOSPC) | E(EXDEV))
#define CHDIR_ERRS  (E(ENOENT) | E(ENOTDIR))

/* A want for a path call that may succeed (returning 0) or fail so. */
static struct want
zero_or(errset errs)
{
	return (struct want){ true, 0, 0, errs };
}

static const struct {
	const char *what;
	int flags;
	bool bad;
} open_flags[] = {
	{ "O_RDONLY", O_RDONLY, false },
	{ "O_WRONLY", O_WRONLY, false },
	{ "O_RDWR", O_RDWR, false },
	{ "O_CREATE|O_RDWR", O_CREATE | O_RDWR, false },
	{ "O_CREATE|O_WRONLY|O_TRUNC", O_CREATE | O_WRONLY | O_TRUNC, false },
	{ "O_WRONLY|O_APPEND", O_WRONLY | O_APPEND, false },
	{ "O_CREATE|O_RDONLY", O_CREATE | O_RDONLY, false },
	{ "O_RDWR|O_TRUNC", O_RDWR | O_TRUNC, false },
	{ "O_ACCMODE", O_ACCMODE, true },
	{ "0x1000", 0x1000, true },
	{ "-1", -1, true },
};
#define NGOODFLAGS 8

/* open(...) returned fd: check what it opened with fstat, and record it. */
static void
opened(int fd, int flags)
{
	struct stat st;
	int mode = flags & O_ACCMODE;
	bool writable = mode != O_RDONLY;

	if (fstat(fd, &st) != 0)
		fail("%s returned %d, but fstat on it failed with %s",
		     call_text, fd, errname(errno));
	if (st.type != T_FILE && st.type != T_DIR && st.type != T_DEVICE)
		fail("%s opened a file of type %d", call_text, st.type);
	if (st.type == T_DIR && (writable || (flags & O_CREATE)))
		fail("%s opened a directory", call_text);
	if ((flags & O_TRUNC) && st.type == T_FILE && st.size != 0)
		fail("%s left %lu bytes in the file", call_text,
		     (unsigned long)st.size);
	fds[fd] = (struct fdmodel){ .kind = FD_PATH, .type = st.type,
		.readable = mode != O_WRONLY, .writable = writable };
}

static void
op_open(void)
{
	int i = pick(NELEM(open_flags), NGOODFLAGS, 85), low = lowest_closed(0);
	struct path p;
	struct want w;
	long r;

	/* Only a plain O_RDONLY open may name a file outside own_dir. */
	pick_path(&p, open_flags[i].flags != O_RDONLY);
	w = low < 0 ? fails(OPEN_ERRS) : succeeds(low, low);
	w.errs |= OPEN_ERRS;
	w = path_want(&p, open_flags[i].bad ? E(EINVAL) : 0, w);
	describe("open(%s, %s)", p.label, open_flags[i].what);
	r = open(p.addr, open_flags[i].flags);
	check(r, w);
	if (r >= 0)
		opened(r, open_flags[i].flags);
}

static void
op_mkdir(void)
{
	struct path p;

	pick_path(&p, true);
	describe("mkdir(%s)", p.label);
	check(mkdir(p.addr), path_want(&p, 0, zero_or(MKDIR_ERRS)));
}

static void
op_mknod(void)
{
	/* Never CONSOLE: a read from it would wait for a line. */
	static const short majors[] = {
		0, 2, NDEV - 1, -1, NDEV, 1000, -32768,
	};
	short major = majors[rnd(NELEM(majors))], minor = rnd(3);
	bool bad = major < 0 || major >= NDEV;
	struct path p;

	pick_path(&p, true);
	describe("mknod(%s, %d, %d)", p.label, major, minor);
	check(mknod(p.addr, major, minor),
	      path_want(&p, bad ? E(EINVAL) : 0, zero_or(MKDIR_ERRS)));
}

static void
op_unlink(void)
{
	struct path p;

	pick_path(&p, true);
	describe("unlink(%s)", p.label);
	check(unlink(p.addr), path_want(&p, 0, zero_or(UNLINK_ERRS)));
}

static void
op_link(void)
{
	struct path old, new;
	struct want w = zero_or(LINK_ERRS);

	if (rnd(2) == 0) {      /* two names in own_dir: it may well work */
		pool_path(&old);
		pool_path(&new);
	} else {
		pick_path(&old, true);
		pick_path(&new, true);
	}
	if (old.fetch | new.fetch)
		w = fails(old.fetch | new.fetch);
	else if (old.resolve | new.resolve)
		w = fails(LINK_ERRS | old.resolve | new.resolve);
	describe("link(%s, %s)", old.label, new.label);
	check(link(old.addr, new.addr), w);
}

static void
op_chdir(void)
{
	struct path p;
	long r;

	pick_path(&p, false);
	describe("chdir(%s)", p.label);
	r = chdir(p.addr);
	check(r, path_want(&p, 0, zero_or(CHDIR_ERRS)));
	/* Relative pool names are used only while they name own_dir's files. */
	if (r == 0 && p.role != ROLE_DOT)
		at_own_dir = p.role == ROLE_OWN_DIR;
}

/* ---- the calls: processes ----------------------------------------------- */

static void
op_wait(void)
{
	struct ptr p;
	struct want w = succeeds(1, INT32_MAX);
	bool stores;
	long r;
	int status;

	pick_ptr(&p, sizeof(int), true);
	stores = p.addr != 0;           /* NULL: the status is not wanted */
	if (stores && !fits(&p, sizeof(int)))
		w = fails(E(EFAULT) | (nchildren == 0 ? E(ECHILD) : 0));
	else if (nchildren == 0)
		w = fails(E(ECHILD));
	describe("wait(%s) with %d children", p.what, nchildren);
	r = wait((int *)p.addr);
	check(r, w);
	if (r <= 0)
		return;
	if (stores)
		memmove(&status, (void *)p.addr, sizeof(status));
	reaped_child(r, stores ? &status : NULL);
}

static void
op_fork(void)
{
	struct plan plan;
	long pid;

	if (nchildren == MAXCHILDREN) {
		op_wait();
		return;
	}
	plan_child(&plan);
	describe("fork() for a child to %s", plan.what);
	pid = fork();
	if (pid == 0)
		run_child(&plan);
	check(pid, (struct want){ true, 1, INT32_MAX, E(EAGAIN) | E(ENOMEM) });
	if (pid > 0)
		add_child(pid, &plan);
}

static void
op_kill(void)
{
	static const int strangers[] = { -1, 0, INT32_MAX, INT32_MIN };
	struct child *c = NULL;
	const char *who = "no process";
	struct want w = fails(E(ESRCH));
	int pid = strangers[rnd(NELEM(strangers))];
	uint choice = rnd(3);
	long r;

	if (choice == 0 && nchildren > 0) {
		c = &children[rnd(nchildren)];
		pid = c->pid;
		who = "a child";        /* it may have exited already */
		w.ok = true;
	} else if (choice == 1 && nreaped > 0) {
		pid = reaped[rnd(nreaped < NREAPED ? nreaped : NREAPED)];
		who = "a child already waited for";
	}
	describe("kill(%d), %s", pid, who);
	r = kill(pid);
	check(r, w);
	if (r == 0)
		c->killed = true;
}

static void
op_getpid(void)
{
	describe("getpid()");
	check(getpid(), succeeds(mypid, mypid));
}

static void
op_sleep(void)
{
	static const int ticks[] = { 0, 1, -1, INT32_MIN };
	int n = ticks[rnd(NELEM(ticks))];

	describe("sleep(%d)", n);
	check(sleep(n), n >= 0 ? succeeds(0, 0) : fails(E(EINVAL)));
}

static void
op_uptime(void)
{
	long r;

	describe("uptime(), which was %d before", last_uptime);
	r = uptime();
	check(r, succeeds(last_uptime, INT32_MAX));
	last_uptime = r;
}

static void
op_sysinfo(void)
{
	struct sysinfo si;
	struct ptr p;
	long r;

	pick_ptr(&p, sizeof(si), true);
	describe("sysinfo(%s)", p.what);
	r = sysinfo((struct sysinfo *)p.addr);
	check(r, fits(&p, sizeof(si)) ? succeeds(0, 0) : fails(E(EFAULT)));
	if (r != 0)
		return;
	memmove(&si, (void *)p.addr, sizeof(si));
	if (si.freepages > si.totalpages || si.freeblocks > si.totalblocks ||
	    si.freeinodes > si.totalinodes || si.nproc < 1 ||
	    si.nproc > NPROC || si.ncpu < 1 || si.ncpu > NCPU)
		fail("%s gave impossible counts: pages %lu/%lu, blocks %u/%u, "
		     "inodes %u/%u, %u processes, %u harts", call_text,
		     (unsigned long)si.freepages, (unsigned long)si.totalpages,
		     si.freeblocks, si.totalblocks, si.freeinodes,
		     si.totalinodes, si.nproc, si.ncpu);
}

/* ---- the calls: memory -------------------------------------------------- */

/* The pages sbrk added between old and heap_end must be zero and usable. */
static void
check_new_pages(uint64 old)
{
	volatile char *p;
	int i = 0;

	for (p = (char *)PGROUNDUP(old); (uint64)p < heap_end && i < 64;
	     p += PGSIZE, i++) {
		if (*p != 0)
			fail("%s: new memory at %p is not zero", call_text,
			     (void *)(uint64)p);
		*p = 1;
	}
}

/*
 * sbrk(INT_MAX) succeeds: the heap is reserved lazily, and 2 GiB of address
 * space costs nothing until touched.  Keep it no longer than the call:
 * a heap that large would reach the addresses the other calls use as bad
 * pointers (the kernel's text at 0x80000000 is then heap).
 */
static void
give_back_reservation(int n)
{
	describe("sbrk(-%d), giving back a reservation", n);
	check((long)sbrk(-n), succeeds(heap_end, heap_end));
	heap_end -= n;
}

static void
op_sbrk(void)
{
	static const struct {
		const char *what;
		int n;
	} amounts[] = {
		{ "nothing", 0 }, { "a byte", 1 }, { "100 bytes", 100 },
		{ "a page", PGSIZE }, { "3 pages and 5 bytes", 3 * PGSIZE + 5 },
		{ "32 pages", 32 * PGSIZE }, { "less a byte", -1 },
		{ "less 100 bytes", -100 }, { "less a page", -PGSIZE },
		{ "INT_MAX", INT32_MAX }, { "INT_MIN", INT32_MIN },
	};
	int i = rnd(NELEM(amounts) + 1), n;
	long above = heap_end - heap_floor, all = heap_end - heap_start;
	const char *what;
	struct want w = succeeds(heap_end, heap_end);
	uint64 old = heap_end;
	long r;

	if (i < NELEM(amounts)) {
		n = amounts[i].n;
		what = amounts[i].what;
	} else {                /* one more choice, worked out now */
		n = -all - 1;
		what = "below the heap's start";
	}
	/* Keep the heap within HEAP_CAP, and its floor page in place. */
	if ((n > 0 && n != INT32_MAX && above + n > HEAP_CAP) ||
	    (n < 0 && -(long)n > above && -(long)n <= all)) {
		n = -above;
		what = "back to the floor";
	}
	if (n < 0 && -(long)n > all)
		w = fails(E(EINVAL));
	if (n > 0)
		w.errs = E(ENOMEM);
	describe("sbrk(%d), %s", n, what);
	r = (long)sbrk(n);
	check(r, w);
	if (r == -1)
		return;
	heap_end += n;
	if (n > 0)
		check_new_pages(old);
	if (n == INT32_MAX)
		give_back_reservation(n);
}

/* ---- the calls: odds and ends ------------------------------------------- */

/* One more than the highest number in the system-call table. */
static long
first_unused_number(void)
{
	long n = 0;

#define SYSCALL_NEXT(number, name, ret, params) \
	if (number >= n)                         \
		n = number + 1;
	SYSCALL_TABLE(SYSCALL_NEXT)
#undef SYSCALL_NEXT
	return n;
}

/* Make system call `number` directly, bypassing the stubs. */
static long
raw_syscall(long number)
{
	register long a0 asm("a0") = 0;
	register long a7 asm("a7") = number;

	asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static void
op_nosys(void)
{
	long numbers[] = { 0, first_unused_number(), 1000, -1 };
	long n = numbers[rnd(NELEM(numbers))], r;

	describe("system call number %ld", n);
	r = raw_syscall(n);
	if (r != -ENOSYS)
		fail("%s returned %ld, want -ENOSYS (%d)", call_text, r,
		     -ENOSYS);
}

/* ---- a worker ----------------------------------------------------------- */

/* The calls, and how often each comes up relative to the others. */
static const struct {
	void (*fn)(void);
	int weight;
} ops[] = {
	{ op_read, 8 },   { op_write, 8 },  { op_open, 8 },   { op_close, 9 },
	{ op_dup, 3 },    { op_pipe, 3 },   { op_fstat, 3 },  { op_fsync, 1 },
	{ op_mkdir, 3 },  { op_mknod, 2 },  { op_link, 3 },   { op_unlink, 4 },
	{ op_chdir, 3 },  { op_fork, 4 },   { op_wait, 2 },   { op_kill, 2 },
	{ op_getpid, 1 }, { op_sleep, 1 },  { op_uptime, 1 }, { op_sysinfo, 2 },
	{ op_sbrk, 2 },   { op_nosys, 1 },
};

static void
do_random_call(void)
{
	int total = 0, i, x;

	for (i = 0; i < NELEM(ops); i++)
		total += ops[i].weight;
	x = rnd(total);
	for (i = 0; x >= ops[i].weight; i++)
		x -= ops[i].weight;
	ops[i].fn();
}

/* Fill in the strings and arrays the arguments are made of. */
static void
make_arguments(void)
{
	int i;

	snprintf(own_dir, sizeof(own_dir), TOP "/w%d", worker_id);
	snprintf(junk_path, sizeof(junk_path), "%s/junk", own_dir);
	snprintf(report_path, sizeof(report_path), "%s/report", own_dir);
	snprintf(long_name, sizeof(long_name), "%s/%.*s", own_dir, DIRSIZ + 1,
		 "abcdefghijklmnopqrstuvwxyz");
	memset(long_path, 'x', MAXPATH);
	memset(long_arg, 'a', MAXARGLEN);
	for (i = 0; i < MAXARG + 1; i++)
		argv_max[i] = argv_too_many[i] = "a";
	argv_max[MAXARG] = NULL;
	argv_too_many[MAXARG + 1] = NULL;
}

/* A call that setting up needs: fail if it did. */
static void
must(long r, const char *what)
{
	if (r == -1)
		fail("setting up: %s: %s", what, errname(errno));
}

/* Make own_dir and the junk file, go there, close the console's input and
 * output (fd 2 stays, for reports), and give the heap its floor page. */
static void
set_up(void)
{
	char junk[512];
	int fd, i;

	describe("setting up");
	must(mkdir(own_dir), own_dir);
	must(chdir(own_dir), own_dir);
	at_own_dir = true;
	for (i = 0; i < (int)sizeof(junk); i++)
		junk[i] = rnd(256);
	memmove(junk, "\177ELF", 4);    /* a program's magic, then junk */
	fd = open(junk_path, O_CREATE | O_WRONLY);
	must(fd, junk_path);
	must(write(fd, junk, sizeof(junk)), junk_path);
	close(fd);
	close(0);
	close(1);
	fds[2].kind = FD_RESERVED;
	heap_end = (uint64)sbrk(0);
	heap_floor = PGROUNDUP(heap_end) + PGSIZE;
	must((long)sbrk(heap_floor - heap_end), "sbrk");
	heap_end = heap_floor;
	mypid = getpid();
	last_uptime = uptime();
}

/* Wait for every child left, checking each, and for any that failed. */
static void
reap_all(void)
{
	int status;
	long r;

	call_index = ncalls;
	while (nchildren > 0) {
		describe("wait(a buffer) at the end, with %d children",
			 nchildren);
		r = wait(&status);
		check(r, succeeds(1, INT32_MAX));
		reaped_child(r, &status);
	}
	describe("wait(a buffer) at the end, with no children");
	check(wait(&status), fails(E(ECHILD)));
	if (open(report_path, O_RDONLY) >= 0)
		fail("a child failed; its report is above");
}

static __attribute__((noreturn)) void
worker(int id, int seed, int calls)
{
	worker_id = id;
	worker_seed = seed;
	ncalls = calls;
	rng = 0x9e3779b97f4a7c15ULL * ((uint64)seed + 1);  /* never 0 */
	make_arguments();
	set_up();
	for (call_index = 0; call_index < ncalls; call_index++)
		do_random_call();
	reap_all();
	exit(0);
}

/* ---- the driver --------------------------------------------------------- */

static void
usage(void)
{
	fprintf(2, "usage: fuzz [-s seed] [-n calls] [-p procs]\n"
		"  seed: default 1; calls per worker: default 1000; "
		"procs: 1 to %d, default 4\n", MAXPROCS);
	exit(2);
}

/* The number s, which must be in [min, max]. */
static int
number_arg(const char *s, int min, int max)
{
	int n;

	if (s == NULL || !is_number(s) || strlen(s) > 9)
		usage();
	n = atoi(s);
	if (n < min || n > max)
		usage();
	return n;
}

static struct sysinfo
xsysinfo(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0) {
		fprintf(2, "fuzz: sysinfo: %s\n", strerror(errno));
		exit(1);
	}
	return si;
}

/* Wait, a tick at a time, for at most `baseline` processes; the count. */
static uint
settle(uint baseline)
{
	uint n = xsysinfo().nproc;
	int i;

	for (i = 0; i < SETTLE_TICKS && n > baseline; i++) {
		sleep(1);
		n = xsysinfo().nproc;
	}
	return n;
}

/* Print the reports worker i saved (save_report), if any. */
static void
print_reports(int i)
{
	char path[32], text[256];
	int fd, n;

	snprintf(path, sizeof(path), TOP "/w%d/report", i);
	if ((fd = open(path, O_RDONLY)) < 0)
		return;
	while ((n = read(fd, text, sizeof(text))) > 0)
		write(2, text, n);
	close(fd);
}

/* Start the workers and wait for them; how many failed. */
static int
run_workers(int seed, int calls, int procs)
{
	int pid[MAXPROCS], i, status, failed = 0;
	long r;

	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			fprintf(2, "fuzz: fork: %s\n", strerror(errno));
			procs = i;
			failed++;
			break;
		}
		if (pid[i] == 0)
			worker(i, seed + i, calls);
	}
	while ((r = wait(&status)) > 0) {
		if (status == 0)
			continue;
		failed++;
		for (i = 0; i < procs && pid[i] != r; i++)
			;
		if (status != FAIL_STATUS)   /* it could not say why itself */
			fprintf(2, "fuzz: worker %d died with status %d; to "
				"repeat it: fuzz -s %d -n %d -p 1\n", i, status,
				seed + i, calls);
	}
	return failed;
}

int
main(int argc, char *argv[])
{
	struct sysinfo before, after;
	int seed = 1, calls = 1000, procs = 4, i, failed;
	uint nproc;

	heap_start = (uint64)sbrk(0);
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "-s") == 0)
			seed = number_arg(argv[i + 1], 0, 999999999);
		else if (strcmp(argv[i], "-n") == 0)
			calls = number_arg(argv[i + 1], 1, 999999999);
		else if (strcmp(argv[i], "-p") == 0)
			procs = number_arg(argv[i + 1], 1, MAXPROCS);
		else
			usage();
	}

	remove_tree(TOP);
	before = xsysinfo();
	if (mkdir(TOP) < 0) {
		fprintf(2, "fuzz: mkdir " TOP ": %s\n", strerror(errno));
		return 1;
	}
	failed = run_workers(seed, calls, procs);
	nproc = settle(before.nproc);
	for (i = 0; i < procs; i++)
		print_reports(i);
	remove_tree(TOP);
	after = xsysinfo();

	printf("fuzz: seed %d, %d procs x %d calls: ", seed, procs, calls);
	if (failed == 0 && nproc == before.nproc &&
	    after.freepages == before.freepages &&
	    after.freeblocks == before.freeblocks &&
	    after.freeinodes == before.freeinodes) {
		printf("OK\n");
		return 0;
	}
	printf("FAILED: %d workers failed; %ld pages, %d blocks, %d inodes, "
	       "%d processes not given back\n", failed,
	       (long)(before.freepages - after.freepages),
	       (int)(before.freeblocks - after.freeblocks),
	       (int)(before.freeinodes - after.freeinodes),
	       (int)(nproc - before.nproc));
	return 1;
}
