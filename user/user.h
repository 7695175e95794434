/*
 * user/user.h: everything a user program needs: the system calls, the
 * library, and the shared types and constants.
 *
 * Source-compatible with xv6's user.h: a program written for xv6 builds
 * unchanged once its includes are "user/user.h" (which pulls in types,
 * stat and fcntl).  Where xv6 returns -1 for every failure, our calls also
 * return -1 but set errno to say why; strerror(errno) and perror() turn
 * that into words.
 */
#ifndef USER_USER_H
#define USER_USER_H

#include <stdarg.h>
#include "include/types.h"
#include "include/param.h"
#include "include/stat.h"
#include "include/sysinfo.h"
#include "include/fcntl.h"
#include "include/errno.h"
#include "include/syscalls.h"
#include "include/string.h"

/* ---- system calls (generated from include/syscalls.h) -------------------- */
#define SYSCALL_PROTOTYPE(number, name, ret, params) ret name params;
SYSCALL_TABLE(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

/* ---- errors -------------------------------------------------------------- */
extern int errno;                        /* set by a failing system call */
const char *strerror(int err);           /* "no such file or directory" */
void perror(const char *prefix);         /* "prefix: message\n" to fd 2 */
/* The system-call stubs' common tail (user/lib/usys.S): -errno -> -1. */
long __syscall_result(long r);

/* ---- formatted output (see include/fmt.h for the conversions) ------------ */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vprintf(const char *fmt, va_list ap);
int vfprintf(int fd, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* A test program's verdict line, "PROG: CASE: WORD..." (user/lib/verdict.c):
 * WORD is "ok, " or "FAILED: ", and fmt the rest. */
void verdict(const char *prog, const char *name, const char *word,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void vverdict(const char *prog, const char *name, const char *word,
	      const char *fmt, va_list ap);

/* ---- memory -------------------------------------------------------------- */
void *malloc(size_t n);
void  free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

/* ---- odds and ends ------------------------------------------------------- */
int   atoi(const char *s);
bool  is_number(const char *s);          /* only decimal digits, at least one */
char *gets(char *buf, int max);          /* read a line from fd 0, keep the \n */
int   stat(const char *path, struct stat *st);
int   isatty(int fd);
int   remove_tree(const char *path);       /* rm -r: path and all under it */
uint  rand_below(uint64 *state, uint n);  /* xorshift: [0, n) */
/* Read the instruction counter (for benchmarks). */
static inline uint64 rdinstret(void) { uint64 x; asm volatile("rdinstret %0" : "=r"(x)); return x; }

/* ---- character classes --------------------------------------------------- */
int isdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int toupper(int c);
int tolower(int c);

#endif /* USER_USER_H */
