/*
 * mkfs/fsck_test.c: end-to-end host test of fsck.
 *
 * Run from the top of the tree after mkfs/mkfs and mkfs/fsck are built
 * (make unit builds both).  It makes one image with the real mkfs, holding
 * files that need each level of the block map, and checks that fsck finds
 * it clean.  Each damage test then copies that image, breaks one thing by
 * editing the bytes of the structures in include/fs_format.h at the
 * offsets they live at, and checks that
 *   - fsck -n reports the damage, exits 4 and leaves the file as it was;
 *   - fsck repairs it (exit 1) and a second run finds the image clean, or,
 *     for damage only a person can judge, reports it and leaves it (exit 4).
 *
 *   cc -O2 -g -Wall -Werror -std=gnu11 -I. -o /tmp/fsck_test mkfs/fsck_test.c
 */
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
#define FSCK "mkfs/fsck"

/* Sizes of the test files, picked to need each level of the block map. */
#define SMALL_SIZE   13
#define SINGLE_SIZE  ((NDIRECT + 5) * BSIZE + 123)
#define DOUBLE_SIZE  ((NDIRECT + NINDIRECT + 40) * BSIZE + 7)

/* fsck's exit statuses. */
#define CLEAN     0
#define REPAIRED  1
#define USAGE     2
#define LEFT      4
#define IO_ERROR  8

/* ---- helpers on the host side ------------------------------------------- */

/* A malloc'd copy of the file at path, its length in *len; NULL if missing. */
static uint8 *
read_file(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	uint8 *data;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	data = malloc(*len ? *len : 1);
	if (fread(data, 1, *len, f) != (size_t)*len) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* Run a shell command, its output (both streams) to tmpdir/out; its exit
 * status, or 256 when it did not exit. */
static int
run(const char *cmd)
{
	char full[2048];

	snprintf(full, sizeof full, "%s >%s 2>&1", cmd, tmp("out"));
	return shell_status(full);
}

/* Run fsck with flags on the working image. */
static int
fsck(const char *flags)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "%s %s %s", FSCK, flags, tmp("work.img"));
	return run(cmd);
}

/* The output of the last run, NUL-terminated. */
static const char *
output(void)
{
	static char buf[16384];
	FILE *f = fopen(tmp("out"), "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* Whether the last run's output contains s; shows the output if not. */
static bool
said(const char *s)
{
	if (strstr(output(), s) != NULL)
		return true;
	printf("  fsck output does not contain \"%s\":\n%s", s, output());
	return false;
}

/* ---- the image under repair --------------------------------------------- */

struct image {
	uint8 *data;
	long len;
	struct superblock sb;
};

static uint8 *
block(struct image *img, uint32 b)
{
	return img->data + (uint64)b * BSIZE;
}

static struct dinode *
inode(struct image *img, uint32 inum)
{
	return (struct dinode *)block(img, fs_inode_block(&img->sb, inum)) + inum % IPB;
}

/* Entry i of directory dir (its blocks are direct, as every one here is). */
static struct dirent *
entry(struct image *img, uint32 dir, uint32 i)
{
	uint32 off = i * sizeof(struct dirent);

	return (struct dirent *)(block(img, inode(img, dir)->addrs[off / BSIZE]) +
				 off % BSIZE);
}

/* The entry called name in directory dir, or NULL. */
static struct dirent *
find(struct image *img, uint32 dir, const char *name)
{
	uint32 i, n = inode(img, dir)->size / sizeof(struct dirent);

	for (i = 0; i < n; i++)
		if (entry(img, dir, i)->inum != 0 &&
		    path_namecmp(entry(img, dir, i)->name, name) == 0)
			return entry(img, dir, i);
	return NULL;
}

/* Inode number of name in directory dir, 0 if absent. */
static uint32
lookup(struct image *img, uint32 dir, const char *name)
{
	struct dirent *de = find(img, dir, name);

	return de ? de->inum : 0;
}

/* Add the entry name -> inum at the end of directory dir (room is left in
 * its last block: the directories here are small). */
static void
add_entry(struct image *img, uint32 dir, const char *name, uint32 inum)
{
	struct dinode *dp = inode(img, dir);
	struct dirent *de;

	dp->size += sizeof *de;
	de = entry(img, dir, dp->size / sizeof *de - 1);
	memset(de, 0, sizeof *de);
	de->inum = inum;
	memcpy(de->name, name, strnlen(name, DIRSIZ));
}

static void
remove_entry(struct image *img, uint32 dir, const char *name)
{
	memset(find(img, dir, name), 0, sizeof(struct dirent));
}

static bool
bit(struct image *img, uint32 b)
{
	return block(img, fs_bitmap_block(&img->sb, b))[(b % BPB) / 8] >> (b % 8) & 1;
}

static void
set_bit(struct image *img, uint32 b, bool on)
{
	uint8 *byte = &block(img, fs_bitmap_block(&img->sb, b))[(b % BPB) / 8];

	*byte = on ? *byte | 1 << (b % 8) : *byte & ~(1 << (b % 8));
}

/* The last data block, free in every image here. */
static uint32
free_block(struct image *img)
{
	return img->sb.size - 1;
}

/* The first free inode. */
static uint32
free_inode(struct image *img)
{
	uint32 inum = ROOTINO;

	while (inode(img, inum)->type != 0)
		inum++;
	return inum;
}

/* ---- the clean image and the working copy ------------------------------- */

/* Make the clean image once, in tmpdir/good.img; false if mkfs failed. */
static bool
good_image(void)
{
	static int state;       /* 0 not tried, 1 made, -1 failed */
	char cmd[1024];
	uint8 *data;

	if (state != 0)
		return state > 0;
	state = -1;
	write_file(tmp("small.txt"), "hello, world\n", SMALL_SIZE);
	data = calloc(DOUBLE_SIZE, 1);
	memset(data, 's', SINGLE_SIZE);
	write_file(tmp("single.dat"), data, SINGLE_SIZE);
	memset(data, 'd', DOUBLE_SIZE);
	write_file(tmp("double.dat"), data, DOUBLE_SIZE);
	memcpy(data, "\x7f" "ELF", 4);
	write_file(tmp("prog"), data, 100);
	free(data);
	snprintf(cmd, sizeof cmd, "%s -b 3000 -i 200 %s %s %s %s %s", MKFS,
		 tmp("good.img"), tmp("small.txt"), tmp("single.dat"),
		 tmp("double.dat"), tmp("prog"));
	if (run(cmd) != 0) {
		printf("  mkfs failed on the clean image; are %s and %s built?\n%s",
		       MKFS, FSCK, output());
		return false;
	}
	state = 1;
	return true;
}

/* Load a fresh copy of the clean image into *img for a test to damage;
 * false if there is none. */
static bool
damage_begin(struct image *img)
{
	if (!good_image())
		return false;
	img->data = read_file(tmp("good.img"), &img->len);
	if (img->data == NULL)
		return false;
	memcpy(&img->sb, block(img, 1), sizeof img->sb);
	return true;
}

/* Write the damaged image to tmpdir/work.img. */
static void
damage_end(struct image *img)
{
	write_file(tmp("work.img"), img->data, img->len);
	free(img->data);
}

/* fsck -n must exit 4, say finds, and leave the image as it was. */
static void
expect_found(const char *finds)
{
	uint8 *before, *after;
	long n1, n2;

	before = read_file(tmp("work.img"), &n1);
	EXPECT_EQ(fsck("-n"), LEFT);
	EXPECT(said(finds));
	after = read_file(tmp("work.img"), &n2);
	EXPECT(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
	free(before);
	free(after);
}

/* Damage fsck can mend: found by -n, repaired (saying repairs) with exit 1,
 * and a second run finds nothing. */
static void
expect_repaired(const char *finds, const char *repairs)
{
	expect_found(finds);
	EXPECT_EQ(fsck(""), REPAIRED);
	EXPECT(said(finds));
	EXPECT(said(repairs));
	EXPECT_EQ(fsck(""), CLEAN);
	EXPECT_STR(output(), "");
}

/* Damage only a person can judge: found by -n, and still there after a
 * repair run (exit 4). */
static void
expect_left(const char *finds)
{
	expect_found(finds);
	EXPECT_EQ(fsck(""), LEFT);
	EXPECT(said(finds));
	EXPECT_EQ(fsck("-n"), LEFT);
	EXPECT(said(finds));
}

/* ---- a clean image ------------------------------------------------------ */

TEST(fresh_image_is_clean)
{
	struct image img;
	uint8 *before, *after;
	long n1, n2;

	if (!damage_begin(&img))
		return;
	damage_end(&img);
	EXPECT_EQ(fsck("-n"), CLEAN);
	EXPECT_STR(output(), "");
	before = read_file(tmp("work.img"), &n1);
	EXPECT_EQ(fsck(""), CLEAN);
	EXPECT_STR(output(), "");
	after = read_file(tmp("work.img"), &n2);
	EXPECT(before && after && n1 == n2 && memcmp(before, after, n1) == 0);
	free(before);
	free(after);
}

/* ---- block pointers and the bitmap -------------------------------------- */

TEST(finds_pointer_into_inode_table)
{
	struct image img;
	uint32 small;

	if (!damage_begin(&img))
		return;
	small = lookup(&img, ROOTINO, "small.txt");
	inode(&img, small)->addrs[0] = img.sb.inodestart + 1;
	damage_end(&img);
	expect_left("addrs[0] names block");
	EXPECT(said("in the inode table, outside the data region"));
}

TEST(finds_pointer_past_the_end)
{
	struct image img;
	uint32 single, ind;

	if (!damage_begin(&img))
		return;
	single = lookup(&img, ROOTINO, "single.dat");
	ind = inode(&img, single)->addrs[INDIRECT_SLOT];
	((uint32 *)block(&img, ind))[2] = img.sb.size + 7;
	damage_end(&img);
	expect_left("entry 2 of indirect block");
	EXPECT(said("past the end of the file system, outside the data region"));
}

TEST(finds_block_used_twice)
{
	struct image img;
	uint32 small, prog;
	char want[128];

	if (!damage_begin(&img))
		return;
	small = lookup(&img, ROOTINO, "small.txt");
	prog = lookup(&img, lookup(&img, ROOTINO, "bin"), "prog");
	inode(&img, prog)->addrs[0] = inode(&img, small)->addrs[0];
	snprintf(want, sizeof want, "block %u: used by both inode %u and inode %u",
		 inode(&img, small)->addrs[0], small, prog);
	damage_end(&img);
	expect_left(want);
	/* prog's own block is leaked now, but may be the data it lost. */
	EXPECT(said("leaked); left: block pointers are in doubt"));
}

TEST(repairs_used_block_marked_free)
{
	struct image img;
	uint32 double_dat, b;
	char finds[128], repairs[128];

	if (!damage_begin(&img))
		return;
	double_dat = lookup(&img, ROOTINO, "double.dat");
	b = inode(&img, double_dat)->addrs[DINDIRECT_SLOT];
	set_bit(&img, b, false);
	snprintf(finds, sizeof finds, "block %u: used by inode %u, but marked free",
		 b, double_dat);
	snprintf(repairs, sizeof repairs, "repaired: marked block %u used", b);
	damage_end(&img);
	expect_repaired(finds, repairs);
}

TEST(repairs_metadata_block_marked_free)
{
	struct image img;
	uint32 b;
	char finds[128];

	if (!damage_begin(&img))
		return;
	b = img.sb.bmapstart;
	set_bit(&img, b, false);
	snprintf(finds, sizeof finds, "block %u: metadata (in the bitmap), but "
		 "marked free", b);
	damage_end(&img);
	expect_repaired(finds, "repaired: marked block");
}

TEST(repairs_leaked_bitmap_bit)
{
	struct image img;
	uint32 b;
	char finds[128], repairs[128];

	if (!damage_begin(&img))
		return;
	b = free_block(&img);
	EXPECT(!bit(&img, b));
	set_bit(&img, b, true);
	snprintf(finds, sizeof finds, "block %u: marked used, but nothing uses it "
		 "(leaked)", b);
	snprintf(repairs, sizeof repairs, "repaired: cleared bitmap bit of leaked "
		 "block %u", b);
	damage_end(&img);
	expect_repaired(finds, repairs);
}

/* ---- directories -------------------------------------------------------- */

TEST(repairs_directory_size_not_whole_entries)
{
	struct image img;
	uint32 bin;
	char repairs[128];

	if (!damage_begin(&img))
		return;
	bin = lookup(&img, ROOTINO, "bin");
	inode(&img, bin)->size += 5;
	snprintf(repairs, sizeof repairs, "repaired: set directory inode %u size "
		 "%u -> %u", bin, inode(&img, bin)->size,
		 inode(&img, bin)->size - 5);
	damage_end(&img);
	expect_repaired("is not a multiple of the entry size (16)", repairs);
}

TEST(finds_directory_with_two_parents)
{
	struct image img;
	uint32 dev;
	char finds[128];

	if (!damage_begin(&img))
		return;
	dev = lookup(&img, ROOTINO, "dev");
	add_entry(&img, lookup(&img, ROOTINO, "bin"), "dev2", dev);
	snprintf(finds, sizeof finds, "directory inode %u has two parents", dev);
	damage_end(&img);
	expect_left(finds);
}

TEST(finds_directory_cycle)
{
	struct image img;
	uint32 bin, dev;

	if (!damage_begin(&img))
		return;
	/* /bin and /dev leave the root and name each other. */
	bin = lookup(&img, ROOTINO, "bin");
	dev = lookup(&img, ROOTINO, "dev");
	remove_entry(&img, ROOTINO, "bin");
	remove_entry(&img, ROOTINO, "dev");
	add_entry(&img, bin, "d", dev);
	add_entry(&img, dev, "b", bin);
	damage_end(&img);
	expect_left("directories form a cycle, none reachable from the root");
}

TEST(finds_orphan_directory_holding_entries)
{
	struct image img;
	uint32 dev;
	char finds[128];

	if (!damage_begin(&img))
		return;
	dev = lookup(&img, ROOTINO, "dev");
	remove_entry(&img, ROOTINO, "dev");
	snprintf(finds, sizeof finds, "inode %u: an orphan (type %d", dev, T_DIR);
	damage_end(&img);
	expect_left(finds);
	EXPECT(said("left: a directory that still holds entries"));
}

TEST(finds_duplicate_names)
{
	struct image img;

	if (!damage_begin(&img))
		return;
	add_entry(&img, ROOTINO, "small.txt", lookup(&img, ROOTINO, "double.dat"));
	damage_end(&img);
	expect_left("more than one entry is named \"small.txt\"");
}

TEST(repairs_entry_naming_free_inode)
{
	struct image img;
	uint32 ghost;
	char finds[128];

	if (!damage_begin(&img))
		return;
	ghost = free_inode(&img);
	add_entry(&img, ROOTINO, "ghost", ghost);
	snprintf(finds, sizeof finds, "entry \"ghost\" names free inode %u", ghost);
	damage_end(&img);
	expect_repaired(finds, "repaired: removed entry \"ghost\" from directory inode 1");
}

/* ---- link counts and orphans -------------------------------------------- */

TEST(repairs_wrong_file_nlink)
{
	struct image img;
	uint32 small;
	char finds[128], repairs[128];

	if (!damage_begin(&img))
		return;
	small = lookup(&img, ROOTINO, "small.txt");
	inode(&img, small)->nlink = 3;
	snprintf(finds, sizeof finds, "inode %u: nlink is 3, but it is named by 1 entry", small);
	snprintf(repairs, sizeof repairs, "repaired: set inode %u nlink 3 -> 1", small);
	damage_end(&img);
	expect_repaired(finds, repairs);
}

TEST(repairs_wrong_directory_nlink)
{
	struct image img;
	uint32 bin;
	char finds[128], repairs[128];

	if (!damage_begin(&img))
		return;
	bin = lookup(&img, ROOTINO, "bin");
	inode(&img, bin)->nlink = 2;
	inode(&img, ROOTINO)->nlink = 1;
	snprintf(finds, sizeof finds, "inode %u: nlink is 2, but the directory "
		 "has 0 subdirectories, so it should be 1", bin);
	snprintf(repairs, sizeof repairs, "repaired: set inode %u nlink 2 -> 1", bin);
	damage_end(&img);
	expect_repaired(finds, repairs);
	img.data = read_file(tmp("work.img"), &img.len);
	EXPECT_EQ(inode(&img, ROOTINO)->nlink, 3);
	EXPECT_EQ(inode(&img, bin)->nlink, 1);
	free(img.data);
}

TEST(repairs_orphan_with_blocks)
{
	struct image img;
	uint32 single, nblocks;
	char finds[128], repairs[128];

	if (!damage_begin(&img))
		return;
	single = lookup(&img, ROOTINO, "single.dat");
	inode(&img, single)->nlink = 0;     /* as if unlinked while open */
	remove_entry(&img, ROOTINO, "single.dat");
	nblocks = (SINGLE_SIZE + BSIZE - 1) / BSIZE + 1;    /* and the indirect */
	snprintf(finds, sizeof finds, "inode %u: an orphan (type %d, nlink 0, size %u)",
		 single, T_FILE, SINGLE_SIZE);
	snprintf(repairs, sizeof repairs, "repaired: freed orphan inode %u (%u blocks)",
		 single, nblocks);
	damage_end(&img);
	expect_repaired(finds, repairs);
}

/* ---- the log ------------------------------------------------------------ */

/*
 * A transaction that creates /new.txt, committed but not installed: the
 * root's directory block and the inode block, changed, in log slots 0 and
 * 1.  The home inode block also holds a stale link count that the
 * transaction's copy corrects, so fsck -n is clean only if it replays.
 */
static uint32
commit_new_file(struct image *img)
{
	struct logheader *lh = (struct logheader *)block(img, img->sb.logstart);
	uint32 dirblock = inode(img, ROOTINO)->addrs[0];
	uint32 inum = free_inode(img), iblock = fs_inode_block(&img->sb, inum);
	uint8 *home_dir = malloc(BSIZE), *home_inodes = malloc(BSIZE);

	memcpy(home_dir, block(img, dirblock), BSIZE);
	memcpy(home_inodes, block(img, iblock), BSIZE);
	add_entry(img, ROOTINO, "new.txt", inum);
	inode(img, inum)->type = T_FILE;
	inode(img, inum)->nlink = 1;
	memcpy(block(img, img->sb.logstart + 1), block(img, dirblock), BSIZE);
	memcpy(block(img, img->sb.logstart + 2), block(img, iblock), BSIZE);
	lh->n = 2;
	lh->block[0] = dirblock;
	lh->block[1] = iblock;
	lh->sum[0] = log_checksum(block(img, img->sb.logstart + 1));
	lh->sum[1] = log_checksum(block(img, img->sb.logstart + 2));
	memcpy(block(img, dirblock), home_dir, BSIZE);
	memcpy(block(img, iblock), home_inodes, BSIZE);
	inode(img, lookup(img, ROOTINO, "small.txt"))->nlink = 2;
	free(home_dir);
	free(home_inodes);
	return inum;
}

TEST(replays_committed_log)
{
	struct image img;
	uint32 inum;

	if (!damage_begin(&img))
		return;
	inum = commit_new_file(&img);
	EXPECT_EQ(fs_inode_block(&img.sb, inum), fs_inode_block(&img.sb,
		  lookup(&img, ROOTINO, "small.txt")));
	damage_end(&img);
	expect_repaired("log: holds a committed transaction of 2 blocks",
			"repaired: replayed the log's transaction (2 blocks)");
	img.data = read_file(tmp("work.img"), &img.len);
	EXPECT_EQ(lookup(&img, ROOTINO, "new.txt"), inum);
	EXPECT_EQ(((struct logheader *)block(&img, img.sb.logstart))->n, 0);
	free(img.data);
}

TEST(checks_log_as_replayed_under_n)
{
	struct image img;

	if (!damage_begin(&img))
		return;
	commit_new_file(&img);
	damage_end(&img);
	expect_found("checked as replayed, in memory only (-n)");
	EXPECT(strstr(output(), "nlink") == NULL);
	EXPECT(strstr(output(), "1 problem found, 0 repaired, 1 left") != NULL);
}

/* A commit that did not finish (slot 1 torn) is no problem, and is not
 * replayed: the image is as before the transaction. */
TEST(ignores_log_commit_that_did_not_finish)
{
	struct image img;

	if (!damage_begin(&img))
		return;
	commit_new_file(&img);
	block(&img, img.sb.logstart + 2)[100] ^= 1;
	inode(&img, lookup(&img, ROOTINO, "small.txt"))->nlink = 1;
	damage_end(&img);
	EXPECT_EQ(fsck("-n"), CLEAN);
	EXPECT_STR(output(), "");
	EXPECT_EQ(fsck(""), CLEAN);
	img.data = read_file(tmp("work.img"), &img.len);
	EXPECT_EQ(lookup(&img, ROOTINO, "new.txt"), 0);
	free(img.data);
}

/* A committed transaction already all home needs no replay; a repair run
 * clears its header all the same, and says nothing. */
TEST(leaves_installed_log_alone)
{
	struct image img;
	struct logheader *lh;

	if (!damage_begin(&img))
		return;
	commit_new_file(&img);
	lh = (struct logheader *)block(&img, img.sb.logstart);
	memcpy(block(&img, lh->block[0]), block(&img, img.sb.logstart + 1), BSIZE);
	memcpy(block(&img, lh->block[1]), block(&img, img.sb.logstart + 2), BSIZE);
	damage_end(&img);
	EXPECT_EQ(fsck("-n"), CLEAN);
	EXPECT_STR(output(), "");
	EXPECT_EQ(fsck(""), CLEAN);
	EXPECT_STR(output(), "");
	img.data = read_file(tmp("work.img"), &img.len);
	EXPECT_EQ(((struct logheader *)block(&img, img.sb.logstart))->n, 0);
	free(img.data);
}

TEST(finds_log_header_out_of_bounds)
{
	struct image img;
	struct logheader *lh;

	if (!damage_begin(&img))
		return;
	lh = (struct logheader *)block(&img, img.sb.logstart);
	lh->n = 1;
	lh->block[0] = img.sb.logstart;     /* the kernel never logs the log */
	damage_end(&img);
	expect_left("log: header entry 0 names block");
	if (!damage_begin(&img))
		return;
	lh = (struct logheader *)block(&img, img.sb.logstart);
	lh->n = img.sb.nlog;
	damage_end(&img);
	expect_left("but the log holds");
}

/* ---- the superblock and the command line -------------------------------- */

TEST(finds_bad_superblock)
{
	struct image img;

	if (!damage_begin(&img))
		return;
	((struct superblock *)block(&img, 1))->magic ^= 1;
	damage_end(&img);
	expect_left("superblock: bad magic number");
	if (!damage_begin(&img))
		return;
	((struct superblock *)block(&img, 1))->size = img.sb.size + 1;
	damage_end(&img);
	expect_left("superblock: file system is larger than the disk");
	if (!damage_begin(&img))
		return;
	((struct superblock *)block(&img, 1))->bmapstart++;
	damage_end(&img);
	expect_left("superblock: region boundaries do not match the sizes");
}

TEST(usage_errors_exit_2)
{
	char cmd[512];

	EXPECT_EQ(run(FSCK), USAGE);
	EXPECT(said("usage: fsck [-n] fs.img"));
	EXPECT(said("Exit status"));
	snprintf(cmd, sizeof cmd, "%s -x %s", FSCK, tmp("good.img"));
	EXPECT_EQ(run(cmd), USAGE);
	snprintf(cmd, sizeof cmd, "%s %s %s", FSCK, tmp("good.img"), tmp("good.img"));
	EXPECT_EQ(run(cmd), USAGE);
}

TEST(unreadable_image_exits_8)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "%s -n %s", FSCK, tmp("no-such.img"));
	EXPECT_EQ(run(cmd), IO_ERROR);
	EXPECT(said("no-such.img"));
	snprintf(cmd, sizeof cmd, "%s -n %s", FSCK, tmpdir);
	EXPECT_EQ(run(cmd), IO_ERROR);
}

int
main(void)
{
	return run_tests_in_tmpdir(__FILE__);
}
