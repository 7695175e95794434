/*
 * kernel/proc/exec.h: replacing a process's program.
 */
#ifndef KERNEL_PROC_EXEC_H
#define KERNEL_PROC_EXEC_H

/* Returns argc (becoming the new program's a0), or -ENOENT, -ENOEXEC,
 * -E2BIG, -ENOMEM, -EIO; on failure the old program is untouched. */
int kexec(const char *path, char **argv);

#endif /* KERNEL_PROC_EXEC_H */
