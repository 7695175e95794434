/*
 * include/sysinfo.h: what the sysinfo() system call reports, for tests that
 * check nothing leaked and for programs that show resource use.
 */
#ifndef INCLUDE_SYSINFO_H
#define INCLUDE_SYSINFO_H

#include "include/types.h"

struct sysinfo {
	uint64 freepages;     /* physical pages free */
	uint64 totalpages;    /* physical pages the allocator manages */
	uint32 freeblocks;    /* file-system data blocks free */
	uint32 totalblocks;   /* file-system data blocks in all */
	uint32 freeinodes;    /* on-disk inodes free */
	uint32 totalinodes;   /* on-disk inodes in all */
	uint32 nproc;         /* processes that exist (any state but unused) */
	uint32 ncpu;          /* harts running the kernel */
	uint64 diskreads;     /* disk read requests since boot */
	uint64 diskwrites;    /* disk write requests since boot (each may
	                         carry several blocks) */
	uint64 diskflushes;   /* disk cache flushes since boot */
	uint64 idleinstret;   /* instructions harts counted with no process to
	                         run: under QEMU's -icount, idle time (make
	                         bench); read before the fields above */
};

#endif /* INCLUDE_SYSINFO_H */
