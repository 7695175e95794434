/*
 * mmaptest: check mmap() and munmap() (labs/mmap/README.md).
 *
 *   mmaptest read       read-only mappings show the file, zeros past its end
 *   mmaptest lazy       touching one page of a 1 MiB mapping costs one page
 *   mmaptest private    MAP_PRIVATE stores never reach the file
 *   mmaptest shared     MAP_SHARED stores reach the file at munmap
 *   mmaptest exit       ... and at exit, and at exec
 *   mmaptest partial    munmap of the first pages, then of the last
 *   mmaptest rostore    a store to a PROT_READ mapping kills the process
 *   mmaptest unmapped   a load from an unmapped page kills the process
 *   mmaptest syscalls   write() from and read() into mapped pages
 *   mmaptest samefile   read() of a file into its own mapping
 *   mmaptest fork       a child gets its parent's mappings
 *   mmaptest badargs    bad arguments fail with the right errno
 *   mmaptest heap       sbrk stops below the mappings, mmap above the heap
 *   mmaptest leaks      memory and open files all come back
 *   mmaptest            all of them but rostore and unmapped, in order
 *
 * Each prints what it sees and ends with "mmaptest: NAME: ok" or
 * "mmaptest: NAME: FAILED: why".  The files it makes are called mm.*.
 * rostore and unmapped fork children that must be killed; each child
 * first prints the address it is about to touch, so that the kernel's
 * kill line can be compared with it.
 */
#include "user/user.h"
#include "include/addrspace.h"
#include "include/mman.h"

#define P PGSIZE
#define CHUNK (8 * P)

static const char *current;     /* the case running, for messages */
static char buf[CHUNK];         /* scratch for file I/O */

static void
say(const char *fmt, ...)
{
	va_list ap;

	printf("mmaptest: %s: ", current);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void __attribute__((noreturn))
fail(const char *fmt, ...)
{
	va_list ap;

	printf("mmaptest: %s: FAILED: ", current);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* The byte at offset i of a test file made with seed. */
static char
pattern(uint64 i, int seed)
{
	return 'a' + (i * 7 + (i / P) * 3 + seed) % 26;
}

static uint64
free_pages(void)
{
	struct sysinfo info;

	if (sysinfo(&info) < 0)
		fail("sysinfo: %s", strerror(errno));
	return info.freepages;
}

/* Make path hold size bytes of pattern(., seed). */
static void
make_file(const char *path, uint64 size, int seed)
{
	int fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);

	if (fd < 0)
		fail("cannot create %s: %s", path, strerror(errno));
	for (uint64 off = 0; off < size; off += CHUNK) {
		uint64 n = size - off < CHUNK ? size - off : CHUNK;
		for (uint64 i = 0; i < n; i++)
			buf[i] = pattern(off + i, seed);
		if (write(fd, buf, n) != (int)n)
			fail("cannot write %s: %s", path, strerror(errno));
	}
	close(fd);
}

static int
xopen(const char *path, int mode)
{
	int fd = open(path, mode);

	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	return fd;
}

/* mmap that must work: the address, checked to be sane. */
static char *
xmmap(uint64 len, int prot, int flags, int fd, uint64 off)
{
	char *p = mmap(0, len, prot, flags, fd, off);
	uint64 a = (uint64)p;

	if (p == MAP_FAILED)
		fail("mmap(0, %lu, %d, %d, fd, %lu) failed: %s",
		     (unsigned long)len, prot, flags, (unsigned long)off,
		     strerror(errno));
	if (a % P != 0 || a < (uint64)sbrk(0) || a + len > TRAPFRAME)
		fail("mmap returned %p: not page-aligned, or not between the "
		     "heap's end %p and TRAPFRAME", p, sbrk(0));
	return p;
}

static void
xmunmap(char *p, uint64 len)
{
	if (munmap(p, len) != 0)
		fail("munmap(%p, %lu) failed: %s", p, (unsigned long)len,
		     strerror(errno));
}

/* c as a message shows it: 'x' when printable, else its value. */
static const char *
byte_text(char c, char out[8])
{
	if (c >= ' ' && c <= '~')
		snprintf(out, 8, "'%c'", c);
	else
		snprintf(out, 8, "%d", (uchar)c);
	return out;
}

/* Compare len bytes at p, which stand for file offset off, with
 * pattern(seed); what names them in a failure. */
static void
expect_pattern(const char *what, const char *p, uint64 off, uint64 len,
	       int seed)
{
	char got[8], want[8];

	for (uint64 i = 0; i < len; i++)
		if (p[i] != pattern(off + i, seed))
			fail("%s: byte %lu (file offset %lu) is %s, expected "
			     "%s from the file", what, (unsigned long)i,
			     (unsigned long)(off + i), byte_text(p[i], got),
			     byte_text(pattern(off + i, seed), want));
}

static void
expect_bytes(const char *what, const char *p, uint64 len, char c)
{
	char got[8], want[8];

	for (uint64 i = 0; i < len; i++)
		if (p[i] != c)
			fail("%s: byte %lu is %s, expected %s", what,
			     (unsigned long)i, byte_text(p[i], got),
			     byte_text(c, want));
}

/* Read all of path (at most CHUNK bytes) into buf: its size. */
static uint64
read_file(const char *path)
{
	int fd = xopen(path, O_RDONLY), n;
	uint64 got = 0;

	while ((n = read(fd, buf + got, CHUNK - got)) > 0)
		got += n;
	if (n < 0)
		fail("read %s: %s", path, strerror(errno));
	close(fd);
	return got;
}

static void
expect_size(const char *path, uint64 got, uint64 want)
{
	if (got != want)
		fail("%s holds %lu bytes, expected %lu", path,
		     (unsigned long)got, (unsigned long)want);
}

/* Wait for the one child: its exit status. */
static int
wait_child(void)
{
	int status;

	if (wait(&status) < 0)
		fail("wait: %s", strerror(errno));
	return status;
}

/* Fail unless the child exited with status 0; what it was doing. */
static void
expect_child_ok(const char *what)
{
	int status = wait_child();

	if (status != 0)
		fail("the child that %s %s (status %d)", what,
		     status == -1 ? "was killed" : "failed", status);
}

static void
ok(void)
{
	printf("mmaptest: %s: ok\n", current);
}

/* ---- the cases ---------------------------------------------------------- */

static void
test_read(void)
{
	uint64 size = 2 * P + 2048;
	char *p, *q;
	int fd;

	make_file("mm.read", size, 1);
	fd = xopen("mm.read", O_RDONLY);
	p = xmmap(4 * P, PROT_READ, MAP_PRIVATE, fd, 0);
	q = xmmap(2 * P, PROT_READ, MAP_SHARED, fd, P);
	close(fd);      /* the mappings keep the file */
	say("mapped the file at %p (4 pages) and from its second page at %p",
	    p, q);
	if (q + 2 * P > p && p + 4 * P > q)
		fail("the two mappings overlap");
	expect_pattern("MAP_PRIVATE mapping", p, 0, size, 1);
	expect_bytes("past the end of the file", p + size, 4 * P - size, 0);
	expect_pattern("mapping at offset PGSIZE", q, P, size - P, 1);
	expect_bytes("past the end of the file (offset mapping)", q + size - P,
		     3 * P - size, 0);
	xmunmap(p, 4 * P);
	xmunmap(q, 2 * P);
	ok();
}

static void
test_lazy(void)
{
	uint64 npages = 256, before, mapped, one, all, after;
	char *p;
	int fd;

	make_file("mm.big", npages * P, 2);
	fd = xopen("mm.big", O_RDONLY);
	p = xmmap(P, PROT_READ, MAP_SHARED, fd, 0);   /* warm up */
	expect_pattern("warm-up page", p, 0, 16, 2);
	xmunmap(p, P);

	before = free_pages();
	p = xmmap(npages * P, PROT_READ, MAP_SHARED, fd, 0);
	mapped = free_pages();
	expect_pattern("page 100", p + 100 * P, 100 * P, P, 2);
	one = free_pages();
	for (uint64 i = 0; i < npages; i++)
		expect_pattern("the whole mapping", p + i * P, i * P, P, 2);
	all = free_pages();
	xmunmap(p, npages * P);
	after = free_pages();
	close(fd);
	say("free pages: %lu before mmap of %lu pages, %lu after it, %lu after "
	    "reading page 100, %lu after reading all, %lu after munmap",
	    (unsigned long)before, (unsigned long)npages, (unsigned long)mapped,
	    (unsigned long)one, (unsigned long)all, (unsigned long)after);
	if (before - mapped > 1)
		fail("mmap itself took %lu pages: it should read nothing, "
		     "pages come in on their first touch",
		     (unsigned long)(before - mapped));
	if (mapped - one < 1 || mapped - one > 3)
		fail("reading one page took %lu pages, expected 1 (or up to 3 "
		     "with page-table pages)", (unsigned long)(mapped - one));
	if (mapped - all < npages)
		fail("reading all %lu pages took only %lu pages",
		     (unsigned long)npages, (unsigned long)(mapped - all));
	if (after != before)
		fail("munmap gave back %ld pages fewer than the mapping took",
		     (long)(before - after));
	ok();
}

static void
test_private(void)
{
	char *p, *q;
	int fd;

	make_file("mm.priv", 2 * P, 3);
	fd = xopen("mm.priv", O_RDONLY);
	/* A private writable mapping of a read-only descriptor is allowed:
	 * nothing goes back to the file. */
	p = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memset(p, 'X', 100);
	p[P + 10] = 'Y';
	expect_bytes("stores into the private mapping", p, 100, 'X');
	q = xmmap(2 * P, PROT_READ, MAP_SHARED, fd, 0);
	expect_pattern("a second mapping of the file", q, 0, 2 * P, 3);
	xmunmap(p, 2 * P);
	xmunmap(q, 2 * P);
	if (fork() == 0) {
		p = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		memset(p + P, 'Z', P);
		exit(0);        /* still mapped */
	}
	expect_child_ok("stored into a private mapping");
	close(fd);
	expect_size("mm.priv", read_file("mm.priv"), 2 * P);
	expect_pattern("mm.priv after munmap and exit", buf, 0, 2 * P, 3);
	ok();
}

static void
test_shared(void)
{
	uint64 size = 2 * P + 100;
	struct stat st;
	char *p;
	int fd;

	make_file("mm.shared", size, 4);
	fd = xopen("mm.shared", O_RDWR);
	p = xmmap(3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	memset(p, 'S', P);
	memset(p + 2 * P, 'T', 200);    /* 100 bytes in the file, 100 past */
	xmunmap(p, 3 * P);
	if (stat("mm.shared", &st) < 0)
		fail("stat mm.shared: %s", strerror(errno));
	if (st.size != size)
		fail("mm.shared is %lu bytes after munmap, expected %lu: stores "
		     "past the end of the file must not grow it",
		     (unsigned long)st.size, (unsigned long)size);
	read_file("mm.shared");
	expect_bytes("mm.shared page 0 (stored to)", buf, P, 'S');
	expect_pattern("mm.shared page 1 (untouched)", buf + P, P, P, 4);
	expect_bytes("mm.shared page 2 (stored to)", buf + 2 * P, 100, 'T');
	ok();
}

static void
test_exit(void)
{
	char *p;
	int fd;

	make_file("mm.exit", 2 * P, 5);
	if (fork() == 0) {
		fd = xopen("mm.exit", O_RDWR);
		p = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		memset(p + P, 'E', 50);
		exit(0);        /* no munmap: exit writes back */
	}
	expect_child_ok("stored into a shared mapping");
	read_file("mm.exit");
	expect_pattern("mm.exit page 0", buf, 0, P, 5);
	expect_bytes("mm.exit page 1, stored to before exit", buf + P, 50, 'E');
	expect_pattern("mm.exit page 1 after the stores", buf + P + 50,
		       P + 50, P - 50, 5);
	if (fork() == 0) {
		char *argv[] = { "true", NULL };
		fd = xopen("mm.exit", O_RDWR);
		p = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		memset(p, 'X', 30);
		exec("/bin/true", argv);        /* exec writes back too */
		fail("exec /bin/true: %s", strerror(errno));
	}
	expect_child_ok("exec'd with a shared mapping");
	read_file("mm.exit");
	expect_bytes("mm.exit page 0, stored to before exec", buf, 30, 'X');
	ok();
}

static void
test_partial(void)
{
	uint64 before, after;
	char *p;
	int fd;

	make_file("mm.part", 4 * P, 6);
	before = free_pages();
	fd = xopen("mm.part", O_RDWR);
	p = xmmap(4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	expect_pattern("the mapping", p, 0, 4 * P, 6);
	xmunmap(p, P);                          /* the first page */
	expect_pattern("pages 1-3 after munmap of page 0", p + P, P, 3 * P, 6);
	memset(p + 3 * P, 'L', 10);
	xmunmap(p + 3 * P, P);                  /* the last page */
	read_file("mm.part");
	expect_bytes("mm.part page 3 after munmap of that page", buf + 3 * P,
		     10, 'L');
	expect_pattern("pages 1-2 after munmap of pages 0 and 3", p + P, P,
		       2 * P, 6);
	memset(p + P, 'M', 10);
	xmunmap(p + P, 2 * P);                  /* the rest */
	read_file("mm.part");
	expect_bytes("mm.part page 1 after munmap of pages 1-2", buf + P, 10,
		     'M');
	expect_pattern("mm.part page 0", buf, 0, P, 6);
	after = free_pages();
	say("free pages %lu before the mapping, %lu after unmapping it in "
	    "three pieces", (unsigned long)before, (unsigned long)after);
	if (after != before)
		fail("%ld pages were not given back", (long)(before - after));
	ok();
}

/* Fork a child that prints what it does, then touches p; expect the
 * kernel to kill it. */
static void
expect_killed(const char *what, volatile char *p, bool store)
{
	int status;

	if (fork() == 0) {
		say("child %s address %p", what, p);
		if (store)
			*p = 1;
		else
			buf[0] = *p;
		say("FAILED: the child %s %p was not killed", what, p);
		exit(1);
	}
	status = wait_child();
	if (status != -1)
		fail("the child that %s %p exited with status %d, expected -1 "
		     "(killed)", what, p, status);
}

static void
test_rostore(void)
{
	char *p;
	int fd;

	make_file("mm.ro", 2 * P, 7);
	fd = xopen("mm.ro", O_RDWR);    /* writable: prot alone forbids */
	p = xmmap(2 * P, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	expect_pattern("the read-only mapping", p, 0, 16, 7);
	expect_killed("stores to the read page at", p + 100, true);
	expect_killed("stores to the untouched page at", p + P + 8, true);
	expect_pattern("the read-only mapping after the children", p, 0, P, 7);
	xmunmap(p, 2 * P);
	read_file("mm.ro");
	expect_pattern("mm.ro", buf, 0, 2 * P, 7);
	ok();
}

static void
test_unmapped(void)
{
	char *p;
	int fd;

	make_file("mm.gone", 2 * P, 8);
	fd = xopen("mm.gone", O_RDONLY);
	p = xmmap(2 * P, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	expect_pattern("the mapping", p, 0, 2 * P, 8);
	xmunmap(p, P);
	expect_killed("loads from the unmapped first page at", p + 16, false);
	expect_pattern("the second page", p + P, P, P, 8);
	xmunmap(p + P, P);
	expect_killed("loads from the unmapped second page at", p + P + 32,
		      false);
	ok();
}

static void
test_syscalls(void)
{
	uint64 size = 2 * P + 300;
	char *src, *dst;
	int fd, out;

	make_file("mm.src", size, 9);
	fd = xopen("mm.src", O_RDONLY);
	src = xmmap(3 * P, PROT_READ, MAP_PRIVATE, fd, 0);
	out = open("mm.out", O_CREATE | O_TRUNC | O_RDWR);
	if (out < 0)
		fail("cannot create mm.out: %s", strerror(errno));
	/* The pages are untouched: the kernel's copyin must fault them in. */
	if (write(out, src, size) != (int)size)
		fail("write() from untouched mapped pages: %s", strerror(errno));
	close(out);
	expect_size("mm.out", read_file("mm.out"), size);
	expect_pattern("mm.out, written from the mapping", buf, 0, size, 9);
	if (read(fd, src, 10) != -1 || errno != EFAULT)
		fail("read() into a PROT_READ mapping: expected EFAULT, got %s",
		     strerror(errno));

	make_file("mm.dst", 2 * P, 10);
	out = xopen("mm.dst", O_RDWR);
	dst = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
	close(out);
	close(fd);
	fd = xopen("mm.src", O_RDONLY);
	/* Untouched again: copyout must fault them in, writable. */
	if (read(fd, dst, 2 * P) != 2 * P)
		fail("read() into untouched mapped pages: %s", strerror(errno));
	close(fd);
	expect_pattern("the mapping read() filled", dst, 0, 2 * P, 9);
	xmunmap(dst, 2 * P);
	xmunmap(src, 3 * P);
	read_file("mm.dst");
	expect_pattern("mm.dst after munmap (filled by read())", buf, 0, 2 * P, 9);
	ok();
}

static void
test_samefile(void)
{
	char *p;
	int fd;

	make_file("mm.same", 2 * P, 11);
	fd = xopen("mm.same", O_RDWR);
	p = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* read() holds the file's inode while it copies into page 1 of the
	 * file's own mapping, which is not there yet. */
	if (read(fd, p + P, P) != P)
		fail("read() of the file into its own mapping: %s",
		     strerror(errno));
	expect_pattern("page 1, filled from the file's page 0", p + P, 0, P, 11);
	/* And write(): file page 1 from mapping page 0, not there yet. */
	if (write(fd, p, P) != P)
		fail("write() of the file from its own mapping: %s",
		     strerror(errno));
	close(fd);
	xmunmap(p, 2 * P);
	read_file("mm.same");
	expect_pattern("mm.same page 0", buf, 0, P, 11);
	expect_pattern("mm.same page 1 (a copy of page 0)", buf + P, 0, P, 11);
	ok();
}

static void
test_fork(void)
{
	uint64 before, after;
	char *s, *q;
	int fd;

	make_file("mm.fork", 2 * P, 12);
	fd = xopen("mm.fork", O_RDWR);
	s = xmmap(2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = xmmap(P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	memset(s, 'P', 10);
	memset(q, 'Q', 10);
	before = free_pages();
	if (fork() == 0) {
		expect_bytes("the parent's stores in the shared mapping", s, 10,
			     'P');
		expect_pattern("the shared mapping's page 1 (untouched)",
			       s + P, P, P, 12);
		expect_bytes("the parent's stores in the private mapping", q,
			     10, 'Q');
		expect_pattern("the rest of the private mapping", q + 10, 10,
			       P - 10, 12);
		memset(s + P, 'C', 10);
		exit(0);        /* no munmap: exit writes back */
	}
	expect_child_ok("checked the mappings it inherited");
	after = free_pages();
	xmunmap(s, 2 * P);
	xmunmap(q, P);
	read_file("mm.fork");
	expect_bytes("mm.fork page 0 (the parent's stores)", buf, 10, 'P');
	expect_pattern("mm.fork page 0 after the stores", buf + 10, 10,
		       P - 10, 12);
	expect_bytes("mm.fork page 1 (the child's stores)", buf + P, 10, 'C');
	expect_pattern("mm.fork page 1 after the stores", buf + P + 10, P + 10,
		       P - 10, 12);
	say("free pages %lu before fork, %lu after the child exited",
	    (unsigned long)before, (unsigned long)after);
	if (after != before)
		fail("the child's exit did not give back %ld pages",
		     (long)(before - after));
	ok();
}

/* A call that must fail with errno want. */
static void
expect_error(long r, int want, const char *what)
{
	if (r != -1)
		fail("%s: succeeded (returned %p), expected %s", what,
		     (void *)r, strerror(want));
	if (errno != want)
		fail("%s: failed with \"%s\", expected \"%s\"", what,
		     strerror(errno), strerror(want));
	say("%s: %s", what, strerror(errno));
}

static void
test_badargs(void)
{
	int rw, ro, wo, fds[2];
	char *maps[NVMA];
	uint64 before;

	make_file("mm.bad", P, 13);
	rw = xopen("mm.bad", O_RDWR);
	ro = xopen("mm.bad", O_RDONLY);
	wo = xopen("mm.bad", O_WRONLY);
	if (pipe(fds) < 0)
		fail("pipe: %s", strerror(errno));
	before = free_pages();
#define M(len, prot, flags, fd, off) (long)mmap(0, len, prot, flags, fd, off)
	expect_error(M(0, PROT_READ, MAP_SHARED, rw, 0), EINVAL, "length 0");
	expect_error(M(P, PROT_READ, 0, rw, 0), EINVAL, "flags 0");
	expect_error(M(P, PROT_READ, MAP_SHARED | MAP_PRIVATE, rw, 0), EINVAL,
		     "flags MAP_SHARED|MAP_PRIVATE");
	expect_error(M(P, PROT_READ, MAP_SHARED | 0x100, rw, 0), EINVAL,
		     "an unknown flag");
	expect_error(M(P, PROT_READ | 0x8, MAP_SHARED, rw, 0), EINVAL,
		     "an unknown prot bit");
	expect_error(M(P, PROT_WRITE, MAP_SHARED, rw, 0), EINVAL,
		     "prot PROT_WRITE without PROT_READ");
	expect_error(M(P, PROT_READ, MAP_SHARED, rw, 100), EINVAL,
		     "offset 100 (not page-aligned)");
	expect_error(M(P, PROT_READ, MAP_SHARED, -1, 0), EBADF, "fd -1");
	expect_error(M(P, PROT_READ, MAP_SHARED, NOFILE + 3, 0), EBADF,
		     "fd NOFILE+3");
	expect_error(M(P, PROT_READ, MAP_SHARED, 12, 0), EBADF,
		     "fd 12 (not open)");
	expect_error(M(P, PROT_READ, MAP_SHARED, fds[0], 0), ENODEV, "a pipe");
	expect_error(M(P, PROT_READ, MAP_SHARED, 1, 0), ENODEV, "the console");
	expect_error(M(P, PROT_READ, MAP_PRIVATE, wo, 0), EACCES,
		     "PROT_READ of an O_WRONLY file");
	expect_error(M(P, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES,
		     "MAP_SHARED PROT_WRITE of an O_RDONLY file");
	expect_error(M(1UL << 40, PROT_READ, MAP_PRIVATE, ro, 0), ENOMEM,
		     "length 1 TiB (more than the address space)");
#undef M
	for (int i = 0; i < NVMA; i++)
		maps[i] = xmmap(P, PROT_READ, MAP_PRIVATE, ro, 0);
	expect_error((long)mmap(0, P, PROT_READ, MAP_PRIVATE, ro, 0), ENOMEM,
		     "mapping number NVMA+1");
	for (int i = 0; i < NVMA; i++)
		xmunmap(maps[i], P);
	maps[0] = xmmap(P, PROT_READ, MAP_PRIVATE, ro, 0);
	expect_pattern("a mapping after the munmaps", maps[0], 0, P, 13);
	expect_error(munmap(maps[0] + 1, P), EINVAL, "munmap of an unaligned "
		     "address");
	expect_error(munmap(maps[0], 0), EINVAL, "munmap of length 0");
	expect_pattern("the mapping after the failed munmaps", maps[0], 0, P, 13);
	xmunmap(maps[0], P);
	if (free_pages() != before)
		fail("%ld pages were not given back", (long)(before - free_pages()));
	ok();
}

static void
test_heap(void)
{
	uint64 base = (uint64)sbrk(0), grown = 0, step = 1UL << 30;
	char *m, *top;
	int fd;

	make_file("mm.heap", P, 14);
	fd = xopen("mm.heap", O_RDONLY);
	m = xmmap(P, PROT_READ, MAP_PRIVATE, fd, 0);
	expect_pattern("the mapping", m, 0, P, 14);
	/* Grow the heap as far as it goes, a GiB at a time, then less. */
	for (int calls = 0; step >= P && calls < 1000; calls++) {
		if (sbrk(step) != (char *)-1) {
			grown += step;
		} else {
			if (errno != ENOMEM)
				fail("sbrk(%lu) failed with %s, expected ENOMEM",
				     (unsigned long)step, strerror(errno));
			step /= 2;
		}
	}
	top = sbrk(0);
	say("the mapping is at %p; the heap grew from %p to %p", m,
	    (void *)base, top);
	if (top > m)
		fail("the heap grew over the mapping (to %p, the mapping is at "
		     "%p): sbrk must stop below the lowest mapping", top, m);
	top[-1] = 1;    /* the heap's last page, right below the mapping */
	expect_pattern("the mapping after the heap grew to it", m, 0, P, 14);
	expect_error((long)mmap(0, 2 * P, PROT_READ, MAP_PRIVATE, fd, 0),
		     ENOMEM, "mmap with the heap grown up to the mappings");
	for (; grown > 0; grown -= step) {
		step = grown < (1UL << 30) ? grown : (1UL << 30);
		if (sbrk(-(int)step) == (char *)-1)
			fail("sbrk(-%lu) failed: %s", (unsigned long)step,
			     strerror(errno));
	}
	xmunmap(m, P);
	m = xmmap(P, PROT_READ, MAP_PRIVATE, fd, 0);
	expect_pattern("a new mapping after the heap shrank", m, 0, P, 14);
	xmunmap(m, P);
	close(fd);
	ok();
}

/* One round of everything, for test_leaks. */
static void
leak_round(void)
{
	char *s, *p;
	int fd = xopen("mm.leak", O_RDWR);

	s = xmmap(3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p = xmmap(3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	for (int i = 0; i < 3; i++) {
		s[i * P] = 'a' + i;
		p[i * P + 1] = 'A' + i;
	}
	if (fork() == 0) {
		for (int i = 0; i < 3; i++)
			s[i * P + 2] = p[i * P + 1];
		exit(0);
	}
	expect_child_ok("stored into the mappings it inherited");
	xmunmap(s, P);
	xmunmap(s + P, 2 * P);
	xmunmap(p, 3 * P);
}

static void
test_leaks(void)
{
	uint64 before, after;
	int fd;

	make_file("mm.leak", 3 * P, 15);
	leak_round();                   /* warm up */
	before = free_pages();
	for (int i = 0; i < 3; i++)
		leak_round();
	after = free_pages();
	say("free pages %lu before three rounds of mmap, fork, exit and "
	    "munmap, %lu after", (unsigned long)before, (unsigned long)after);
	if (after != before)
		fail("%ld pages were not given back", (long)(before - after));
	/* Each mapping holds the file open; munmap must let it go, or the
	 * system's NFILE open files run out. */
	for (int i = 0; i < NFILE + 20; i++) {
		char *p;
		if ((fd = open("mm.leak", O_RDONLY)) < 0)
			fail("open failed after %d rounds of open, mmap, close, "
			     "munmap: %s (does munmap close the mapping's "
			     "file?)", i, strerror(errno));
		p = xmmap(P, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		xmunmap(p, P);
	}
	ok();
}

static const struct {
	const char *name;
	void (*fn)(void);
	bool in_all;
} cases[] = {
	{ "read", test_read, true },
	{ "lazy", test_lazy, true },
	{ "private", test_private, true },
	{ "shared", test_shared, true },
	{ "exit", test_exit, true },
	{ "partial", test_partial, true },
	{ "rostore", test_rostore, false },
	{ "unmapped", test_unmapped, false },
	{ "syscalls", test_syscalls, true },
	{ "samefile", test_samefile, true },
	{ "fork", test_fork, true },
	{ "badargs", test_badargs, true },
	{ "heap", test_heap, true },
	{ "leaks", test_leaks, true },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Run one case in a child, so that a failure ends only that case. */
static int
run_case(int i)
{
	int pid = fork(), status;

	if (pid < 0) {
		printf("mmaptest: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		current = cases[i].name;
		cases[i].fn();
		exit(0);
	}
	if (wait(&status) < 0 || status != 0) {
		if (status == -1)
			printf("mmaptest: %s: FAILED: killed\n", cases[i].name);
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	int failed = 0;

	if (argc > 2) {
		fprintf(2, "usage: mmaptest [case]\n");
		return 2;
	}
	for (uint i = 0; i < NCASES; i++) {
		if (argc == 2 ? strcmp(argv[1], cases[i].name) == 0 :
		    cases[i].in_all)
			failed |= run_case(i);
		else
			continue;
		if (argc == 2)
			return failed;
	}
	if (argc == 2) {
		fprintf(2, "mmaptest: no case %s\n", argv[1]);
		return 2;
	}
	return failed;
}
