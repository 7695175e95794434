/*
 * labs/fs/user/symtest.c: checks of symbolic links, for the fs lab.
 *
 * usage: symtest
 *
 * Works in a fresh directory /symtest.d and runs each check below in
 * turn.  A check prints one line, "symtest: NAME: ok", or a line
 * "symtest: NAME: FAIL: ..." for each thing that went wrong, saying what
 * was expected and what happened.  "symtest: done" comes last.
 */
#include "user/user.h"
#include "include/path.h"

#define DIR "/symtest.d"

static const char *check;   /* the check running */
static bool failed;         /* ... has printed a FAIL line */

static void
fail(const char *fmt, ...)
{
	va_list ap;

	printf("symtest: %s: FAIL: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = true;
}

/* r, what a call returned, must be 0 (or for open, a descriptor). */
static bool
want_ok(int r, const char *what)
{
	if (r >= 0)
		return true;
	fail("%s failed (%s); it should succeed", what, strerror(errno));
	return false;
}

/* r must be -1 with errno err. */
static void
want_error(int r, int err, const char *what)
{
	if (r >= 0)
		fail("%s returned %d; it should fail with %s", what, r,
		     errno_name(err));
	else if (errno != err)
		fail("%s failed with %s (%s); it should fail with %s", what,
		     errno_name(errno), strerror(errno), errno_name(err));
}

/* Make file path hold text. */
static void
put(const char *path, const char *text)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);

	if (!want_ok(fd, path))
		return;
	if (write(fd, text, strlen(text)) != (int)strlen(text))
		fail("write to %s: %s", path, strerror(errno));
	close(fd);
}

/* What open(path) reads must be text. */
static void
want_text(const char *path, const char *text)
{
	char buf[64];
	int fd, n;

	if ((fd = open(path, O_RDONLY)) < 0) {
		fail("open(\"%s\") failed (%s); it should read \"%s\"", path,
		     strerror(errno), text);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (strcmp(buf, text) != 0)
		fail("open(\"%s\") read \"%s\"; it should read \"%s\"", path, buf,
		     text);
}

/* readlink(path) must give exactly target. */
static void
want_link(const char *path, const char *target)
{
	char buf[MAXPATH + 8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = readlink(path, buf, sizeof(buf));
	if (n < 0) {
		fail("readlink(\"%s\") failed (%s); it should give \"%s\"", path,
		     strerror(errno), target);
		return;
	}
	if (n != (int)strlen(target) || memcmp(buf, target, n) != 0) {
		buf[n < MAXPATH ? n : MAXPATH] = 0;
		fail("readlink(\"%s\") gave %d bytes \"%s\"; it should give the "
		     "%d bytes \"%s\"", path, n, buf, (int)strlen(target), target);
	}
}

/* fstat of what path opens; false (and a FAIL) if it cannot. */
static bool
stat_of(const char *path, struct stat *st)
{
	if (stat(path, st) == 0)
		return true;
	fail("stat(\"%s\") failed (%s)", path, strerror(errno));
	return false;
}

/* ---- the checks ---------------------------------------------------------- */

static void
check_create(void)
{
	char long_target[MAXPATH], buf[8];

	if (!want_ok(symlink("target-file", "l1"), "symlink(\"target-file\", \"l1\")"))
		return;
	want_link("l1", "target-file");
	memset(buf, 0, sizeof(buf));
	if (readlink("l1", buf, 3) != 3 || memcmp(buf, "tar\0", 4) != 0)
		fail("readlink(\"l1\", buf, 3) should copy 3 bytes, \"tar\", and "
		     "no NUL");
	want_error(symlink("x", "l1"), EEXIST, "symlink over an existing link");
	put("file", "data");
	want_error(symlink("x", "file"), EEXIST, "symlink over an existing file");
	want_error(symlink("", "empty"), ENOENT, "symlink with an empty target");
	want_error(symlink("x", "nodir/l"), ENOENT, "symlink in a missing directory");
	want_error(readlink("file", buf, sizeof(buf)), EINVAL, "readlink of a file");
	want_error(readlink(".", buf, sizeof(buf)), EINVAL, "readlink of a directory");
	want_error(readlink("nosuch", buf, sizeof(buf)), ENOENT, "readlink of nothing");
	want_error(readlink("l1", buf, 0), EINVAL, "readlink with n = 0");
	memset(long_target, 'a', MAXPATH - 1);
	long_target[MAXPATH - 1] = 0;
	if (want_ok(symlink(long_target, "long"), "symlink with a target of MAXPATH-1 bytes"))
		want_link("long", long_target);
}

static void
check_bad_addresses(void)
{
	char *bad = (char *)0x10;   /* below every user mapping */
	char buf[8];

	want_error(symlink(bad, "b1"), EFAULT, "symlink with a bad target pointer");
	want_error(symlink("x", bad), EFAULT, "symlink with a bad path pointer");
	if (want_ok(symlink("target", "b2"), "symlink(\"target\", \"b2\")"))
		want_error(readlink("b2", bad, 8), EFAULT, "readlink into a bad buffer");
	want_error(readlink(bad, buf, 8), EFAULT, "readlink with a bad path pointer");
	want_error(readlink("b2", buf, -1), EINVAL, "readlink with n = -1");
}

static void
check_follow(void)
{
	struct stat file_st, link_st;
	int fd;

	put("f", "first");
	if (!want_ok(symlink("f", "lf"), "symlink(\"f\", \"lf\")"))
		return;
	want_text("lf", "first");
	put("lf", "second");   /* O_CREATE | O_TRUNC through the link */
	want_text("f", "second");
	if (!stat_of("f", &file_st) || !stat_of("lf", &link_st))
		return;
	if (link_st.type != T_FILE || link_st.ino != file_st.ino)
		fail("fstat through the link shows type %d inode %u; it should "
		     "show the file's, type %d inode %u", link_st.type,
		     link_st.ino, T_FILE, file_st.ino);
	if ((fd = open("lf", O_WRONLY | O_APPEND)) >= 0) {
		write(fd, "+", 1);
		close(fd);
	}
	want_text("f", "second+");
}

static void
check_dangling(void)
{
	if (!want_ok(symlink("later", "ld"), "symlink(\"later\", \"ld\")"))
		return;
	want_error(open("ld", O_RDONLY), ENOENT, "open of a link to nothing");
	want_error(chdir("ld"), ENOENT, "chdir to a link to nothing");
	want_link("ld", "later");
	put("later", "now");
	want_text("ld", "now");
	want_ok(unlink("later"), "unlink(\"later\")");
	want_error(open("ld", O_RDONLY), ENOENT, "open of a link whose target was removed");
	want_ok(unlink("ld"), "unlink of a link to nothing");
	want_error(readlink("ld", (char[4]){0}, 4), ENOENT, "readlink of a removed link");
}

static void
check_unlink(void)
{
	struct stat st;

	put("u", "kept");
	if (!want_ok(symlink("u", "lu"), "symlink(\"u\", \"lu\")") ||
	    !want_ok(unlink("lu"), "unlink(\"lu\")"))
		return;
	want_text("u", "kept");
	want_error(readlink("lu", (char[4]){0}, 4), ENOENT, "readlink after unlink");
	if (stat_of("u", &st) && st.nlink != 1)
		fail("after unlinking a link to u, u has %d links; it should have 1",
		     st.nlink);
}

static void
check_nofollow(void)
{
	int fd;

	put("n", "plain");
	mkdir("nd");
	put("nd/f", "inside");
	if (!want_ok(symlink("n", "ln"), "symlink(\"n\", \"ln\")") ||
	    !want_ok(symlink("nd", "lnd"), "symlink(\"nd\", \"lnd\")"))
		return;
	want_error(open("ln", O_RDONLY | O_NOFOLLOW), ELOOP,
		   "open(\"ln\", O_NOFOLLOW) of a link");
	want_error(open("ln", O_WRONLY | O_CREATE | O_NOFOLLOW), ELOOP,
		   "open(\"ln\", O_CREATE | O_NOFOLLOW) of a link");
	want_text("n", "plain");
	if (want_ok(fd = open("n", O_RDONLY | O_NOFOLLOW), "open(\"n\", O_NOFOLLOW) of a file"))
		close(fd);
	if (want_ok(fd = open("lnd/f", O_RDONLY | O_NOFOLLOW),
		    "open(\"lnd/f\", O_NOFOLLOW): a link in the middle is followed"))
		close(fd);
}

static void
check_relative(void)
{
	mkdir("r");
	mkdir("r/s");
	put("top", "top");
	put("r/top", "in-r");
	if (!want_ok(symlink("top", "r/l"), "symlink(\"top\", \"r/l\")") ||
	    !want_ok(symlink("../top", "r/up"), "symlink(\"../top\", \"r/up\")") ||
	    !want_ok(symlink(DIR "/top", "r/abs"), "symlink(\"" DIR "/top\", \"r/abs\")") ||
	    !want_ok(symlink("../l", "r/s/l2"), "symlink(\"../l\", \"r/s/l2\")"))
		return;
	want_text("r/l", "in-r");     /* from the link's directory, not ours */
	want_text("r/up", "top");
	want_text("r/abs", "top");
	want_text("r/s/l2", "in-r");  /* each link from its own directory */
	if (!want_ok(chdir("r/s"), "chdir(\"r/s\")"))
		return;
	want_text("l2", "in-r");
	want_text("../up", "top");
	chdir(DIR);
}

static void
check_depth(void)
{
	char name[16], prev[16];
	int i;

	put("end", "reached");
	mkdir("dd");
	put("dd/f", "deep");
	strcpy(prev, "end");
	for (i = 0; i <= MAXSYMLINKS; i++) {   /* c0 -> end, c1 -> c0, ... */
		snprintf(name, sizeof(name), "c%d", i);
		if (!want_ok(symlink(prev, name), "symlink in a chain"))
			return;
		strcpy(prev, name);
	}
	strcpy(prev, "dd");
	for (i = 0; i <= MAXSYMLINKS; i++) {   /* e0 -> dd, e1 -> e0, ... */
		snprintf(name, sizeof(name), "e%d", i);
		if (!want_ok(symlink(prev, name), "symlink in a chain"))
			return;
		strcpy(prev, name);
	}
	snprintf(name, sizeof(name), "c%d", MAXSYMLINKS - 1);
	want_text(name, "reached");   /* MAXSYMLINKS links: allowed */
	snprintf(name, sizeof(name), "c%d", MAXSYMLINKS);
	want_error(open(name, O_RDONLY), ELOOP, "open of a chain of MAXSYMLINKS+1 links");
	snprintf(name, sizeof(name), "e%d/f", MAXSYMLINKS - 1);
	want_text(name, "deep");
	snprintf(name, sizeof(name), "e%d/f", MAXSYMLINKS);
	want_error(open(name, O_RDONLY), ELOOP,
		   "open through MAXSYMLINKS+1 links in the middle of a path");
	if (!want_ok(symlink("self", "self"), "symlink(\"self\", \"self\")") ||
	    !want_ok(symlink("pong", "ping"), "symlink(\"pong\", \"ping\")") ||
	    !want_ok(symlink("ping", "pong"), "symlink(\"ping\", \"pong\")"))
		return;
	want_error(open("self", O_RDONLY), ELOOP, "open of a link to itself");
	want_error(open("ping", O_RDONLY), ELOOP, "open of two links naming each other");
	want_error(open("self/x", O_RDONLY), ELOOP, "open through a link to itself");
	want_error(chdir("ping"), ELOOP, "chdir to two links naming each other");
	want_link("self", "self");
}

static void
check_directories(void)
{
	struct stat d_st, l_st, sub_st;

	mkdir("d");
	put("d/f", "in-d");
	if (!want_ok(symlink("d", "ldir"), "symlink(\"d\", \"ldir\")") ||
	    !want_ok(symlink("/", "root"), "symlink(\"/\", \"root\")"))
		return;
	want_text("ldir/f", "in-d");
	want_text("root" DIR "/d/f", "in-d");
	if (stat_of("d", &d_st) && stat_of("ldir", &l_st) &&
	    (l_st.type != T_DIR || l_st.ino != d_st.ino))
		fail("stat(\"ldir\") shows type %d inode %u; it should show d's, "
		     "type %d inode %u", l_st.type, l_st.ino, T_DIR, d_st.ino);
	want_ok(mkdir("ldir/sub"), "mkdir(\"ldir/sub\")");
	if (stat_of("d/sub", &sub_st) && sub_st.type != T_DIR)
		fail("mkdir(\"ldir/sub\") made type %d at d/sub", sub_st.type);
	put("ldir/new", "made");
	want_text("d/new", "made");
	want_ok(unlink("ldir/new"), "unlink(\"ldir/new\")");
	want_error(open("d/new", O_RDONLY), ENOENT, "open of d/new after unlink(\"ldir/new\")");
	want_ok(unlink("ldir/sub"), "unlink(\"ldir/sub\")");
	if (want_ok(chdir("ldir"), "chdir(\"ldir\")")) {
		want_text("f", "in-d");
		want_text("../top", "top");   /* ".." of d: the link is gone */
		chdir(DIR);
	}
	want_ok(unlink("ldir"), "unlink(\"ldir\")");
	want_text("d/f", "in-d");
}

static void
check_hard_link(void)
{
	put("h", "hard");
	if (!want_ok(symlink("h", "lh"), "symlink(\"h\", \"lh\")") ||
	    !want_ok(link("lh", "lh2"), "link(\"lh\", \"lh2\")"))
		return;
	want_link("lh2", "h");   /* link names the link itself */
	want_text("lh2", "hard");
	want_ok(unlink("lh"), "unlink(\"lh\")");
	want_link("lh2", "h");
}

static const struct {
	const char *name;
	void (*fn)(void);
} checks[] = {
	{ "create", check_create },
	{ "bad addresses", check_bad_addresses },
	{ "follow", check_follow },
	{ "dangling", check_dangling },
	{ "unlink", check_unlink },
	{ "nofollow", check_nofollow },
	{ "relative", check_relative },
	{ "depth", check_depth },
	{ "directories", check_directories },
	{ "hard link", check_hard_link },
};

int
main(void)
{
	remove_tree(DIR);
	if (mkdir(DIR) < 0 || chdir(DIR) < 0) {
		fprintf(2, "symtest: cannot make %s: %s\n", DIR, strerror(errno));
		return 1;
	}
	for (uint i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		check = checks[i].name;
		failed = false;
		checks[i].fn();
		chdir(DIR);
		if (!failed)
			printf("symtest: %s: ok\n", check);
	}
	printf("symtest: done\n");
	return 0;
}
