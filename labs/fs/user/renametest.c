/*
 * labs/fs/user/renametest.c: checks of rename, for the fs lab.
 *
 * usage: renametest          the checks, in a fresh directory /renametest.d
 *        renametest race     processes renaming across two directories
 *                            both ways at once, and up and down a tree
 *        renametest spin     rename a file and a directory back and forth
 *                            between /spin/a and /spin/b until killed
 *                            (the grader cuts the power meanwhile)
 *
 * Each check prints "renametest: NAME: ok", or a line
 * "renametest: NAME: FAIL: ..." for each thing that went wrong, saying
 * what was expected and what happened; "renametest: done" comes last.
 */
#include "user/user.h"

#define DIR "/renametest.d"
#define RACE_ROUNDS 300
#define SPIN_REPORT 10   /* spin prints a line every this many rounds */

static const char *check;   /* the check running */
static bool failed;         /* ... has printed a FAIL line */

static void
fail(const char *fmt, ...)
{
	va_list ap;

	printf("renametest: %s: FAIL: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = true;
}

static bool
want_ok(int r, const char *what)
{
	if (r >= 0)
		return true;
	fail("%s failed (%s); it should succeed", what, strerror(errno));
	return false;
}

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

/* rename(old, new), which must succeed. */
static bool
move(const char *old, const char *new)
{
	char what[96];

	snprintf(what, sizeof(what), "rename(\"%s\", \"%s\")", old, new);
	return want_ok(rename(old, new), what);
}

/* rename(old, new), which must fail with err. */
static void
refuse(const char *old, const char *new, int err)
{
	char what[96];

	snprintf(what, sizeof(what), "rename(\"%s\", \"%s\")", old, new);
	want_error(rename(old, new), err, what);
}

static void
put(const char *path, const char *text)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);

	if (!want_ok(fd, path))
		return;
	write(fd, text, strlen(text));
	close(fd);
}

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

static void
want_gone(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		close(fd);
		fail("%s still exists; rename should have removed that name", path);
	} else if (errno != ENOENT) {
		fail("open(\"%s\") failed with %s; it should fail with ENOENT",
		     path, errno_name(errno));
	}
}

/* The inode number and link count of what path names (0, 0 if nothing). */
static struct stat
stat_or_zero(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	return st;
}

/* path's link count must be want. */
static void
want_nlink(const char *path, int want, const char *why)
{
	struct stat st = stat_or_zero(path);

	if (st.nlink != want)
		fail("%s has %d links; it should have %d (%s)", path, st.nlink,
		     want, why);
}

/* ---- the checks ---------------------------------------------------------- */

static void
check_file(void)
{
	uint ino;

	put("a", "apple");
	ino = stat_or_zero("a").ino;
	if (!move("a", "b"))
		return;
	want_gone("a");
	want_text("b", "apple");
	if (stat_or_zero("b").ino != ino)
		fail("b is inode %u; rename must keep the inode (a was %u)",
		     stat_or_zero("b").ino, ino);
	want_nlink("b", 1, "a rename adds no link");
}

static void
check_across(void)
{
	mkdir("x");
	mkdir("y");
	put("x/f", "fig");
	if (!move("x/f", "y/g"))
		return;
	want_gone("x/f");
	want_text("y/g", "fig");
	if (move("y/g", "top"))
		want_text("top", "fig");
}

static void
check_replace(void)
{
	int fd;
	char buf[8];

	put("t", "old");
	link("t", "t2");
	put("s", "new");
	fd = open("t", O_RDONLY);
	if (!move("s", "t"))
		return;
	want_gone("s");
	want_text("t", "new");
	want_text("t2", "old");
	want_nlink("t2", 1, "the replaced file lost its name t");
	/* The replaced file lives on while it is open. */
	if (fd >= 0) {
		memset(buf, 0, sizeof(buf));
		if (read(fd, buf, sizeof(buf) - 1) != 3 || strcmp(buf, "old") != 0)
			fail("a descriptor open on the replaced t read \"%s\"; it "
			     "should still read \"old\"", buf);
		close(fd);
	}
	put("u", "once");
	fd = open("u", O_RDONLY);
	if (move("t", "u") && fd >= 0) {
		memset(buf, 0, sizeof(buf));
		read(fd, buf, sizeof(buf) - 1);
		if (strcmp(buf, "once") != 0)
			fail("a descriptor open on a replaced file with no other "
			     "name read \"%s\"; it should read \"once\"", buf);
	}
	if (fd >= 0)
		close(fd);
}

static void
check_directory(void)
{
	struct stat q_st, up_st;

	mkdir("p");
	mkdir("q");
	mkdir("p/d");
	mkdir("p/d/inner");
	put("p/d/f", "deep");
	want_nlink("p", 2, "its entry and d's \"..\"");
	if (!move("p/d", "q/d"))
		return;
	want_gone("p/d");
	want_text("q/d/f", "deep");
	want_nlink("p", 1, "d moved out of it");
	want_nlink("q", 2, "d moved into it");
	want_nlink("q/d", 2, "moving d keeps its own count");
	q_st = stat_or_zero("q");
	up_st = stat_or_zero("q/d/..");
	if (up_st.ino != q_st.ino)
		fail("q/d/.. is inode %u; after the move it should be q, %u",
		     up_st.ino, q_st.ino);
	want_text("q/d/inner/../f", "deep");
	if (move("q/d", "q/e")) {
		want_nlink("q", 2, "a rename within q keeps its count");
		want_text("q/e/f", "deep");
	}
}

static void
check_mismatch(void)
{
	mkdir("m");
	mkdir("m/empty");
	mkdir("m/full");
	put("m/full/f", "x");
	mkdir("m/dir");
	put("m/file", "file");
	refuse("m/file", "m/empty", EISDIR);
	refuse("m/dir", "m/file", ENOTDIR);
	refuse("m/dir", "m/full", ENOTEMPTY);
	want_text("m/file", "file");
	want_text("m/full/f", "x");
	want_nlink("m", 4, "empty, full and dir");
	if (move("m/dir", "m/empty")) {
		want_gone("m/dir");
		want_nlink("m", 3, "dir replaced empty: one subdirectory fewer");
	}
	mkdir("other");
	mkdir("other/z");
	put("other/z/keep", "k");
	if (move("other/z", "m/empty")) {
		want_nlink("m", 3, "z replaced empty");
		want_nlink("other", 1, "z moved out of it");
		want_text("m/empty/keep", "k");
	}
}

static void
check_refusals(void)
{
	char *bad = (char *)0x10;

	mkdir("a");
	mkdir("a/b");
	mkdir("a/b/c");
	put("f", "file");
	refuse("a", "a/x", EINVAL);
	refuse("a", "a/b/c/x", EINVAL);
	refuse("a/b", "a/b/c/x", EINVAL);
	refuse("a", "a/b", EINVAL);
	refuse("a/b/c", "a", ENOTEMPTY);
	refuse("a/b/c", "a/b", ENOTEMPTY);
	refuse("/", "x", EBUSY);
	refuse("f", "/", EBUSY);
	refuse("a/.", "x", EINVAL);
	refuse("a/b/..", "x", EINVAL);
	refuse("f", "a/..", EINVAL);
	refuse("nosuch", "x", ENOENT);
	refuse("f", "nosuch/x", ENOENT);
	refuse("f", "f/x", ENOTDIR);
	want_error(rename(bad, "x"), EFAULT, "rename with a bad old pointer");
	want_error(rename("f", bad), EFAULT, "rename with a bad new pointer");
	if (want_ok(symlink("a/b", "lb"), "symlink(\"a/b\", \"lb\")"))
		refuse("a", "lb/x", EINVAL);   /* below itself, through a link */
	want_text("f", "file");
	want_nlink("a", 2, "nothing moved");
	want_nlink("a/b/c", 1, "nothing moved");
}

static void
check_same(void)
{
	put("same", "s");
	link("same", "alias");
	mkdir("sd");
	if (move("same", "same"))
		want_text("same", "s");
	if (move("same", "alias")) {   /* two names of one file: nothing */
		want_text("same", "s");
		want_text("alias", "s");
		want_nlink("same", 2, "renaming onto its other name changes nothing");
	}
	if (move("sd", "sd") && move("sd", "./sd"))
		want_nlink("sd", 1, "renaming onto itself changes nothing");
}

static void
check_symlinks(void)
{
	char buf[8];
	int n;

	mkdir("sx");
	put("sx/f", "via");
	mkdir("sy");
	if (!want_ok(symlink("f", "sx/l"), "symlink(\"f\", \"sx/l\")") ||
	    !want_ok(symlink("sx", "lsx"), "symlink(\"sx\", \"lsx\")"))
		return;
	if (move("sx/l", "sx/m")) {   /* the link moves, not its target */
		n = readlink("sx/m", buf, sizeof(buf));
		if (n != 1 || buf[0] != 'f')
			fail("after rename(\"sx/l\", \"sx/m\"), readlink(\"sx/m\") "
			     "should give \"f\"");
		want_text("sx/f", "via");
	}
	if (move("lsx/f", "sy/f")) {   /* through a link to a directory */
		want_text("sy/f", "via");
		want_gone("sx/f");
	}
	if (move("lsx", "lsy")) {   /* the link to sx, not sx */
		if (stat_or_zero("sx").ino == 0)
			fail("renaming the link lsx moved the directory sx");
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
} checks[] = {
	{ "file", check_file },
	{ "across", check_across },
	{ "replace", check_replace },
	{ "directory", check_directory },
	{ "mismatch", check_mismatch },
	{ "refusals", check_refusals },
	{ "same file", check_same },
	{ "symlinks", check_symlinks },
};

static int
run_checks(void)
{
	remove_tree(DIR);
	if (mkdir(DIR) < 0 || chdir(DIR) < 0) {
		fprintf(2, "renametest: cannot make %s: %s\n", DIR, strerror(errno));
		return 1;
	}
	for (uint i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		check = checks[i].name;
		failed = false;
		checks[i].fn();
		chdir(DIR);
		if (!failed)
			printf("renametest: %s: ok\n", check);
	}
	printf("renametest: done\n");
	return 0;
}

/* ---- race ---------------------------------------------------------------- */

/*
 * Move name from directory `from` to `to` and back, rounds times; exit 1
 * after a failure.  Run by several processes at once on the same two
 * directories, in opposite directions.
 */
static void
shuttle(const char *from, const char *to, const char *name, int rounds)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "%s/%s", from, name);
	snprintf(b, sizeof(b), "%s/%s", to, name);
	for (int i = 0; i < rounds; i++) {
		if (rename(a, b) < 0 || rename(b, a) < 0) {
			printf("renametest: race: FAIL: moving %s between %s and %s: "
			       "%s\n", name, from, to, strerror(errno));
			exit(1);
		}
	}
	exit(0);
}

static int
run_race(void)
{
	static const struct {
		const char *from, *to, *name;
	} movers[] = {
		{ "A", "B", "fa" },          /* files, A to B and back */
		{ "A", "B", "ga" },
		{ "A", "B", "ha" },
		{ "B", "A", "fb" },          /* files, the other way */
		{ "B", "A", "gb" },
		{ "B", "A", "hb" },
		{ "A", "B", "da" },          /* directory, A to B */
		{ "B", "A", "db" },          /* directory, the other way */
		{ "A", "A/sub", "up" },      /* parent to child */
		{ "A/sub", "A", "down" },    /* child to parent */
	};
	int n = sizeof(movers) / sizeof(movers[0]), status, bad = 0;

	check = "race";
	remove_tree(DIR);
	if (mkdir(DIR) < 0 || chdir(DIR) < 0 || mkdir("A") < 0 || mkdir("B") < 0 ||
	    mkdir("A/sub") < 0) {
		printf("renametest: race: FAIL: cannot make its directories: %s\n",
		       strerror(errno));
		return 1;
	}
	put("A/fa", "fa");
	put("A/ga", "ga");
	put("A/ha", "ha");
	put("B/fb", "fb");
	put("B/gb", "gb");
	put("B/hb", "hb");
	mkdir("A/da");
	mkdir("B/db");
	mkdir("A/up");
	put("A/sub/down", "down");
	for (int i = 0; i < n; i++) {
		int pid = fork();
		if (pid == 0)
			shuttle(movers[i].from, movers[i].to, movers[i].name,
				RACE_ROUNDS);
		if (pid < 0)
			fail("fork: %s", strerror(errno));
	}
	while (wait(&status) > 0)
		bad |= status != 0;
	failed = bad;
	want_text("A/fa", "fa");
	want_text("A/ha", "ha");
	want_text("B/fb", "fb");
	want_text("B/hb", "hb");
	want_text("A/sub/down", "down");
	want_nlink("A", 4, "sub, da and up are in it");
	want_nlink("B", 2, "db is in it");
	want_nlink("A/sub", 1, "up is back in A");
	if (!failed)
		printf("renametest: race: ok (%d processes, %d round trips each)\n",
		       n, RACE_ROUNDS);
	return failed;
}

/* ---- spin ---------------------------------------------------------------- */

static int
run_spin(void)
{
	check = "spin";
	remove_tree("/spin");
	if (mkdir("/spin") < 0 || mkdir("/spin/a") < 0 || mkdir("/spin/b") < 0 ||
	    mkdir("/spin/a/d") < 0) {
		printf("renametest: spin: FAIL: cannot make /spin: %s\n",
		       strerror(errno));
		return 1;
	}
	put("/spin/a/f", "spinning file\n");
	put("/spin/a/d/x", "inside the directory\n");
	for (int round = 1; ; round++) {
		if (rename("/spin/a/f", "/spin/b/f") < 0 ||
		    rename("/spin/a/d", "/spin/b/d") < 0 ||
		    rename("/spin/b/f", "/spin/a/f") < 0 ||
		    rename("/spin/b/d", "/spin/a/d") < 0) {
			printf("renametest: spin: FAIL: rename: %s\n", strerror(errno));
			return 1;
		}
		if (round % SPIN_REPORT == 0)
			printf("renametest: spin: %d rounds\n", round);
	}
}

int
main(int argc, char **argv)
{
	if (argc == 1)
		return run_checks();
	if (argc == 2 && strcmp(argv[1], "race") == 0)
		return run_race();
	if (argc == 2 && strcmp(argv[1], "spin") == 0)
		return run_spin();
	fprintf(2, "usage: renametest [race | spin]\n");
	return 2;
}
