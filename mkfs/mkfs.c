/*
 * mkfs/mkfs.c: build a file-system image on the host.
 *
 *   mkfs [-v] [-b blocks] [-i inodes] fs.img FILE...
 *
 * The image gets the layout fs_layout() computes (include/fs_format.h) for
 * `blocks` blocks (default FSBLOCKS), `inodes` inodes (default FSINODES)
 * and a log of LOGBLOCKS+1 blocks (the header and LOGBLOCKS blocks).  It
 * holds this tree:
 *
 *   /               the root directory, inode ROOTINO
 *   /bin/NAME       each FILE that is an ELF executable (starts 0x7f 'E' 'L' 'F')
 *   /dev/console    the console device: T_DEVICE, major CONSOLE, minor 0
 *   /NAME           each other FILE
 *
 * where NAME is the FILE's last path element.  Every directory starts with
 * "." (itself) and ".." (its parent; the root's parent is the root).
 *
 * Link counts.  nlink is the number of directory entries naming the inode,
 * leaving out a directory's own "." entry: a file has nlink 1, and a
 * directory has 1 (its entry in its parent) plus 1 for each subdirectory,
 * whose ".." names it.  The root counts as named once, like any other
 * directory, so here it has 1 + 2 (the ".." of /bin and of /dev) = 3.  The
 * kernel keeps the same rule: mkdir adds one to the parent's nlink and
 * removing a directory takes it away again.
 *
 * How it works.  The whole image is built in memory and written to the
 * file only at the end, so a refused image never reaches the disk.  If
 * writing fails, the file is removed only when mkfs created it: a path
 * that was there before (an old image, /dev/null, a FIFO, a symbolic
 * link) is never unlinked.  Inodes are handed out from ROOTINO upward
 * and blocks from the first data block upward, never freed: the
 * used blocks are therefore exactly those below the next free one, and the
 * free bitmap, written last, marks that prefix.  A file's blocks are found or added by
 * walking its block map with fs_block_level(), allocating indirect blocks
 * as they are first needed.
 *
 * Anything that would make a bad image (a name longer than DIRSIZ, a name
 * already in its directory, a file over the size limit, too few inodes or
 * blocks, an unreadable input) is refused with a message naming the file
 * and the reason, and exit status 1, as is a failure to write the image
 * (with the host's reason, e.g. "No space left on device").  Bad
 * arguments, including sizes the kernel would not mount (more than
 * FS_MAXBLOCKS blocks or FS_MAXINODES inodes), print a message or the
 * usage line and exit with status 2.  On success mkfs prints nothing,
 * unless -v asks for a one-line summary of the layout.
 *
 * The on-disk integers are little-endian, which is also this host's order,
 * so structures are copied into the image as they are.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "include/types.h"
#include "include/param.h"
#include "include/fs_format.h"
#include "include/path.h"
#include "include/stat.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "mkfs copies structures as they are: it needs a little-endian host");

#define LOGSIZE     (LOGBLOCKS + 1)          /* log header and log blocks */

static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

struct options {
	uint32 blocks;
	uint32 inodes;
	bool verbose;
	const char *image;      /* output path */
	char **files;
	int nfiles;
};

/* The image under construction. */
struct image {
	struct superblock sb;
	uint8 *data;            /* sb.size blocks, zeroed when made */
	uint32 next_inum;       /* next free inode; all below are in use */
	uint32 next_block;      /* next free block; all below are in use */
};

static void
usage(void)
{
	fprintf(stderr, "usage: mkfs [-v] [-b blocks] [-i inodes] fs.img FILE...\n");
}

/* Print why making `what` failed; err is a negative errno. */
static void
complain(const char *what, int err)
{
	switch (err) {
	case -ENAMETOOLONG:
		fprintf(stderr, "mkfs: %s: name is longer than DIRSIZ (%d) characters\n",
			what, DIRSIZ);
		break;
	case -EEXIST:
		fprintf(stderr, "mkfs: %s: duplicate name (its directory already has it)\n", what);
		break;
	case -EFBIG:
		fprintf(stderr, "mkfs: %s: file is too large (the most is %llu bytes)\n",
			what, (unsigned long long)MAXFILESIZE);
		break;
	case -ENOSPC:
		fprintf(stderr, "mkfs: %s: image is full (use a larger -b)\n", what);
		break;
	case -ENFILE:
		fprintf(stderr, "mkfs: %s: out of inodes (use a larger -i)\n", what);
		break;
	case -EINVAL:
		fprintf(stderr, "mkfs: \"%s\": path names no file\n", what);
		break;
	default:
		fprintf(stderr, "mkfs: %s: %s\n", what, strerror(-err));
		break;
	}
}

/* ---- arguments ---------------------------------------------------------- */

/* Parse a decimal count from 1 to UINT32_MAX into *out. */
static bool
parse_count(const char *s, uint32 *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != 0 || v == 0 || v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

/* Fill *opt from the command line.  Returns 0, or -EINVAL when the caller
 * should print the usage line. */
static int
parse_args(int argc, char **argv, struct options *opt)
{
	int c;

	opt->blocks = FSBLOCKS;
	opt->inodes = FSINODES;
	opt->verbose = false;
	while ((c = getopt(argc, argv, "b:i:v")) != -1) {
		if (c == 'b' && parse_count(optarg, &opt->blocks))
			continue;
		if (c == 'i' && parse_count(optarg, &opt->inodes))
			continue;
		if (c == 'v') {
			opt->verbose = true;
			continue;
		}
		if (c == 'b' || c == 'i')
			fprintf(stderr, "mkfs: -%c wants a positive number, not \"%s\"\n",
				c, optarg);
		return -EINVAL;
	}
	if (opt->inodes > FS_MAXINODES) {
		fprintf(stderr, "mkfs: -i: at most %u inodes fit 16-bit inode numbers\n",
			FS_MAXINODES);
		return -EINVAL;
	}
	if (opt->blocks > FS_MAXBLOCKS) {
		fprintf(stderr, "mkfs: -b: at most %u blocks: the kernel mounts no "
			"larger image (its bitmap must fit one log operation)\n",
			FS_MAXBLOCKS);
		return -EINVAL;
	}
	if (optind >= argc)
		return -EINVAL;
	opt->image = argv[optind];
	opt->files = argv + optind + 1;
	opt->nfiles = argc - optind - 1;
	return 0;
}

/* ---- the in-memory image ------------------------------------------------ */

static uint8 *
img_block(struct image *img, uint32 b)
{
	return img->data + (uint64)b * BSIZE;
}

static struct dinode *
img_inode(struct image *img, uint32 inum)
{
	struct dinode *block = (struct dinode *)img_block(img, fs_inode_block(&img->sb, inum));

	return &block[inum % IPB];
}

/* Lay out and allocate an empty image.  Returns 0, or -1 after saying why. */
static int
img_init(struct image *img, const struct options *opt)
{
	if (fs_layout(&img->sb, opt->blocks, opt->inodes, LOGSIZE) != 0) {
		fprintf(stderr, "mkfs: %s: %u blocks are too few for %u inodes "
			"and a log of %u blocks\n", opt->image, opt->blocks,
			opt->inodes, LOGSIZE);
		return -1;
	}
	img->data = calloc(img->sb.size, BSIZE);
	if (img->data == NULL) {
		fprintf(stderr, "mkfs: %s: no memory for an image of %u blocks\n",
			opt->image, opt->blocks);
		return -1;
	}
	img->next_inum = ROOTINO;
	img->next_block = fs_data_start(&img->sb);
	return 0;
}

/* Take the next free inode, of type and with nlink 1.  0 or -ENFILE. */
static int
img_alloc_inode(struct image *img, int16 type, uint32 *inum)
{
	struct dinode *ip;

	if (img->next_inum >= img->sb.ninodes)
		return -ENFILE;
	*inum = img->next_inum++;
	ip = img_inode(img, *inum);
	ip->type = type;
	ip->nlink = 1;
	return 0;
}

/* Make *slot name a block, taking the next free (zeroed) one if it names
 * none yet.  0 or -ENOSPC. */
static int
img_fill_slot(struct image *img, uint32 *slot)
{
	if (*slot != 0)
		return 0;
	if (img->next_block >= img->sb.size)
		return -ENOSPC;
	*slot = img->next_block++;
	return 0;
}

/* Mark every used block, metadata included, in the free bitmap, and store
 * the superblock.  Bit b % 8 of byte (b % BPB) / 8 of block
 * fs_bitmap_block(b) stands for block b; 1 means in use. */
static void
img_finish(struct image *img)
{
	uint32 b;
	uint8 *map;

	for (b = 0; b < img->next_block; b++) {
		map = img_block(img, fs_bitmap_block(&img->sb, b));
		map[(b % BPB) / 8] |= 1 << (b % 8);
	}
	memcpy(img_block(img, 1), &img->sb, sizeof img->sb);
}

/* Open path for writing, creating it if it is not there; *created says
 * whether this call made it ("x": only a new file, as C11 defines it).
 * NULL, with errno set, when it cannot be opened. */
static FILE *
open_output(const char *path, bool *created)
{
	FILE *f;

	f = fopen(path, "wbx");
	*created = f != NULL;
	if (f == NULL && errno == EEXIST)
		f = fopen(path, "wb");
	return f;
}

/* Write n bytes from p to fd, unbuffered.  0 or a negative errno. */
static int
write_all(int fd, const uint8 *p, uint64 n)
{
	ssize_t m;

	while (n > 0) {
		m = write(fd, p, n);
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return -errno;
		p += m;
		n -= m;
	}
	return 0;
}

/* Write the image to path; if that fails, remove the file only when this
 * call created it.  0, or -1 after saying why. */
static int
img_write(struct image *img, const char *path)
{
	bool created;
	FILE *f;
	int err;

	f = open_output(path, &created);
	if (f == NULL) {
		fprintf(stderr, "mkfs: %s: cannot open for writing: %s\n", path,
			strerror(errno));
		return -1;
	}
	err = write_all(fileno(f), img->data, (uint64)img->sb.size * BSIZE);
	if (fclose(f) != 0 && err == 0)
		err = -errno;
	if (err == 0)
		return 0;
	fprintf(stderr, "mkfs: %s: write error: %s\n", path, strerror(-err));
	if (created)
		unlink(path);
	else
		fprintf(stderr, "mkfs: %s: left in place: mkfs did not create it\n",
			path);
	return -1;
}

/* ---- files -------------------------------------------------------------- */

/*
 * Find the disk block holding block bn of inode ip, in *b, first adding it
 * and any indirect block on the way that is not there yet.  Files here
 * have no holes, so within the file's size this only looks.  Returns 0,
 * -EFBIG when bn is past MAXFILE, or -ENOSPC.
 */
static int
inode_map(struct image *img, struct dinode *ip, uint64 bn, uint32 *b)
{
	uint64 index, step[2];
	uint32 *slot;
	int depth, i, err;

	depth = fs_block_level(bn, &index);
	if (depth < 0)
		return -EFBIG;
	if (depth == 0) {
		slot = &ip->addrs[index];
	} else if (depth == 1) {
		slot = &ip->addrs[INDIRECT_SLOT];
		step[0] = index;
	} else {
		slot = &ip->addrs[DINDIRECT_SLOT];
		step[0] = index / NINDIRECT;
		step[1] = index % NINDIRECT;
	}
	for (i = 0; i < depth; i++) {
		err = img_fill_slot(img, slot);
		if (err < 0)
			return err;
		slot = (uint32 *)img_block(img, *slot) + step[i];
	}
	err = img_fill_slot(img, slot);
	if (err < 0)
		return err;
	*b = *slot;
	return 0;
}

/* Add n bytes from src at the end of inode ip.  0, -EFBIG or -ENOSPC. */
static int
inode_append(struct image *img, struct dinode *ip, const void *src, size_t n)
{
	const uint8 *p = src;
	uint32 b, off, m;
	int err;

	if ((uint64)ip->size + n > MAXFILESIZE)
		return -EFBIG;
	while (n > 0) {
		err = inode_map(img, ip, ip->size / BSIZE, &b);
		if (err < 0)
			return err;
		off = ip->size % BSIZE;
		m = BSIZE - off < n ? BSIZE - off : n;
		memcpy(img_block(img, b) + off, p, m);
		ip->size += m;
		p += m;
		n -= m;
	}
	return 0;
}

/* Whether directory dir holds an entry called name. */
static bool
dir_has(struct image *img, uint32 dir, const char *name)
{
	struct dinode *dp = img_inode(img, dir);
	const struct dirent *de;
	uint32 off, b;

	for (off = 0; off < dp->size; off += sizeof *de) {
		if (inode_map(img, dp, off / BSIZE, &b) < 0)
			return false;
		de = (const struct dirent *)(img_block(img, b) + off % BSIZE);
		if (de->inum != 0 && path_namecmp(de->name, name) == 0)
			return true;
	}
	return false;
}

/*
 * Add the entry name -> inum to directory dir.  name holds at most DIRSIZ
 * characters and is NUL-terminated when shorter, as in a dirent.  Returns
 * 0, -EEXIST when dir already has the name, or what inode_append returns.
 */
static int
dir_link(struct image *img, uint32 dir, const char *name, uint32 inum)
{
	struct dirent de;

	if (dir_has(img, dir, name))
		return -EEXIST;
	memset(&de, 0, sizeof de);
	de.inum = inum;
	memcpy(de.name, name, strnlen(name, DIRSIZ));
	return inode_append(img, img_inode(img, dir), &de, sizeof de);
}

/* Make a directory holding "." and "..", named name in parent, in *inum;
 * parent == 0 makes the root, its own parent.  0 or a negative errno. */
static int
dir_make(struct image *img, uint32 parent, const char *name, uint32 *inum)
{
	int err;

	err = img_alloc_inode(img, T_DIR, inum);
	if (err == 0 && parent == 0)
		parent = *inum;
	if (err == 0)
		err = dir_link(img, *inum, ".", *inum);
	if (err == 0)
		err = dir_link(img, *inum, "..", parent);
	if (err == 0 && parent != *inum)
		err = dir_link(img, parent, name, *inum);
	if (err == 0 && parent != *inum)
		img_inode(img, parent)->nlink++;
	return err;
}

/* Make device file name in dir for driver major, unit minor. */
static int
device_make(struct image *img, uint32 dir, const char *name, int16 major, int16 minor)
{
	struct dinode *ip;
	uint32 inum;
	int err;

	err = img_alloc_inode(img, T_DEVICE, &inum);
	if (err < 0)
		return err;
	ip = img_inode(img, inum);
	ip->major = major;
	ip->minor = minor;
	return dir_link(img, dir, name, inum);
}

/* Put path's last element in name (DIRSIZ bytes, NUL-padded).  0,
 * -EINVAL when the path has no element, -ENAMETOOLONG. */
static int
file_name(const char *path, char name[DIRSIZ])
{
	bool too_long;
	const char *rest;

	rest = path_element(path, name, &too_long);
	if (rest == NULL)
		return -EINVAL;
	while (*rest != 0)
		rest = path_element(rest, name, &too_long);
	return too_long ? -ENAMETOOLONG : 0;
}

/*
 * Check that open file f can go into the image and say in *elf whether it
 * is an ELF executable; leaves f at its start.  Returns 0, -EFBIG, or the
 * negative errno of a failed read or seek (-EISDIR for a directory).
 */
static int
file_probe(FILE *f, bool *elf)
{
	unsigned char magic[sizeof elf_magic];
	uint64 limit = MAXFILE * BSIZE < MAXFILESIZE ? MAXFILE * BSIZE : MAXFILESIZE;
	size_t n;
	off_t size;

	n = fread(magic, 1, sizeof magic, f);
	if (ferror(f))
		return -errno;
	if (fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0 ||
	    fseeko(f, 0, SEEK_SET) != 0)
		return -errno;
	if ((uint64)size > limit)
		return -EFBIG;
	*elf = n == sizeof magic && memcmp(magic, elf_magic, sizeof magic) == 0;
	return 0;
}

/* Copy the rest of f to the end of inode inum. */
static int
file_copy(struct image *img, FILE *f, uint32 inum)
{
	static uint8 buf[BSIZE];
	size_t n;
	int err;

	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		err = inode_append(img, img_inode(img, inum), buf, n);
		if (err < 0)
			return err;
	}
	return ferror(f) ? -errno : 0;
}

/* Copy host file path into /bin (ELF executables) or / (the rest).
 * Returns 0, or a negative errno after saying what went wrong. */
static int
file_add(struct image *img, uint32 bin, const char *path)
{
	char name[DIRSIZ];
	uint32 inum;
	bool elf = false;
	FILE *f;
	int err;

	err = file_name(path, name);
	if (err < 0)
		goto out_report;
	f = fopen(path, "rb");
	if (f == NULL) {
		err = -errno;
		goto out_report;
	}
	err = file_probe(f, &elf);
	if (err == 0)
		err = img_alloc_inode(img, T_FILE, &inum);
	if (err == 0)
		err = dir_link(img, elf ? bin : ROOTINO, name, inum);
	if (err == 0)
		err = file_copy(img, f, inum);
	fclose(f);
out_report:
	if (err < 0)
		complain(path, err);
	return err;
}

/* Make /, /bin, /dev, /dev/console, then add each file.  0 or -1. */
static int
build_tree(struct image *img, char **files, int nfiles)
{
	uint32 root, bin, dev;
	const char *what;
	int i, err;

	what = "/";
	err = dir_make(img, 0, "/", &root);
	if (err == 0) {
		what = "/bin";
		err = dir_make(img, root, "bin", &bin);
	}
	if (err == 0) {
		what = "/dev";
		err = dir_make(img, root, "dev", &dev);
	}
	if (err == 0) {
		what = "/dev/console";
		err = device_make(img, dev, "console", CONSOLE, 0);
	}
	if (err < 0) {
		complain(what, err);
		return -1;
	}
	for (i = 0; i < nfiles; i++)
		if (file_add(img, bin, files[i]) < 0)
			return -1;
	return 0;
}

static void
print_summary(const struct image *img, const char *path)
{
	const struct superblock *sb = &img->sb;

	printf("%s: %u blocks: log %u at %u, inodes %u at %u, bitmap %u at %u, "
	       "data %u at %u (%u used); inodes %u (%u used)\n",
	       path, sb->size, sb->nlog, sb->logstart,
	       sb->bmapstart - sb->inodestart, sb->inodestart,
	       fs_data_start(sb) - sb->bmapstart, sb->bmapstart,
	       sb->nblocks, fs_data_start(sb),
	       img->next_block - fs_data_start(sb),
	       sb->ninodes, img->next_inum - ROOTINO);
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct image img;
	int status = 1;

	if (parse_args(argc, argv, &opt) < 0) {
		usage();
		return 2;
	}
	if (img_init(&img, &opt) < 0)
		return 1;
	if (build_tree(&img, opt.files, opt.nfiles) < 0)
		goto out_free_image;
	img_finish(&img);
	if (img_write(&img, opt.image) < 0)
		goto out_free_image;
	if (opt.verbose)
		print_summary(&img, opt.image);
	status = 0;
out_free_image:
	free(img.data);
	return status;
}
