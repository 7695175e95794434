/*
 * include/syscalls.h: the system-call table, defined once.
 *
 * Each row names a call's number, its name, and its user-visible prototype
 * (return type and parameter list).  Everything else is generated:
 *   - SYS_name constants (below), used by the kernel and the user stubs;
 *   - the kernel's dispatch table (kernel/proc/syscall.c), which calls sys_name();
 *   - the user stubs (user/lib/usys.S), each "li a7, SYS_name; ecall";
 *   - the user prototypes (user/user.h).
 * Adding a system call means adding a row here and writing sys_name().
 *
 * Calling convention: arguments in a0..a5, number in a7, result in a0.  A
 * failure returns -errno (include/errno.h); the user stub turns that into
 * -1 with errno set, as C programs expect.  Numbers 1-21 are xv6's.
 */
#ifndef INCLUDE_SYSCALLS_H
#define INCLUDE_SYSCALLS_H

/*      number  name     return type                    parameters */
#define SYSCALL_TABLE(X)                                                              \
	X( 1, fork,     int,                             (void))                      \
	X( 2, exit,     __attribute__((noreturn)) int,   (int status))                \
	X( 3, wait,     int,                             (int *status))               \
	X( 4, pipe,     int,                             (int fds[2]))                \
	X( 5, read,     int,                             (int fd, void *buf, int n))  \
	X( 6, kill,     int,                             (int pid))                   \
	X( 7, exec,     int,                             (const char *path, char **argv)) \
	X( 8, fstat,    int,                             (int fd, struct stat *st))   \
	X( 9, chdir,    int,                             (const char *path))          \
	X(10, dup,      int,                             (int fd))                    \
	X(11, getpid,   int,                             (void))                      \
	X(12, sbrk,     char *,                          (int n))                     \
	X(13, sleep,    int,                             (int ticks))                 \
	X(14, uptime,   int,                             (void))                      \
	X(15, open,     int,                             (const char *path, int flags)) \
	X(16, write,    int,                             (int fd, const void *buf, int n)) \
	X(17, mknod,    int,                             (const char *path, short major, short minor)) \
	X(18, unlink,   int,                             (const char *path))          \
	X(19, link,     int,                             (const char *old, const char *new)) \
	X(20, mkdir,    int,                             (const char *path))          \
	X(21, close,    int,                             (int fd))                    \
	X(22, poweroff, __attribute__((noreturn)) int,   (void))                      \
	X(23, sysinfo,  int,                             (struct sysinfo *info))    \
	X(24, fsync,    int,                             (int fd))                    \
	X(25, setpgid,  int,                             (int pid, int pgid))         \
	X(26, tcsetpgrp, int,                            (int fd, int pgid))

#ifndef __ASSEMBLER__
enum syscall_number {
#define SYSCALL_ENUM(number, name, ret, params) SYS_##name = number,
	SYSCALL_TABLE(SYSCALL_ENUM)
#undef SYSCALL_ENUM
};
#endif

#endif /* INCLUDE_SYSCALLS_H */
