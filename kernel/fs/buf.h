/*
 * kernel/fs/buf.h: a buffer-cache entry, one disk block in memory.
 */
#ifndef KERNEL_FS_BUF_H
#define KERNEL_FS_BUF_H

#include "include/types.h"
#include "include/fs_format.h"
#include "kernel/lock/sleeplock.h"

struct buf {
	/* [bcache.lock] identity and placement in the cache */
	uint dev;
	uint blockno;
	uint refcnt;              /* references held; 0 = may be recycled */
	struct buf *hash_next;    /* chain in the hash bucket of (dev, blockno) */
	struct buf *lru_prev;     /* position in the LRU list (head = most recent) */
	struct buf *lru_next;

	/* [log.lock, or the committer] in the transaction now gathering:
	 * log_write's test for a block already logged (kernel/fs/log.c) */
	bool logged;

	/* [lock] contents: held by whoever bread() gave the buffer to */
	struct sleeplock lock;
	bool valid;               /* data holds the block's contents */
	uchar data[BSIZE] __attribute__((aligned(64)));   /* word copies, typed access */

	/* [disk.lock] in flight to or from the disk (kernel/riscv/virtio_disk.c) */
	bool disk;
	bool io_failed;           /* the device reported an error for it */
};

#endif /* KERNEL_FS_BUF_H */
