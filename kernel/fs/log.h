/*
 * kernel/fs/log.h: the write-ahead log that makes file-system operations atomic.
 *
 * Every operation that modifies the disk is bracketed by begin_op() and
 * end_op(), and writes blocks with log_write() instead of bwrite().
 */
#ifndef KERNEL_FS_LOG_H
#define KERNEL_FS_LOG_H

#include "include/fs_format.h"
#include "kernel/fs/buf.h"

void log_init(int dev, const struct superblock *sb);
void begin_op(void);
/* begin_op for an operation that may log up to nblocks new blocks, at
 * most log_capacity(): a large file write. */
void begin_op_blocks(int nblocks);
int  log_capacity(void);
/* 0, or -EIO once a failed write has made the file system read-only. */
int  end_op(void);
void log_write(struct buf *b);
/* Wait until everything logged so far is committed (fsync): 0 or -EIO. */
int  log_sync(void);
/* Has a failed write made the file system read-only (until reboot)? */
bool log_readonly(void);
/* The disk failed the file system while it was changing it (step names
 * what it was doing): go read-only until reboot. */
void log_fail(const char *step);
/* Wait for running operations, commit, and leave the log empty; no
 * operation starts afterwards (for power-off). */
void log_shutdown(void);

#endif /* KERNEL_FS_LOG_H */
