/*
 * include/errno.h: the error codes, defined once.
 *
 * A failing system call returns -E... in a0; the user stub turns that into
 * a return value of -1 and sets errno.  Kernel functions that can fail
 * return 0 (or a count) on success and -E... on failure.
 *
 * ERRNO_TABLE is the single source of truth: the enum below and the
 * messages (errno_message, in include/errno.c, which the kernel's console
 * messages and the user library's strerror() both use) are generated
 * from it.
 * The numbers follow the traditional Unix values.
 */
#ifndef INCLUDE_ERRNO_H
#define INCLUDE_ERRNO_H

/*      name        number  message */
#define ERRNO_TABLE(X)                                          \
	X(EPERM,        1,  "operation not permitted")          \
	X(ENOENT,       2,  "no such file or directory")        \
	X(ESRCH,        3,  "no such process")                  \
	X(EINTR,        4,  "interrupted system call")          \
	X(EIO,          5,  "input/output error")               \
	X(E2BIG,        7,  "argument list too long")           \
	X(ENOEXEC,      8,  "exec format error")                \
	X(EBADF,        9,  "bad file descriptor")              \
	X(ECHILD,      10,  "no child processes")               \
	X(EAGAIN,      11,  "resource temporarily unavailable") \
	X(ENOMEM,      12,  "out of memory")                    \
	X(EACCES,      13,  "permission denied")                \
	X(EFAULT,      14,  "bad address")                      \
	X(EBUSY,       16,  "device or resource busy")          \
	X(EEXIST,      17,  "file exists")                      \
	X(EXDEV,       18,  "cross-device link")                \
	X(ENODEV,      19,  "no such device")                   \
	X(ENOTDIR,     20,  "not a directory")                  \
	X(EISDIR,      21,  "is a directory")                   \
	X(EINVAL,      22,  "invalid argument")                 \
	X(ENFILE,      23,  "too many open files in system")    \
	X(EMFILE,      24,  "too many open files")              \
	X(ENOTTY,      25,  "not a terminal")                   \
	X(EFBIG,       27,  "file too large")                   \
	X(ENOSPC,      28,  "no space left on device")          \
	X(ESPIPE,      29,  "illegal seek")                     \
	X(EROFS,       30,  "read-only file system")            \
	X(EMLINK,      31,  "too many links")                   \
	X(EPIPE,       32,  "broken pipe")                      \
	X(ERANGE,      34,  "result out of range")              \
	X(ENAMETOOLONG,36,  "file name too long")               \
	X(ENOSYS,      38,  "function not implemented")         \
	X(ENOTEMPTY,   39,  "directory not empty")              \
	X(ELOOP,       40,  "too many levels of symbolic links")

enum errno_value {
#define ERRNO_ENUM(name, number, message) name = number,
	ERRNO_TABLE(ERRNO_ENUM)
#undef ERRNO_ENUM
};

/* One more than the largest error number. */
#define ERRNO_MAX 41

#ifndef __ASSEMBLER__
/* The message for error number err (positive), or NULL for an unknown one. */
const char *errno_message(int err);
/* Its symbolic name ("ENOENT"), or NULL for an unknown one. */
const char *errno_name(int err);
#endif

/*
 * A system-call return value in [-ERRNO_MAX, -1] is an error; anything
 * else (including large addresses returned by sbrk) is a result.
 */
#define IS_ERR_RESULT(r) ((long)(r) < 0 && (long)(r) >= -ERRNO_MAX)

#endif /* INCLUDE_ERRNO_H */
