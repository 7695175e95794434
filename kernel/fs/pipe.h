/*
 * kernel/fs/pipe.h: pipes, a PIPESIZE-byte ring buffer between two files.
 */
#ifndef KERNEL_FS_PIPE_H
#define KERNEL_FS_PIPE_H

#include "include/types.h"

struct file;
struct pipe;

/* 0 and two new files, or -ENFILE / -ENOMEM. */
int  pipealloc(struct file **readf, struct file **writef);
void pipeclose(struct pipe *pi, bool writable);
int  pipewrite(struct pipe *pi, uint64 addr, int n);   /* bytes, -EPIPE, -EFAULT */
int  piperead(struct pipe *pi, uint64 addr, int n);    /* bytes (0 = EOF), -EFAULT */

#endif /* KERNEL_FS_PIPE_H */
