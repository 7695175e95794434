/*
 * include/param.h: the system's limits and tunables, one a line.
 *
 * Everything sized by a limit derives from the constant here; nothing else
 * in the tree repeats the number.
 */
#ifndef INCLUDE_PARAM_H
#define INCLUDE_PARAM_H

#define NPROC        64     /* process table slots */
#define NCPU          8     /* harts the kernel can drive */
#define NOFILE       16     /* open files per process */
#define NFILE       100     /* open files in the whole system */
/* In-memory inode cache entries: one per open file and per current
 * directory, and three for the lookups a system call has under way. */
#define NINODE      (NFILE + 4 * NPROC)
#define NDEV         10     /* device major numbers */
#define ROOTDEV       1     /* device number of the root file system */
#define MAXARG       32     /* exec: most arguments */
#define MAXARGLEN  1024     /* exec: longest single argument, with its NUL */
#define MAXPATH     128     /* longest path name, with its NUL */
#define LINK_MAX   1000     /* most links to one inode: names of a file, or
                               1 + subdirectories of a directory (EMLINK) */
#define MAXOPBLOCKS  16     /* most blocks one file-system operation logs */
#define LOGBLOCKS   (4 * MAXOPBLOCKS)   /* blocks in the on-disk log */
#define NBUF        (8 * MAXOPBLOCKS)   /* buffer-cache blocks */
#define NBUFHASH     61     /* buffer-cache hash buckets (a prime) */
#define FSBLOCKS   8192     /* default image size in blocks (32 MiB) */
#define FSINODES   2048     /* default number of inodes */
#define USTACKPAGES   4     /* pages of user stack made by exec */
#define TICK_HZ     100     /* timer interrupts a second: a tick is 10 ms */
#define PIPESIZE  16384     /* bytes buffered in one pipe */

/* Exit statuses the kernel gives a process it ends (wait() reports them). */
#define EXIT_KILLED      -1   /* killed: kill(), or a fault */
#define EXIT_INTERRUPTED -2   /* interrupted: Ctrl-C at the console */

/* Device major numbers (device files in /dev name them). */
#define CONSOLE       1     /* the console: /dev/console */

#endif /* INCLUDE_PARAM_H */
