/*
 * mkfs/mkfs_test.c: end-to-end host test of mkfs.
 *
 * Run from the top of the tree after mkfs/mkfs is built.  It makes input
 * files in a fresh directory under /tmp, runs "mkfs/mkfs" on them with
 * system(), and reads the image back with the small reader below: it
 * checks the superblock, the directory tree, the link counts, that files
 * needing the direct, single-indirect and double-indirect blocks read back
 * byte for byte, and that the free bitmap marks exactly the blocks in use.
 * The refusal tests check that each bad request exits non-zero, names the
 * culprit on stderr and leaves no image behind, including a size the
 * kernel would not mount.  The write tests send the image through a
 * symbolic link to /dev/full: the error must name its cause, and the link,
 * which mkfs did not create, must survive.
 *
 *   cc -O2 -g -Wall -Werror -std=gnu11 -I. -o /tmp/mkfs_test mkfs/mkfs_test.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"
#include "include/unittest.h"
#include "mkfs/testfiles.h"

#define MKFS "mkfs/mkfs"

/* Sizes of the test files, picked to need each level of the block map. */
#define SMALL_SIZE   13
#define SINGLE_SIZE  ((NDIRECT + 5) * BSIZE + 123)
#define DOUBLE_SIZE  ((NDIRECT + NINDIRECT + 2 * NINDIRECT + 40) * BSIZE + 7)
#define ELF_SIZE     1000

/* ---- helpers on the host side ------------------------------------------- */

/* n bytes of a pattern that differs from block to block and file to file. */
static uint8 *
pattern(size_t n, uint32 seed)
{
	uint8 *p = malloc(n ? n : 1);
	uint32 x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
	return p;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Run mkfs with args (stdout and stderr to tmpdir files); its exit status. */
static int
run_mkfs(const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", MKFS, args, tmp("out"), tmp("err"));
	return shell_status(cmd);
}

/* Whether the file at path contains s. */
static bool
file_contains(const char *path, const char *s)
{
	static char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, s) != NULL;
}

/* ---- the image reader --------------------------------------------------- */

struct image {
	uint8 *data;
	uint64 nblocks;         /* size of the image file in blocks */
	struct superblock sb;
};

/* Read the image at path into *img; false if it is missing or short. */
static bool
image_load(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if (len < 2 * BSIZE || len % BSIZE != 0) {
		fclose(f);
		return false;
	}
	img->nblocks = len / BSIZE;
	img->data = malloc(len);
	if (fread(img->data, 1, len, f) != (size_t)len) {
		fclose(f);
		free(img->data);
		return false;
	}
	fclose(f);
	memcpy(&img->sb, img->data + BSIZE, sizeof img->sb);
	return true;
}

static uint8 *
block(const struct image *img, uint32 b)
{
	return img->data + (uint64)b * BSIZE;
}

static struct dinode
inode(const struct image *img, uint32 inum)
{
	const struct dinode *ip = (const struct dinode *)block(img, fs_inode_block(&img->sb, inum));

	return ip[inum % IPB];
}

/* Disk block holding block bn of ip, or 0 for a hole. */
static uint32
bmap(const struct image *img, const struct dinode *ip, uint64 bn)
{
	uint64 index;
	uint32 b;

	switch (fs_block_level(bn, &index)) {
	case 0:
		return ip->addrs[index];
	case 1:
		b = ip->addrs[INDIRECT_SLOT];
		return b ? ((uint32 *)block(img, b))[index] : 0;
	case 2:
		b = ip->addrs[DINDIRECT_SLOT];
		if (b != 0)
			b = ((uint32 *)block(img, b))[index / NINDIRECT];
		return b ? ((uint32 *)block(img, b))[index % NINDIRECT] : 0;
	default:
		return 0;
	}
}

/* A malloc'd copy of inode inum's data (ip->size bytes). */
static uint8 *
read_all(const struct image *img, uint32 inum)
{
	struct dinode ip = inode(img, inum);
	uint8 *buf = malloc(ip.size ? ip.size : 1);
	uint32 off, n, b;

	for (off = 0; off < ip.size; off += n) {
		n = ip.size - off < BSIZE ? ip.size - off : BSIZE;
		b = bmap(img, &ip, off / BSIZE);
		if (b == 0)
			memset(buf + off, 0, n);
		else
			memcpy(buf + off, block(img, b), n);
	}
	return buf;
}

/* Inode number of name in directory dir, 0 if absent; *count gets the
 * number of entries in dir when count is not NULL. */
static uint32
lookup(const struct image *img, uint32 dir, const char *name, int *count)
{
	struct dinode dp = inode(img, dir);
	struct dirent *de = (struct dirent *)read_all(img, dir);
	uint32 i, n = dp.size / sizeof *de, found = 0;

	for (i = 0; i < n; i++)
		if (de[i].inum != 0 && found == 0 && path_namecmp(de[i].name, name) == 0)
			found = de[i].inum;
	if (count != NULL)
		*count = n;
	free(de);
	return found;
}

/* Count block b in used[] if it is not 0 (a hole); expect it to be a data
 * block.  Returns whether b can be read. */
static bool
mark(const struct image *img, uint8 *used, uint32 b)
{
	if (b == 0)
		return false;
	EXPECT(b >= fs_data_start(&img->sb) && b < img->sb.size);
	if (b >= img->sb.size)
		return false;
	used[b]++;
	return true;
}

/* Mark in used[] the blocks inode ip holds, data and indirect; return how
 * many there are. */
static uint32
inode_blocks(const struct image *img, const struct dinode *ip, uint8 *used)
{
	uint32 count = 0, i, j, *ind, *ind2;

	for (i = 0; i < NDIRECT; i++)
		count += mark(img, used, ip->addrs[i]);
	if (mark(img, used, ip->addrs[INDIRECT_SLOT])) {
		count++;
		ind = (uint32 *)block(img, ip->addrs[INDIRECT_SLOT]);
		for (i = 0; i < NINDIRECT; i++)
			count += mark(img, used, ind[i]);
	}
	if (mark(img, used, ip->addrs[DINDIRECT_SLOT])) {
		count++;
		ind = (uint32 *)block(img, ip->addrs[DINDIRECT_SLOT]);
		for (i = 0; i < NINDIRECT; i++) {
			if (!mark(img, used, ind[i]))
				continue;
			count++;
			ind2 = (uint32 *)block(img, ind[i]);
			for (j = 0; j < NINDIRECT; j++)
				count += mark(img, used, ind2[j]);
		}
	}
	return count;
}

static bool
bitmap_bit(const struct image *img, uint32 b)
{
	return block(img, fs_bitmap_block(&img->sb, b))[(b % BPB) / 8] >> (b % 8) & 1;
}

/* ---- the image every content test reads --------------------------------- */

static uint8 *small_data, *single_data, *double_data, *elf_data;

/* Make the test files and the image once; NULL if mkfs failed. */
static const struct image *
good_image(void)
{
	static struct image img;
	static int state;       /* 0 not tried, 1 made, -1 failed */
	char args[1024];

	if (state != 0)
		return state > 0 ? &img : NULL;
	state = -1;
	small_data = (uint8 *)strdup("hello, world\n");
	single_data = pattern(SINGLE_SIZE, 1);
	double_data = pattern(DOUBLE_SIZE, 2);
	elf_data = pattern(ELF_SIZE, 3);
	memcpy(elf_data, "\x7f" "ELF", 4);
	write_file(tmp("small.txt"), small_data, SMALL_SIZE);
	write_file(tmp("single.dat"), single_data, SINGLE_SIZE);
	write_file(tmp("double.dat"), double_data, DOUBLE_SIZE);
	write_file(tmp("prog"), elf_data, ELF_SIZE);
	write_file(tmp("abcdefghijklmn"), "14", 2);
	write_file(tmp("empty"), "", 0);
	snprintf(args, sizeof args, "%s %s %s %s %s %s %s", tmp("good.img"),
		 tmp("small.txt"), tmp("single.dat"), tmp("prog"),
		 tmp("double.dat"), tmp("abcdefghijklmn"), tmp("empty"));
	if (run_mkfs(args) != 0 || !image_load(tmp("good.img"), &img)) {
		printf("  mkfs failed on the good image; is %s built?\n", MKFS);
		return NULL;
	}
	state = 1;
	return &img;
}

/* Expect file name in directory dir to hold n bytes equal to want. */
static void
expect_file(const struct image *img, uint32 dir, const char *name,
	    const uint8 *want, uint32 n)
{
	uint32 inum = lookup(img, dir, name, NULL);
	struct dinode ip = inode(img, inum);
	uint8 *got;

	EXPECT(inum != 0);
	if (inum == 0)
		return;
	EXPECT_EQ(ip.type, T_FILE);
	EXPECT_EQ(ip.nlink, 1);
	EXPECT_EQ(ip.size, n);
	if (ip.size != n)
		return;
	got = read_all(img, inum);
	EXPECT(memcmp(got, want, n) == 0);
	free(got);
}

TEST(superblock_is_sane)
{
	const struct image *img = good_image();

	EXPECT(img != NULL);
	if (img == NULL)
		return;
	EXPECT(fs_superblock_check(&img->sb, img->nblocks) == NULL);
	EXPECT_EQ(img->sb.size, FSBLOCKS);
	EXPECT_EQ(img->nblocks, FSBLOCKS);
	EXPECT_EQ(img->sb.ninodes, FSINODES);
	EXPECT_EQ(img->sb.nlog, LOGBLOCKS + 1);
}

TEST(root_directory)
{
	const struct image *img = good_image();
	struct dinode root;
	int n;

	if (img == NULL)
		return;
	root = inode(img, ROOTINO);
	EXPECT_EQ(root.type, T_DIR);
	EXPECT_EQ(root.nlink, 3);       /* named once, plus /bin/.. and /dev/.. */
	EXPECT_EQ(lookup(img, ROOTINO, ".", &n), ROOTINO);
	EXPECT_EQ(n, 9);
	EXPECT_EQ(root.size, n * sizeof(struct dirent));
	EXPECT_EQ(lookup(img, ROOTINO, "..", NULL), ROOTINO);
	EXPECT(lookup(img, ROOTINO, "bin", NULL) != 0);
	EXPECT(lookup(img, ROOTINO, "dev", NULL) != 0);
	EXPECT(lookup(img, ROOTINO, "small.txt", NULL) != 0);
	EXPECT(lookup(img, ROOTINO, "prog", NULL) == 0);
}

TEST(bin_holds_elf_files)
{
	const struct image *img = good_image();
	uint32 bin;
	int n;

	if (img == NULL)
		return;
	bin = lookup(img, ROOTINO, "bin", NULL);
	EXPECT_EQ(inode(img, bin).type, T_DIR);
	EXPECT_EQ(inode(img, bin).nlink, 1);
	EXPECT_EQ(lookup(img, bin, ".", &n), bin);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(lookup(img, bin, "..", NULL), ROOTINO);
	expect_file(img, bin, "prog", elf_data, ELF_SIZE);
}

TEST(dev_console_is_a_device)
{
	const struct image *img = good_image();
	uint32 dev, con;
	struct dinode ip;
	int n;

	if (img == NULL)
		return;
	dev = lookup(img, ROOTINO, "dev", NULL);
	EXPECT_EQ(inode(img, dev).type, T_DIR);
	EXPECT_EQ(inode(img, dev).nlink, 1);
	EXPECT_EQ(lookup(img, dev, ".", &n), dev);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(lookup(img, dev, "..", NULL), ROOTINO);
	con = lookup(img, dev, "console", NULL);
	EXPECT(con != 0);
	ip = inode(img, con);
	EXPECT_EQ(ip.type, T_DEVICE);
	EXPECT_EQ(ip.major, CONSOLE);
	EXPECT_EQ(ip.minor, 0);
	EXPECT_EQ(ip.nlink, 1);
	EXPECT_EQ(ip.size, 0);
}

TEST(files_read_back_exactly)
{
	const struct image *img = good_image();

	if (img == NULL)
		return;
	expect_file(img, ROOTINO, "small.txt", small_data, SMALL_SIZE);
	expect_file(img, ROOTINO, "single.dat", single_data, SINGLE_SIZE);
	expect_file(img, ROOTINO, "double.dat", double_data, DOUBLE_SIZE);
	expect_file(img, ROOTINO, "abcdefghijklmn", (const uint8 *)"14", 2);
	expect_file(img, ROOTINO, "empty", (const uint8 *)"", 0);
}

TEST(files_use_each_map_level)
{
	const struct image *img = good_image();
	struct dinode single, dbl;
	uint32 ndata, nsecond;
	uint8 *used;

	if (img == NULL)
		return;
	single = inode(img, lookup(img, ROOTINO, "single.dat", NULL));
	EXPECT(single.addrs[INDIRECT_SLOT] != 0);
	EXPECT_EQ(single.addrs[DINDIRECT_SLOT], 0);
	dbl = inode(img, lookup(img, ROOTINO, "double.dat", NULL));
	EXPECT(dbl.addrs[INDIRECT_SLOT] != 0);
	EXPECT(dbl.addrs[DINDIRECT_SLOT] != 0);
	/* Data blocks, the indirect block, the double-indirect block and one
	 * second-level block per NINDIRECT blocks beyond the first two levels. */
	ndata = (DOUBLE_SIZE + BSIZE - 1) / BSIZE;
	nsecond = (ndata - NDIRECT - NINDIRECT + NINDIRECT - 1) / NINDIRECT;
	used = calloc(img->sb.size, 1);
	EXPECT_EQ(inode_blocks(img, &dbl, used), ndata + 2 + nsecond);
	free(used);
}

TEST(bitmap_marks_exactly_used_blocks)
{
	const struct image *img = good_image();
	uint32 inum, b, start, inuse = 0, marked = 0, wrong = 0, twice = 0;
	struct dinode ip;
	uint8 *used;

	if (img == NULL)
		return;
	start = fs_data_start(&img->sb);
	used = calloc(img->sb.size, 1);
	for (b = 0; b < start; b++)
		used[b] = 1;
	for (inum = 1; inum < img->sb.ninodes; inum++) {
		ip = inode(img, inum);
		if (ip.type != 0)
			inode_blocks(img, &ip, used);
	}
	for (b = 0; b < img->sb.size; b++) {
		inuse += used[b] != 0;
		marked += bitmap_bit(img, b);
		wrong += bitmap_bit(img, b) != (used[b] != 0);
		twice += used[b] > 1;
	}
	EXPECT(inuse > start + DOUBLE_SIZE / BSIZE);
	EXPECT_EQ(marked, inuse);
	EXPECT_EQ(wrong, 0);
	EXPECT_EQ(twice, 0);
	free(used);
}

TEST(quiet_unless_verbose)
{
	char args[512];

	write_file(tmp("q.txt"), "q", 1);
	snprintf(args, sizeof args, "%s %s", tmp("q.img"), tmp("q.txt"));
	EXPECT_EQ(run_mkfs(args), 0);
	EXPECT(!file_contains(tmp("out"), "\n"));
	EXPECT(!file_contains(tmp("err"), "\n"));
	snprintf(args, sizeof args, "-v -b 1000 -i 100 %s %s", tmp("q.img"), tmp("q.txt"));
	EXPECT_EQ(run_mkfs(args), 0);
	EXPECT(file_contains(tmp("out"), "1000 blocks"));
	unlink(tmp("q.img"));
}

/* ---- refusals ----------------------------------------------------------- */

/* Expect mkfs args to fail, leave no tmpdir/bad.img and mention `says`. */
static void
expect_refusal(const char *args, const char *says)
{
	char full[1024];

	unlink(tmp("bad.img"));
	snprintf(full, sizeof full, args, tmp("bad.img"));
	EXPECT(run_mkfs(full) != 0);
	EXPECT(!exists(tmp("bad.img")));
	if (!file_contains(tmp("err"), says)) {
		printf("  stderr of \"mkfs %s\" does not mention \"%s\"\n", full, says);
		EXPECT(false);
	}
}

TEST(refuses_long_name)
{
	char args[512];

	write_file(tmp("abcdefghijklmno"), "15", 2);
	snprintf(args, sizeof args, "%%s %s", tmp("abcdefghijklmno"));
	expect_refusal(args, "abcdefghijklmno");
}

TEST(refuses_duplicate_names)
{
	char args[512];

	write_file(tmp("dup"), "dup", 3);
	write_file(tmp("bin"), "bin", 3);
	snprintf(args, sizeof args, "%%s %s %s", tmp("dup"), tmp("dup"));
	expect_refusal(args, "dup");
	snprintf(args, sizeof args, "%%s %s", tmp("bin"));
	expect_refusal(args, "bin");
}

TEST(refuses_small_image)
{
	char args[512];
	uint8 *data = pattern(DOUBLE_SIZE, 4);

	expect_refusal("-b 10 %s", "bad.img");
	write_file(tmp("big"), data, DOUBLE_SIZE);
	snprintf(args, sizeof args, "-b 1000 %%s %s", tmp("big"));
	expect_refusal(args, "big");
	free(data);
}

TEST(refuses_too_many_files)
{
	char args[512];

	write_file(tmp("f1"), "1", 1);
	write_file(tmp("f2"), "2", 1);
	/* Inodes 1..4 are /, /bin, /dev and /dev/console; 6 leaves room for one file. */
	snprintf(args, sizeof args, "-i 6 %s %s", tmp("f.img"), tmp("f1"));
	EXPECT_EQ(run_mkfs(args), 0);
	unlink(tmp("f.img"));
	snprintf(args, sizeof args, "-i 6 %%s %s %s", tmp("f1"), tmp("f2"));
	expect_refusal(args, "f2");
	expect_refusal("-i 3 %s", "/dev");
}

TEST(refuses_missing_input)
{
	char args[512];

	snprintf(args, sizeof args, "%%s %s", tmp("no-such-file"));
	expect_refusal(args, "no-such-file");
	snprintf(args, sizeof args, "%%s %s", tmpdir);
	expect_refusal(args, tmpdir);
}

TEST(refuses_file_over_size_limit)
{
	char args[512];
	FILE *f = fopen(tmp("huge"), "wb");

	/* Sparse: no data is written, but the size is one byte too many. */
	EXPECT(f != NULL && ftruncate(fileno(f), MAXFILESIZE + 1) == 0);
	if (f != NULL)
		fclose(f);
	snprintf(args, sizeof args, "%%s %s", tmp("huge"));
	expect_refusal(args, "huge");
	unlink(tmp("huge"));
}

TEST(refuses_bad_arguments)
{
	unlink(tmp("bad.img"));
	EXPECT(run_mkfs("") != 0);
	EXPECT(file_contains(tmp("err"), "usage"));
	expect_refusal("-b abc %s", "usage");
	expect_refusal("-b -5 %s", "usage");
	expect_refusal("-i 0 %s", "usage");
	expect_refusal("-x %s", "usage");
}

/* ---- limits and write errors ------------------------------------------- */

TEST(refuses_image_larger_than_kernel_mounts)
{
	char args[512], says[128];

	/* /dev/null takes the image without storing it. */
	snprintf(args, sizeof args, "-b %u /dev/null", FS_MAXBLOCKS + 1);
	EXPECT_EQ(run_mkfs(args), 2);
	snprintf(says, sizeof says, "at most %u blocks", FS_MAXBLOCKS);
	EXPECT(file_contains(tmp("err"), says));
	snprintf(args, sizeof args, "-b %u /dev/null", FS_MAXBLOCKS);
	EXPECT_EQ(run_mkfs(args), 0);
}

/* Make tmpdir/full a symbolic link to /dev/full, on which every write fails
 * with ENOSPC.  False (and a note) when this host has no /dev/full. */
static bool
make_full_link(void)
{
	unlink(tmp("full"));
	if (access("/dev/full", W_OK) != 0) {
		printf("  no writable /dev/full here: skipped\n");
		return false;
	}
	EXPECT(symlink("/dev/full", tmp("full")) == 0);
	return true;
}

TEST(reports_write_error_with_its_cause)
{
	char args[512];

	if (!make_full_link())
		return;
	write_file(tmp("w.txt"), "w", 1);
	snprintf(args, sizeof args, "%s %s", tmp("full"), tmp("w.txt"));
	EXPECT_EQ(run_mkfs(args), 1);
	EXPECT(file_contains(tmp("err"), "write error"));
	EXPECT(file_contains(tmp("err"), strerror(ENOSPC)));
	EXPECT(!file_contains(tmp("err"), "image is full"));
}

TEST(never_removes_an_output_path_it_did_not_create)
{
	char args[512], target[64];
	ssize_t n;

	if (!make_full_link())
		return;
	write_file(tmp("w.txt"), "w", 1);
	snprintf(args, sizeof args, "%s %s", tmp("full"), tmp("w.txt"));
	EXPECT(run_mkfs(args) != 0);
	n = readlink(tmp("full"), target, sizeof target - 1);
	EXPECT(n > 0);
	unlink(tmp("full"));
}

int
main(void)
{
	return run_tests_in_tmpdir(__FILE__);
}
