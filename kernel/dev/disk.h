/*
 * kernel/dev/disk.h: the block-device interface (kernel/riscv/virtio_disk.c).
 */
#ifndef KERNEL_DEV_DISK_H
#define KERNEL_DEV_DISK_H

#include "kernel/fs/buf.h"

void disk_init(void);
/* Disk size in BSIZE blocks (from the device's capacity). */
uint64 disk_blocks(void);
/*
 * Read or write the n buffers bufs[0..n-1], each one block at its blockno.
 * The caller holds each buffer's sleep lock.  Buffers whose block numbers
 * are consecutive (in array order) travel in one request; all requests are
 * in flight together; returns when every one has completed: 0, or -EIO
 * when the device reported a failure for any of them (each failure is
 * named on the console; what a failed read left in a buffer is garbage).
 */
int disk_rw(struct buf **bufs, int n, bool write);
/*
 * Make every write that has completed durable: a disk with a volatile
 * write cache may otherwise lose it, or keep a later one and lose an
 * earlier one, if the power fails.  Returns once the device says so: 0,
 * or -EIO.
 */
int disk_flush(void);
void disk_intr(void);
/* Requests submitted since boot (one request may carry several blocks). */
void disk_stats(uint64 *reads, uint64 *writes, uint64 *flushes);

#endif /* KERNEL_DEV_DISK_H */
