/*
 * kernel/fs/bio.h: the buffer cache.  bread() returns a locked buffer holding a
 * block; the caller may change data and bwrite() it, and must brelse() it.
 * bread() returns NULL when the disk cannot read the block, and the writes
 * return -EIO when it cannot write one.
 */
#ifndef KERNEL_FS_BIO_H
#define KERNEL_FS_BIO_H

#include "kernel/fs/buf.h"

void bio_init(void);
struct buf *bread(uint dev, uint blockno);
/* For a block about to be overwritten whole: the disk is not read, and the
 * caller must fill every byte of data. */
struct buf *bfresh(uint dev, uint blockno);
int  bwrite(struct buf *b);
/* Write n locked buffers with as few disk requests as their numbers allow. */
int  bwrite_many(struct buf **bufs, int n);
void brelse(struct buf *b);
/* Keep b in the cache (the log holds it until it is installed). */
void bpin(struct buf *b);
/* The block whose cached buffer sl locks, or -1 when sl is no buffer's
 * lock (procdump names waits with it). */
int  buffer_block(const struct sleeplock *sl);
void bunpin(struct buf *b);

#endif /* KERNEL_FS_BIO_H */
