/*
 * include/fs_format_test.c: host unit test of the shared on-disk format code
 * (include/fs_format.h) and path splitting (include/path.h).
 *
 * The layout tests compute what each region's start must be from the
 * sizes alone and compare; the superblock tests take a good layout, break
 * one field at a time and expect fs_superblock_check to name a problem;
 * the block-map and path tests probe the edges (the last index of each
 * level, empty and slash-only paths, names of exactly DIRSIZ characters).
 *
 *   cc -O2 -g -Wall -Werror -std=gnu11 -I. -o /tmp/fs_test include/fs_format_test.c
 */
#include <string.h>

#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/unittest.h"

#define LOGSIZE (LOGBLOCKS + 1)

static uint32
div_up(uint32 a, uint32 b)
{
	return (a + b - 1) / b;
}

/* Check that sb is the layout of size blocks, ninodes inodes and nlog log
 * blocks: regions in order, back to back, and data to the end. */
static void
expect_layout(const struct superblock *sb, uint32 size, uint32 ninodes, uint32 nlog)
{
	EXPECT_EQ(sb->magic, FSMAGIC);
	EXPECT_EQ(sb->size, size);
	EXPECT_EQ(sb->ninodes, ninodes);
	EXPECT_EQ(sb->nlog, nlog);
	EXPECT_EQ(sb->logstart, 2);
	EXPECT_EQ(sb->inodestart, sb->logstart + nlog);
	EXPECT_EQ(sb->bmapstart, sb->inodestart + div_up(ninodes, IPB));
	EXPECT_EQ(fs_data_start(sb), sb->bmapstart + div_up(size, BPB));
	EXPECT_EQ(fs_data_start(sb) + sb->nblocks, size);
	EXPECT(sb->nblocks >= 1);
}

TEST(layout_default_image)
{
	struct superblock sb;

	EXPECT_EQ(fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE), 0);
	expect_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE);
}

TEST(layout_several_sizes)
{
	static const uint32 sizes[] = { 200, 1000, 8192, BPB - 1, BPB, BPB + 1,
					3 * BPB + 5, 1000000 };
	static const uint32 inodes[] = { 2, IPB - 1, IPB, IPB + 1, 2048 };
	struct superblock sb;
	size_t i, j;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (j = 0; j < sizeof inodes / sizeof inodes[0]; j++) {
			EXPECT_EQ(fs_layout(&sb, sizes[i], inodes[j], LOGSIZE), 0);
			expect_layout(&sb, sizes[i], inodes[j], LOGSIZE);
		}
	}
}

TEST(layout_refuses_too_small)
{
	struct superblock sb;
	uint32 nmeta = 2 + LOGSIZE + div_up(FSINODES, IPB) + 1;

	EXPECT_EQ(fs_layout(&sb, nmeta, FSINODES, LOGSIZE), -1);
	EXPECT_EQ(fs_layout(&sb, 10, FSINODES, LOGSIZE), -1);
	EXPECT_EQ(fs_layout(&sb, 0, FSINODES, LOGSIZE), -1);
	EXPECT_EQ(fs_layout(&sb, nmeta + 1, FSINODES, LOGSIZE), 0);
	EXPECT_EQ(sb.nblocks, 1);
	EXPECT_EQ(fs_layout(&sb, FSBLOCKS, 1, LOGSIZE), -1);
	EXPECT_EQ(fs_layout(&sb, FSBLOCKS, FSINODES, 1), -1);
}

TEST(superblock_check_accepts_good_layout)
{
	struct superblock sb;

	fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE);
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) == NULL);
	EXPECT(fs_superblock_check(&sb, FSBLOCKS + 100) == NULL);
	EXPECT(fs_superblock_check(&sb, 0) == NULL);
}

TEST(superblock_check_rejects_bad_magic)
{
	struct superblock sb;

	fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE);
	sb.magic ^= 1;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb.magic = 0;
	EXPECT(fs_superblock_check(&sb, 0) != NULL);
}

TEST(superblock_check_rejects_image_larger_than_disk)
{
	struct superblock sb;

	fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE);
	EXPECT(fs_superblock_check(&sb, FSBLOCKS - 1) != NULL);
	EXPECT(fs_superblock_check(&sb, 1) != NULL);
}

TEST(superblock_check_rejects_big_log)
{
	struct superblock sb;

	EXPECT_EQ(fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE + 1), 0);
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	EXPECT_EQ(fs_layout(&sb, FSBLOCKS, FSINODES, LOGSIZE), 0);
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) == NULL);
}

TEST(superblock_check_rejects_inconsistent_regions)
{
	struct superblock good, sb;

	fs_layout(&good, FSBLOCKS, FSINODES, LOGSIZE);

	sb = good;
	sb.logstart++;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb = good;
	sb.inodestart++;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb = good;
	sb.bmapstart--;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb = good;
	sb.nblocks++;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb = good;
	sb.ninodes += IPB;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
	sb = good;
	sb.size = 10;
	EXPECT(fs_superblock_check(&sb, FSBLOCKS) != NULL);
}

TEST(block_level_boundaries)
{
	uint64 index = 999;

	EXPECT_EQ(fs_block_level(0, &index), 0);
	EXPECT_EQ(index, 0);
	EXPECT_EQ(fs_block_level(NDIRECT - 1, &index), 0);
	EXPECT_EQ(index, NDIRECT - 1);
	EXPECT_EQ(fs_block_level(NDIRECT, &index), 1);
	EXPECT_EQ(index, 0);
	EXPECT_EQ(fs_block_level(NDIRECT + NINDIRECT - 1, &index), 1);
	EXPECT_EQ(index, NINDIRECT - 1);
	EXPECT_EQ(fs_block_level(NDIRECT + NINDIRECT, &index), 2);
	EXPECT_EQ(index, 0);
	EXPECT_EQ(fs_block_level(NDIRECT + NINDIRECT + NINDIRECT, &index), 2);
	EXPECT_EQ(index / NINDIRECT, 1);
	EXPECT_EQ(index % NINDIRECT, 0);
	EXPECT_EQ(fs_block_level(MAXFILE - 1, &index), 2);
	EXPECT_EQ(index, NDINDIRECT - 1);
	EXPECT_EQ(index / NINDIRECT, NINDIRECT - 1);
	EXPECT_EQ(index % NINDIRECT, NINDIRECT - 1);
	EXPECT_EQ(fs_block_level(MAXFILE, &index), -1);
	EXPECT_EQ(fs_block_level(~(uint64)0, &index), -1);
}

TEST(inode_and_bitmap_blocks)
{
	struct superblock sb;

	fs_layout(&sb, 3 * BPB, FSINODES, LOGSIZE);
	EXPECT_EQ(fs_inode_block(&sb, 0), sb.inodestart);
	EXPECT_EQ(fs_inode_block(&sb, ROOTINO), sb.inodestart);
	EXPECT_EQ(fs_inode_block(&sb, IPB - 1), sb.inodestart);
	EXPECT_EQ(fs_inode_block(&sb, IPB), sb.inodestart + 1);
	EXPECT_EQ(fs_inode_block(&sb, FSINODES - 1), sb.bmapstart - 1);
	EXPECT_EQ(fs_bitmap_block(&sb, 0), sb.bmapstart);
	EXPECT_EQ(fs_bitmap_block(&sb, BPB - 1), sb.bmapstart);
	EXPECT_EQ(fs_bitmap_block(&sb, BPB), sb.bmapstart + 1);
	EXPECT_EQ(fs_bitmap_block(&sb, sb.size - 1), fs_data_start(&sb) - 1);
}

/* Expect path_element(path) to return rest and give name and too_long. */
static void
expect_element(const char *path, const char *rest, const char *name, bool too_long)
{
	char got[DIRSIZ], want[DIRSIZ];
	bool got_too_long = !too_long;
	const char *got_rest;

	memset(got, 'X', sizeof got);
	got_rest = path_element(path, got, &got_too_long);
	EXPECT_STR(got_rest, rest);
	memset(want, 0, sizeof want);
	memcpy(want, name, strnlen(name, DIRSIZ));
	EXPECT(memcmp(got, want, DIRSIZ) == 0);
	EXPECT_EQ(got_too_long, too_long);
}

TEST(path_element_splits)
{
	expect_element("a", "", "a", false);
	expect_element("/a/b", "b", "a", false);
	expect_element("a//b///c", "b///c", "a", false);
	expect_element("b///c", "c", "b", false);
	expect_element("///a//bb", "bb", "a", false);
	expect_element("a/", "", "a", false);
}

TEST(path_element_empty)
{
	char name[DIRSIZ];
	bool too_long = true;

	EXPECT(path_element("", name, &too_long) == NULL);
	EXPECT(!too_long);
	EXPECT(path_element("/", name, &too_long) == NULL);
	EXPECT(path_element("///", name, &too_long) == NULL);
}

TEST(path_element_name_lengths)
{
	/* 14 and 15 characters: DIRSIZ and one more. */
	_Static_assert(DIRSIZ == 14, "the names below are DIRSIZ long");
	expect_element("abcdefghijklmn", "", "abcdefghijklmn", false);
	expect_element("/abcdefghijklmn/x", "x", "abcdefghijklmn", false);
	expect_element("abcdefghijklmno", "", "abcdefghijklmn", true);
	expect_element("abcdefghijklmno/x", "x", "abcdefghijklmn", true);
}

TEST(path_namecmp_compares)
{
	char full[DIRSIZ];

	EXPECT_EQ(path_namecmp("abc", "abc"), 0);
	EXPECT(path_namecmp("abc", "abd") < 0);
	EXPECT(path_namecmp("abd", "abc") > 0);
	EXPECT(path_namecmp("ab", "abc") < 0);
	EXPECT(path_namecmp("abc", "ab") > 0);
	EXPECT(path_namecmp("", "a") < 0);
	EXPECT(path_namecmp("\xff", "a") > 0);
	/* Only the first DIRSIZ bytes count, and those need no NUL. */
	memcpy(full, "abcdefghijklmn", DIRSIZ);
	EXPECT_EQ(path_namecmp(full, "abcdefghijklmn"), 0);
	EXPECT_EQ(path_namecmp("abcdefghijklmnX", "abcdefghijklmnY"), 0);
	EXPECT(path_namecmp("abcdefghijklmX", "abcdefghijklmY") < 0);
}

/* The values grading/fsimage.py:log_checksum computes for the same
 * blocks: the kernel, fsck and the crash tests agree on every sum. */
TEST(log_checksum_known_values)
{
	static uint8 block[BSIZE];

	EXPECT_EQ(log_checksum(block), 0x7da144b97d054b25ull);
	for (int i = 0; i < BSIZE; i++)
		block[i] = i % 256;
	EXPECT_EQ(log_checksum(block), 0xe10f8d6d1e1ef325ull);
}

/* A single changed bit, anywhere, changes the sum. */
TEST(log_checksum_sees_one_bit)
{
	static uint8 block[BSIZE];
	uint64 sum = log_checksum(block);

	for (int i = 0; i < BSIZE; i += 511) {
		block[i] ^= 0x80;
		EXPECT(log_checksum(block) != sum);
		block[i] ^= 0x80;
	}
}

int
main(void)
{
	return RUN_TESTS();
}
