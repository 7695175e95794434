/*
 * cowtest: tests of copy-on-write fork, for the cow lab
 * (labs/cow/README.md).
 *
 *   cowtest CASE...     run the cases named, in order
 *   cowtest             run them all
 *
 * Each case prints "cowtest: CASE: ok, what it showed" or, at the first
 * thing that is wrong, "cowtest: CASE: FAILED: what was expected and what
 * was seen", from whichever process saw it.  A case that prints neither
 * was killed: the console says why (an out-of-memory kill, say).
 *
 *   private    parent and child each see only their own stores, in data,
 *              bss, heap and stack, whoever stores first
 *   big        a process holding 60% of free memory forks; both write
 *   many       eight children of a process holding a quarter of free
 *              memory live at once, each writing its own pages; then
 *              thirty forks one after another; then all memory is back
 *   copyout    read() from a file and from a pipe into shared pages gives
 *              the data to the reader only
 *   readonly   after fork, stores to text, read-only data and the stack's
 *              guard page still kill, and read() into text still fails
 *   race       six children and their parent store to the same shared
 *              pages at once, twenty times
 *   forkfail   fork of a large process runs out of memory partway:
 *              ENOMEM, and not a page lost; then, with no page free, the
 *              parent stores to the pages the fork marked
 *   free       exit, exec and shrinking the heap give every page back,
 *              and never one that another process still uses
 *
 * Pages are checked through two 8-byte words each, the first and the
 * last of the page, which say whose page it is: (owner << 32 | index).
 */
#include "user/user.h"
#include "include/addrspace.h"     /* PGSIZE, the stack below the heap */

#define MIB (1024 * 1024)
#define WORDS_PER_PAGE (PGSIZE / sizeof(uint64))
#define CHILD_FAILED 3        /* exit status of a child that printed FAILED */

static const char *current = "";     /* the case running, for messages */
static uint64 first_brk;             /* the heap's start, read in main */

/* The current case's verdict lines (user/lib/verdict.c). */
#define ok(...)     verdict("cowtest", current, "ok, ", __VA_ARGS__)
#define failed(...) verdict("cowtest", current, "FAILED: ", __VA_ARGS__)

/* In a child: say what is wrong and exit with CHILD_FAILED. */
__attribute__((format(printf, 1, 2), noreturn)) static void
child_failed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vverdict("cowtest", current, "FAILED: ", fmt, ap);
	va_end(ap);
	exit(CHILD_FAILED);
}

static uint64
free_pages(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0) {
		failed("sysinfo: %s", strerror(errno));
		exit(1);
	}
	return info.freepages;
}

/*
 * Wait for one child, which must exit with status 0 (who names it, for
 * the message).  false, after saying why unless the child already did,
 * if it did not.
 */
static bool
reap(const char *who)
{
	int status;

	if (wait(&status) < 0) {
		failed("wait for %s: %s", who, strerror(errno));
		return false;
	}
	if (status == 0)
		return true;
	if (status == -1)
		failed("%s was killed (the console says why above)", who);
	else if (status != CHILD_FAILED)
		failed("%s exited with status %d", who, status);
	return false;
}

/* Wait for every child left, after a failure: say so of those killed
 * (the others exited quietly, or printed why they failed). */
static void
reap_rest(void)
{
	int status;

	while (wait(&status) >= 0)
		if (status == -1)
			failed("a child was killed (the console says why above)");
}

/* Grow the heap by n pages; NULL (after saying so) if sbrk fails. */
static char *
grow(uint64 n)
{
	char *p = sbrk(n * PGSIZE);

	if (p == (char *)-1) {
		failed("sbrk(%lu pages): %s", (unsigned long)n, strerror(errno));
		return NULL;
	}
	return p;
}

static void
shrink(uint64 n)
{
	while (n > 0) {
		uint64 step = n > 65536 ? 65536 : n;

		if (sbrk(-(int)(step * PGSIZE)) == (char *)-1) {
			failed("sbrk(-%lu pages): %s", (unsigned long)step,
			       strerror(errno));
			exit(1);
		}
		n -= step;
	}
}

/* ---- page stamps ------------------------------------------------------------- */

static uint64
stamp(uint64 owner, uint64 index)
{
	return owner << 32 | index;
}

/* Stamp page i of base, as owner. */
static void
put(char *base, uint64 i, uint64 owner)
{
	uint64 *page = (uint64 *)(base + i * PGSIZE);

	page[0] = stamp(owner, i);
	page[WORDS_PER_PAGE - 1] = stamp(owner, i);
}

/* Does page i of base carry owner's stamp?  If not, describe it in why. */
static bool
has(char *base, uint64 i, uint64 owner, char *why, int size)
{
	uint64 *page = (uint64 *)(base + i * PGSIZE);
	uint64 want = stamp(owner, i);

	if (page[0] == want && page[WORDS_PER_PAGE - 1] == want)
		return true;
	snprintf(why, size, "page %lu of the region at %p holds 0x%lx ... 0x%lx; "
		 "expected 0x%lx (owner %lu's stamp)", (unsigned long)i, base,
		 (unsigned long)page[0], (unsigned long)page[WORDS_PER_PAGE - 1],
		 (unsigned long)want, (unsigned long)owner);
	return false;
}

/* Stamp pages [0, n) of base whose index is `which` modulo `every`. */
static void
put_all(char *base, uint64 n, uint64 every, uint64 which, uint64 owner)
{
	for (uint64 i = which; i < n; i += every)
		put(base, i, owner);
}

/*
 * Check pages [0, n) of base: the ones whose index is `which` modulo
 * `every` must carry mine, the others theirs.  false, with why, at the
 * first that does not.
 */
static bool
check_all(char *base, uint64 n, uint64 every, uint64 which, uint64 mine,
	  uint64 theirs, char *why, int size)
{
	for (uint64 i = 0; i < n; i++)
		if (!has(base, i, i % every == which ? mine : theirs, why, size))
			return false;
	return true;
}

/* ---- tiny pipes as barriers --------------------------------------------------- */

static void
xpipe(int fds[2])
{
	if (pipe(fds) < 0) {
		failed("pipe: %s", strerror(errno));
		exit(1);
	}
}

static void
signal_n(int fd, int n)
{
	while (n-- > 0)
		if (write(fd, "x", 1) != 1) {
			failed("write to a pipe: %s", strerror(errno));
			exit(1);
		}
}

/* Wait for n bytes on fd; false if the writers went away first. */
static bool
await_n(int fd, int n)
{
	char c;

	while (n-- > 0)
		if (read(fd, &c, 1) != 1)
			return false;
	return true;
}

/* ---- private: each side sees its own stores ------------------------------------ */

static uint64 data_words[4] = { 11, 22, 33, 44 };
static uint64 bss_words[3 * WORDS_PER_PAGE];

/* Check the four places against one owner's values; why on failure. */
static bool
places_hold(uint64 *heap, uint64 *stack, uint64 v, char *why, int size)
{
	const char *where = NULL;

	if (data_words[1] != v)
		where = "a global in .data";
	else if (bss_words[WORDS_PER_PAGE + 5] != v)
		where = "a global in .bss";
	else if (heap[7] != v)
		where = "a heap word";
	else if (*stack != v)
		where = "a local variable on the stack";
	if (where == NULL)
		return true;
	snprintf(why, size, "%s is wrong (data %lu, bss %lu, heap %lu, stack "
		 "%lu); expected %lu in all four", where,
		 (unsigned long)data_words[1],
		 (unsigned long)bss_words[WORDS_PER_PAGE + 5],
		 (unsigned long)heap[7], (unsigned long)*stack, (unsigned long)v);
	return false;
}

static void
set_places(uint64 *heap, volatile uint64 *stack, uint64 v)
{
	data_words[1] = v;
	bss_words[WORDS_PER_PAGE + 5] = v;
	heap[7] = v;
	*stack = v;
}

static void
case_private(void)
{
	volatile uint64 on_stack = 100;
	uint64 *heap = (uint64 *)grow(2);
	int to_child[2], to_parent[2], pid;
	char why[200];

	if (heap == NULL)
		return;
	set_places(heap, &on_stack, 100);
	xpipe(to_child);
	xpipe(to_parent);
	if ((pid = fork()) < 0) {
		failed("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		/* The child stores first; then the parent does. */
		close(to_parent[0]);
		close(to_child[1]);
		if (!places_hold(heap, (uint64 *)&on_stack, 100, why, sizeof(why)))
			child_failed("in the child, before any store: %s", why);
		set_places(heap, &on_stack, 200);
		signal_n(to_parent[1], 1);
		if (!await_n(to_child[0], 1))
			exit(0);
		if (!places_hold(heap, (uint64 *)&on_stack, 200, why, sizeof(why)))
			child_failed("in the child, after the parent stored 300 "
				     "to its own copies: %s", why);
		exit(0);
	}
	close(to_parent[1]);    /* so a child that dies ends the read */
	close(to_child[0]);
	if (!await_n(to_parent[0], 1)) {
		reap("the child");      /* it died first: say how, if it did not */
		return;
	}
	if (!places_hold(heap, (uint64 *)&on_stack, 100, why, sizeof(why))) {
		signal_n(to_child[1], 1);
		reap_rest();
		failed("in the parent, after the child stored 200 to its copies: "
		       "%s", why);
		return;
	}
	set_places(heap, &on_stack, 300);
	signal_n(to_child[1], 1);
	if (!reap("the child"))
		return;
	if (!places_hold(heap, (uint64 *)&on_stack, 300, why, sizeof(why))) {
		failed("in the parent, after the child exited: %s", why);
		return;
	}
	close(to_child[1]);
	close(to_parent[0]);
	shrink(2);
	ok("parent and child each see only their own stores (data, bss, heap, "
	   "stack)");
}

/* ---- big: fork with more than half of memory in use ---------------------------- */

#define PARENT 1              /* stamp owners */
#define CHILD  2
#define PARENT_AGAIN 3

static void
case_big(void)
{
	uint64 free0 = free_pages(), n = free0 * 6 / 10, last;
	int to_child[2], to_parent[2], pid;
	char *heap, why[200];

	if ((heap = grow(n)) == NULL)
		return;
	last = n - 1;
	put_all(heap, n, 1, 0, PARENT);
	xpipe(to_child);
	xpipe(to_parent);
	if ((pid = fork()) < 0) {
		failed("fork of a process holding %lu pages, %lu%% of the %lu that "
		       "were free, failed: %s; with copy-on-write a fork needs "
		       "page tables, not a copy of every page", (unsigned long)n,
		       (unsigned long)((n * 100 + free0 / 2) / free0),
		       (unsigned long)free0,
		       strerror(errno));
		shrink(n);
		return;
	}
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		if (!check_all(heap, n, 1, 0, PARENT, PARENT, why, sizeof(why)))
			child_failed("in the child, before any store: %s", why);
		put(heap, 0, CHILD);
		put(heap, n / 2, CHILD);
		put(heap, last, CHILD);
		signal_n(to_parent[1], 1);
		if (!await_n(to_child[0], 1))
			exit(0);
		for (uint64 i = 0; i < n; i++)
			if (!has(heap, i, i == 0 || i == n / 2 || i == last ?
				 CHILD : PARENT, why, sizeof(why)))
				child_failed("in the child, after it stored to "
					     "pages 0, %lu and %lu and the parent "
					     "to pages 1, %lu and %lu: %s",
					     (unsigned long)(n / 2),
					     (unsigned long)last,
					     (unsigned long)(n / 2 + 1),
					     (unsigned long)(last - 1), why);
		exit(0);
	}
	close(to_parent[1]);    /* so a child that dies ends the read */
	close(to_child[0]);
	if (!await_n(to_parent[0], 1)) {
		reap("the child");      /* it died first: say how, if it did not */
		shrink(n);
		return;
	}
	put(heap, 1, PARENT_AGAIN);
	put(heap, n / 2 + 1, PARENT_AGAIN);
	put(heap, last - 1, PARENT_AGAIN);
	signal_n(to_child[1], 1);
	for (uint64 i = 0; i < n; i++) {
		uint64 owner = i == 1 || i == n / 2 + 1 || i == last - 1 ?
			       PARENT_AGAIN : PARENT;
		if (!has(heap, i, owner, why, sizeof(why))) {
			reap_rest();
			failed("in the parent, after the child stored to pages 0, "
			       "%lu and %lu and the parent to pages 1, %lu and "
			       "%lu: %s", (unsigned long)(n / 2),
			       (unsigned long)last, (unsigned long)(n / 2 + 1),
			       (unsigned long)(last - 1), why);
			shrink(n);
			return;
		}
	}
	if (!reap("the child")) {
		shrink(n);
		return;
	}
	close(to_child[1]);
	close(to_parent[0]);
	shrink(n);
	ok("a process holding %lu of %lu free pages forked; each side sees its "
	   "own stores", (unsigned long)n, (unsigned long)free0);
}

/* ---- many: many children of a large process ------------------------------------- */

#define MANY_CHILDREN 8
#define MANY_EVERY    (MANY_CHILDREN + 1)  /* child k owns i % 9 == k; */
#define MANY_PARENTS  MANY_CHILDREN        /* the parent i % 9 == 8 */
#define MANY_SERIAL   30

/* Child k of case_many: stamp its pages, wait for go, check them all. */
static __attribute__((noreturn)) void
many_child(char *heap, uint64 n, int k, int ready[2], int go[2])
{
	char why[200];

	close(ready[0]);
	close(go[1]);           /* so that the parent's close ends the wait */
	put_all(heap, n, MANY_EVERY, k, CHILD + 10 + k);
	signal_n(ready[1], 1);
	close(ready[1]);        /* so the parent sees an end if one dies */
	if (!await_n(go[0], 1))
		exit(0);
	if (!check_all(heap, n, MANY_EVERY, k, CHILD + 10 + k, PARENT, why,
		       sizeof(why)))
		child_failed("child %d of %d, after each child stored to its "
			     "ninth of the pages and the parent to its own: %s",
			     k, MANY_CHILDREN, why);
	exit(0);
}

/* MANY_SERIAL forks one after another, each child storing to one page. */
static bool
many_serial(char *heap, uint64 n)
{
	char why[200];
	int pid;

	for (int round = 0; round < MANY_SERIAL; round++) {
		uint64 page = (uint64)round * (n / MANY_SERIAL);

		if ((pid = fork()) < 0) {
			failed("serial fork %d of a process holding %lu pages: %s",
			       round, (unsigned long)n, strerror(errno));
			return false;
		}
		if (pid == 0) {
			put(heap, page, CHILD);
			if (!has(heap, page, CHILD, why, sizeof(why)))
				child_failed("serial child %d, after storing: %s",
					     round, why);
			exit(0);
		}
		if (!reap("a serial child"))
			return false;
	}
	return true;
}

/* Fork the children of case_many; how many were forked. */
static int
many_fork(char *heap, uint64 n, int ready[2], int go[2])
{
	int k, pid;

	for (k = 0; k < MANY_CHILDREN; k++) {
		if ((pid = fork()) < 0)
			return k;
		if (pid == 0)
			many_child(heap, n, k, ready, go);
	}
	return k;
}

/* The parent's part of case_many once its children are forked. */
static bool
many_parent(char *heap, uint64 n, int ready, int go)
{
	char why[200];
	int k;

	if (!await_n(ready, MANY_CHILDREN))
		return false;           /* one died: case_many reaps, says how */
	put_all(heap, n, MANY_EVERY, MANY_PARENTS, PARENT_AGAIN);
	if (!check_all(heap, n, MANY_EVERY, MANY_PARENTS, PARENT_AGAIN, PARENT,
		       why, sizeof(why))) {
		failed("in the parent, after %d children stored to their copies "
		       "and the parent to its own: %s", MANY_CHILDREN, why);
		return false;
	}
	signal_n(go, MANY_CHILDREN);
	for (k = 0; k < MANY_CHILDREN; k++)
		if (!reap("a child"))
			return false;
	if (!many_serial(heap, n))
		return false;
	if (!check_all(heap, n, MANY_EVERY, MANY_PARENTS, PARENT_AGAIN, PARENT,
		       why, sizeof(why))) {
		failed("in the parent, after its children exited: %s", why);
		return false;
	}
	return true;
}

static void
case_many(void)
{
	uint64 free0 = free_pages(), n = free0 / 4;
	int ready[2], go[2], forked;
	bool good;
	char *heap;

	if ((heap = grow(n)) == NULL)
		return;
	put_all(heap, n, 1, 0, PARENT);
	xpipe(ready);
	xpipe(go);
	forked = many_fork(heap, n, ready, go);
	close(ready[1]);
	close(go[0]);
	if (forked < MANY_CHILDREN) {
		failed("fork of child %d of %d of a process holding %lu pages "
		       "(%lu were free) failed: %s; with copy-on-write the "
		       "children share the pages they do not store to",
		       forked + 1, MANY_CHILDREN, (unsigned long)n,
		       (unsigned long)free0, strerror(errno));
		good = false;
	} else {
		good = many_parent(heap, n, ready[0], go[1]);
	}
	close(ready[0]);
	close(go[1]);           /* children still waiting exit quietly */
	reap_rest();
	shrink(n);
	if (good && free_pages() != free0) {
		failed("free pages %lu before, %lu after the children exited and "
		       "the heap was given back: %s", (unsigned long)free0,
		       (unsigned long)free_pages(), free_pages() < free0 ?
		       "pages lost (a reference never dropped?)" :
		       "pages gained (a page freed twice?)");
		good = false;
	}
	if (good)
		ok("%d children of a process holding %lu pages lived at once, "
		   "then %d more one by one", MANY_CHILDREN, (unsigned long)n,
		   MANY_SERIAL);
}

/* ---- copyout: the kernel writes into shared pages -------------------------------- */

#define COPY_FILE "cowtest.data"
#define COPY_PAGES 3
#define COPY_AT 100                       /* where the reads start in a page */
#define COPY_LEN (2 * PGSIZE)             /* so each read spans three pages */

static char copy_global[COPY_PAGES * PGSIZE];   /* .bss */

/* Does buf[0, len) hold c only?  If not, say where in why. */
static bool
all_are(const char *buf, uint64 len, char c, const char *what, char *why,
	int size)
{
	for (uint64 i = 0; i < len; i++)
		if (buf[i] != c) {
			snprintf(why, size, "%s: byte %lu is '%c'; expected '%c'",
				 what, (unsigned long)i, buf[i], c);
			return false;
		}
	return true;
}

/* A file of COPY_LEN bytes 'F'; false after saying why. */
static bool
make_copy_file(void)
{
	static char bytes[COPY_LEN];
	int fd;

	memset(bytes, 'F', sizeof(bytes));
	if ((fd = open(COPY_FILE, O_CREATE | O_TRUNC | O_WRONLY)) < 0 ||
	    write(fd, bytes, sizeof(bytes)) != sizeof(bytes) || close(fd) < 0) {
		failed("writing %s: %s", COPY_FILE, strerror(errno));
		return false;
	}
	return true;
}

/* read() exactly len bytes of what and check that they are all c. */
static bool
read_into(int fd, char *dst, uint64 len, char c, const char *what, char *why,
	  int size)
{
	uint64 got = 0;
	int r;

	while (got < len && (r = read(fd, dst + got, len - got)) > 0)
		got += r;
	if (got != len) {
		snprintf(why, size, "%s: read returned %lu bytes of %lu (%s)",
			 what, (unsigned long)got, (unsigned long)len,
			 got < len ? strerror(errno) : "?");
		return false;
	}
	return all_are(dst, len, c, what, why, size) &&
	       all_are(dst - COPY_AT, COPY_AT, 'P', "after a read(), the bytes "
		       "before it on its first page", why, size) &&
	       all_are(dst + len, COPY_PAGES * PGSIZE - COPY_AT - len, 'P',
		       "after a read(), the bytes after it on its last page",
		       why, size);
}

/* The child's half: read into the heap from the file, into .bss from the
 * pipe, tell the parent, then check what the parent's reads left alone. */
static __attribute__((noreturn)) void
copyout_child(char *heap, char *untouched, int data_fd, int to_parent,
	      int to_child)
{
	char why[200];
	int fd = open(COPY_FILE, O_RDONLY);

	if (fd < 0)
		child_failed("open %s: %s", COPY_FILE, strerror(errno));
	if (!read_into(fd, heap + COPY_AT, COPY_LEN, 'F',
		       "the child's read() from a file into its heap", why,
		       sizeof(why)) ||
	    !read_into(data_fd, copy_global + COPY_AT, COPY_LEN, 'Q',
		       "the child's read() from a pipe into .bss", why,
		       sizeof(why)))
		child_failed("%s", why);
	close(fd);
	signal_n(to_parent, 1);
	if (!await_n(to_child, 1))
		exit(0);
	if (!all_are(untouched, COPY_PAGES * PGSIZE, 'P',
		     "after the parent's read() into its copy, the child's "
		     "copy", why, sizeof(why)))
		child_failed("%s", why);
	exit(0);
}

/* The parent's half: check the child's reads changed nothing of its own,
 * read into the pages the child left shared, let the child check. */
static bool
copyout_parent(char *heap, char *untouched, int to_parent, int to_child)
{
	char why[200];
	int fd;

	if (!await_n(to_parent, 1)) {
		reap("the child");      /* it died first: say how, if it did not */
		return false;
	}
	if (!all_are(heap, COPY_PAGES * PGSIZE, 'P', "after the child's read() "
		     "from a file into its heap, the parent's heap", why,
		     sizeof(why)) ||
	    !all_are(copy_global, COPY_PAGES * PGSIZE, 'P', "after the child's "
		     "read() from a pipe into .bss, the parent's .bss", why,
		     sizeof(why))) {
		failed("%s", why);
		return false;
	}
	if ((fd = open(COPY_FILE, O_RDONLY)) < 0 ||
	    !read_into(fd, untouched + COPY_AT, COPY_LEN, 'F', "the parent's "
		       "read() into pages it shares with the child", why,
		       sizeof(why))) {
		failed("%s", fd < 0 ? strerror(errno) : why);
		return false;
	}
	close(fd);
	signal_n(to_child, 1);
	return reap("the child");
}

static void
case_copyout(void)
{
	int data[2], to_parent[2], to_child[2], pid;
	static char pipe_bytes[COPY_LEN];
	char *heap, *untouched;
	bool good;

	if (!make_copy_file() || (heap = grow(2 * COPY_PAGES)) == NULL)
		return;
	untouched = heap + COPY_PAGES * PGSIZE;
	memset(heap, 'P', 2 * COPY_PAGES * PGSIZE);
	memset(copy_global, 'P', sizeof(copy_global));
	memset(pipe_bytes, 'Q', sizeof(pipe_bytes));
	xpipe(data);
	xpipe(to_parent);
	xpipe(to_child);
	if ((pid = fork()) < 0) {
		failed("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(data[1]);
		close(to_parent[0]);
		close(to_child[1]);
		copyout_child(heap, untouched, data[0], to_parent[1], to_child[0]);
	}
	close(to_parent[1]);
	close(to_child[0]);
	close(data[0]);
	if (write(data[1], pipe_bytes, sizeof(pipe_bytes)) != sizeof(pipe_bytes))
		failed("write to the pipe: %s", strerror(errno));
	close(data[1]);
	good = copyout_parent(heap, untouched, to_parent[0], to_child[1]);
	close(to_parent[0]);
	close(to_child[1]);
	reap_rest();
	unlink(COPY_FILE);
	shrink(2 * COPY_PAGES);
	if (good)
		ok("read() from a file and a pipe into shared heap and .bss pages "
		   "changed the reader's copy only");
}

/* ---- readonly: what may not be written stays so ------------------------------------ */

static const char rodata_probe[] = "read-only data that no store may change";

/* A function whose bytes are the text a child stores to. */
static __attribute__((noinline)) int
text_probe(int x)
{
	return x * 3 + 1;
}

static uint64
checksum(const void *p, int n)
{
	const uint8 *b = p;
	uint64 sum = 0;

	for (int i = 0; i < n; i++)
		sum = sum * 31 + b[i];
	return sum;
}

/*
 * Fork a child that stores a byte at addr (called what), which must kill
 * it, while the parent keeps the same pages mapped.  false after saying
 * why if the child survived.
 */
static bool
store_kills(uint64 addr, const char *what)
{
	int pid, status = 0;

	printf("cowtest: readonly: a child stores to %s at %p\n", what,
	       (void *)addr);
	if ((pid = fork()) < 0) {
		failed("fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		*(volatile char *)addr = 'X';
		printf("cowtest: readonly: FAILED: a store to %s at %p did not "
		       "fault: after fork the page is writable\n", what,
		       (void *)addr);
		exit(CHILD_FAILED);
	}
	if (wait(&status) < 0 || status != -1) {
		if (status != CHILD_FAILED)
			failed("the child that stored to %s exited with status "
			       "%d; expected it to be killed (-1)", what, status);
		return false;
	}
	return true;
}

/* read() into a page nobody may write must fail with EFAULT, after fork. */
static bool
read_refused(uint64 addr, const char *what)
{
	int fds[2], r;

	xpipe(fds);
	if (write(fds[1], "XXXXXXXX", 8) != 8) {
		failed("write to a pipe: %s", strerror(errno));
		return false;
	}
	r = read(fds[0], (void *)addr, 8);
	close(fds[0]);
	close(fds[1]);
	if (r == -1 && errno == EFAULT)
		return true;
	if (r == -1)
		failed("read() from a pipe into %s failed with %s; expected EFAULT",
		       what, strerror(errno));
	else
		failed("read() from a pipe into %s returned %d; expected -1 with "
		       "EFAULT: the kernel wrote where the program may not", what, r);
	return false;
}

static void
case_readonly(void)
{
	uint64 text_sum = checksum((void *)text_probe, 64);
	uint64 guard = first_brk - (USTACKPAGES + 1) * PGSIZE + 8;
	int go[2], pid;
	bool good;

	/* A sibling keeps every page shared while the stores are tried. */
	xpipe(go);
	if ((pid = fork()) < 0) {
		failed("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(go[1]);
		await_n(go[0], 1);
		exit(text_probe(4) == 13 ? 0 : CHILD_FAILED);
	}
	close(go[0]);
	good = store_kills((uint64)text_probe, "text") &&
	       store_kills((uint64)rodata_probe, "read-only data") &&
	       store_kills(guard, "the stack's guard page") &&
	       read_refused((uint64)text_probe, "text") &&
	       read_refused((uint64)rodata_probe, "read-only data");
	close(go[1]);
	if (!reap("the process sharing the pages") || !good)
		return;
	if (checksum((void *)text_probe, 64) != text_sum || text_probe(4) != 13 ||
	    strcmp(rodata_probe, "read-only data that no store may change") != 0) {
		failed("the text or read-only data changed");
		return;
	}
	ok("stores to text, read-only data and the guard page kill after fork; "
	   "read() into text and read-only data fails with EFAULT");
}

/* ---- race: stores to the same shared pages on several harts at once ---------------- */

#define RACE_PAGES    32
#define RACE_CHILDREN 6
#define RACE_ROUNDS   20

/* One round: fork the children, let all go at once, store and check. */
static bool
race_round(char *heap, int round)
{
	int go[2], pid, k;
	char why[200];

	xpipe(go);
	for (k = 0; k < RACE_CHILDREN; k++) {
		if ((pid = fork()) < 0) {
			failed("round %d: fork: %s", round, strerror(errno));
			close(go[1]);
			close(go[0]);
			reap_rest();
			return false;
		}
		if (pid == 0) {
			close(go[1]);
			if (!await_n(go[0], 1))
				exit(0);
			put_all(heap, RACE_PAGES, 1, 0, 100 + k);
			if (!check_all(heap, RACE_PAGES, 1, 0, 100 + k, 0, why,
				       sizeof(why)))
				child_failed("round %d, child %d, after it and %d "
					     "others stored to the same pages at "
					     "once: %s", round, k, RACE_CHILDREN,
					     why);
			exit(0);
		}
	}
	close(go[0]);
	signal_n(go[1], RACE_CHILDREN);
	put_all(heap, RACE_PAGES, 1, 0, PARENT + round);
	close(go[1]);
	if (!check_all(heap, RACE_PAGES, 1, 0, PARENT + round, 0, why,
		       sizeof(why))) {
		failed("round %d, in the parent, after it and %d children stored "
		       "to the same pages at once: %s", round, RACE_CHILDREN, why);
		reap_rest();
		return false;
	}
	for (k = 0; k < RACE_CHILDREN; k++)
		if (!reap("a child")) {
			reap_rest();
			return false;
		}
	return true;
}

static void
case_race(void)
{
	char *heap = grow(RACE_PAGES);
	uint64 before;
	int round;

	if (heap == NULL)
		return;
	put_all(heap, RACE_PAGES, 1, 0, PARENT);
	before = free_pages();
	for (round = 0; round < RACE_ROUNDS; round++)
		if (!race_round(heap, round))
			break;
	if (round == RACE_ROUNDS && free_pages() != before)
		failed("after %d rounds, free pages %lu; before them %lu: pages "
		       "that several processes stored to at once were %s",
		       RACE_ROUNDS, (unsigned long)free_pages(),
		       (unsigned long)before, free_pages() < before ?
		       "never freed (a reference count lost a decrement?)" :
		       "freed too often");
	else if (round == RACE_ROUNDS)
		ok("%d rounds of %d children and their parent storing to %d "
		   "shared pages at once", RACE_ROUNDS, RACE_CHILDREN, RACE_PAGES);
	shrink(RACE_PAGES);
}

/* ---- forkfail: running out of memory in the middle of fork ------------------------- */

#define SPARSE_STEP (2 * MIB)      /* one page touched in each 2 MiB ... */
#define SPARSE_SPAN (1024 * MIB)   /* ... of 1 GiB: 512 pages, 512 tables */

/*
 * Take every free page into the heap.  Most are touched by plain stores,
 * leaving a margin for their page tables; the last ones by the kernel's
 * own writes, since a store of ours into a page that cannot be had would
 * kill us, while sysinfo() into it fails with ENOMEM.  Returns the pages
 * taken.
 */
static uint64
eat_memory(void)
{
	uint64 free0 = free_pages(), pages = free0 > 1024 ? free0 - 1024 : 0;
	char *p;

	if (pages > 0 && (p = grow(pages)) != NULL)
		for (uint64 i = 0; i < pages; i++)
			p[i * PGSIZE] = 1;
	for (;;) {
		if ((p = sbrk(PGSIZE)) == (char *)-1) {
			failed("sbrk: %s", strerror(errno));
			exit(1);
		}
		if (sysinfo((struct sysinfo *)p) < 0)
			break;
		pages++;
	}
	shrink(1);
	return pages;
}

/* Fork with little memory: it must fail with ENOMEM and lose nothing, or
 * (were it to succeed) give everything back when the child exits. */
static bool
fork_with_little(uint64 pages)
{
	uint64 before = free_pages();
	int pid = fork();

	if (pid == 0)
		exit(0);
	if (pid > 0 && !reap("the child"))
		return false;
	if (pid < 0 && errno != ENOMEM) {
		failed("fork with %lu pages free failed with %s; expected ENOMEM",
		       (unsigned long)before, strerror(errno));
		return false;
	}
	if (free_pages() != before) {
		failed("a fork of a process holding %lu pages, with %lu pages "
		       "free, %s; free pages before %lu, after %lu: what it took "
		       "was not all given back", (unsigned long)pages,
		       (unsigned long)before, pid < 0 ? "ran out of memory" :
		       "succeeded", (unsigned long)before,
		       (unsigned long)free_pages());
		return false;
	}
	return true;
}

static void
case_forkfail(void)
{
	static const int giveback[] = { 0, 1, 3, 8, 40, 200 };
	uint64 free0 = free_pages(), eaten, extra, failures = 0;
	char *sparse = sbrk(SPARSE_SPAN);
	int i, pid;

	if (sparse == (char *)-1) {
		failed("sbrk(1 GiB): %s", strerror(errno));
		return;
	}
	for (uint64 off = 0; off < SPARSE_SPAN; off += SPARSE_STEP)
		sparse[off] = 1;
	eaten = eat_memory();
	for (i = 0; i < (int)(sizeof(giveback) / sizeof(giveback[0])); i++) {
		shrink(giveback[i]);
		eaten -= giveback[i];
		if (!fork_with_little(SPARSE_SPAN / SPARSE_STEP + eaten))
			break;
		failures++;
	}
	/* Memory all taken again: the failed forks left the pages marked
	 * copy-on-write but no longer shared, so storing needs no page. */
	extra = eat_memory();
	for (uint64 off = 0; off < SPARSE_SPAN; off += SPARSE_STEP)
		sparse[off] = 2;
	shrink(eaten + extra);
	if (sbrk(-SPARSE_SPAN) == (char *)-1) {
		failed("sbrk(-1 GiB): %s", strerror(errno));
		return;
	}
	if (failures < sizeof(giveback) / sizeof(giveback[0]))
		return;
	if ((pid = fork()) == 0)
		exit(0);
	if (pid < 0 || !reap("the child")) {
		if (pid < 0)
			failed("fork after memory came back: %s", strerror(errno));
		return;
	}
	if (free_pages() != free0) {
		failed("free pages %lu at the start, %lu once the memory was given "
		       "back and one more fork had exited: %s",
		       (unsigned long)free0, (unsigned long)free_pages(),
		       free_pages() < free0 ? "pages lost (a reference never "
		       "dropped?)" : "pages gained (a page freed twice?)");
		return;
	}
	ok("forks that ran out of memory with 0 to 252 pages free lost nothing, "
	   "and stores to the pages they left marked needed no memory");
}

/* ---- free: every reference is dropped, and only dropped ---------------------------- */

#define FREE_PAGES 1024             /* 4 MiB of heap */

/* A child that stores to some pages, shrinks the heap under them, and
 * exits: shrinking drops its references. */
static int
free_shrinker(char *heap)
{
	int pid = fork();

	if (pid == 0) {
		put_all(heap, FREE_PAGES, 7, 0, CHILD);
		shrink(FREE_PAGES / 2);
		put_all(heap, FREE_PAGES / 2, 5, 1, CHILD);
		exit(0);
	}
	return pid;
}

/* A child that execs: exec drops the references of the old image. */
static int
free_execer(void)
{
	char *argv[] = { "cowtest", "--exit", NULL };
	int pid = fork();

	if (pid == 0) {
		exec("/bin/cowtest", argv);
		child_failed("exec /bin/cowtest: %s", strerror(errno));
	}
	return pid;
}

/* A child that is killed: exit after a fault drops them too. */
static int
free_killed(void)
{
	int pid = fork();

	if (pid == 0) {
		*(volatile char *)text_probe = 0;
		exit(0);
	}
	return pid;
}

/*
 * The parent shrinks its heap away while a child still maps the pages,
 * then fills fresh memory (which reuses whatever was freed last).  The
 * child's pages must be intact: a shrink that freed a page another
 * process maps would have handed it out again.
 */
static bool
free_shrink_shared(char *heap)
{
	int go[2], pid;
	char *fresh, why[200];

	xpipe(go);
	if ((pid = fork()) == 0) {
		close(go[1]);
		if (!await_n(go[0], 1))
			exit(0);
		if (!check_all(heap, FREE_PAGES, 1, 0, PARENT, PARENT, why,
			       sizeof(why)))
			child_failed("after the parent shrank its heap away and "
				     "touched fresh memory, the child's heap: %s",
				     why);
		exit(0);
	}
	close(go[0]);
	if (pid < 0) {
		failed("fork: %s", strerror(errno));
		return false;
	}
	shrink(FREE_PAGES);
	if ((fresh = grow(2 * FREE_PAGES)) == NULL)
		return false;
	put_all(fresh, 2 * FREE_PAGES, 1, 0, PARENT_AGAIN);
	signal_n(go[1], 1);
	close(go[1]);
	if (!reap("the child that kept the heap"))
		return false;
	shrink(2 * FREE_PAGES);
	return true;
}

/* All of it, in a child of the case, so that nothing of it is left. */
static __attribute__((noreturn)) void
free_all(void)
{
	char *heap = grow(FREE_PAGES);
	int status;

	if (heap == NULL)
		exit(CHILD_FAILED);
	put_all(heap, FREE_PAGES, 1, 0, PARENT);
	if (free_shrinker(heap) < 0 || free_execer() < 0 || free_killed() < 0)
		child_failed("fork: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		if (wait(&status) < 0 || status == CHILD_FAILED)
			exit(CHILD_FAILED);
	if (!free_shrink_shared(heap))
		exit(CHILD_FAILED);
	exit(0);
}

static void
case_free(void)
{
	uint64 before = free_pages(), after;
	int pid, status;

	if ((pid = fork()) < 0) {
		failed("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		free_all();
	if (wait(&status) < 0 || status != 0) {
		if (status != CHILD_FAILED)
			failed("the test's process exited with status %d", status);
		return;
	}
	after = free_pages();
	if (after != before)
		failed("free pages %lu before, %lu after processes that forked, "
		       "stored, shrank their heaps, exec'd, were killed and "
		       "exited: %ld pages %s", (unsigned long)before,
		       (unsigned long)after, (long)(before - after),
		       after < before ? "lost (a reference never dropped?)" :
		       "gained (a page freed twice?)");
	else
		ok("free memory is back to %lu pages after fork, exit, exec, a "
		   "kill and sbrk shrinking, shared and not", (unsigned long)before);
}

/* ---- the cases ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "private", case_private },
	{ "big", case_big },
	{ "many", case_many },
	{ "copyout", case_copyout },
	{ "readonly", case_readonly },
	{ "race", case_race },
	{ "forkfail", case_forkfail },
	{ "free", case_free },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* Run the case called name; false if there is none. */
static bool
run_case(const char *name)
{
	for (int i = 0; i < NCASES; i++) {
		if (strcmp(cases[i].name, name) == 0) {
			current = cases[i].name;
			cases[i].run();
			return true;
		}
	}
	return false;
}

int
main(int argc, char *argv[])
{
	first_brk = (uint64)sbrk(0);
	/* What the free case runs through exec. */
	if (argc == 2 && strcmp(argv[1], "--exit") == 0)
		exit(0);
	if (argc == 1) {
		for (int i = 0; i < NCASES; i++)
			run_case(cases[i].name);
		exit(0);
	}
	for (int i = 1; i < argc; i++) {
		if (!run_case(argv[i])) {
			fprintf(2, "cowtest: no case %s; the cases:", argv[i]);
			for (int j = 0; j < NCASES; j++)
				fprintf(2, " %s", cases[j].name);
			fprintf(2, "\n");
			exit(1);
		}
	}
	exit(0);
}
