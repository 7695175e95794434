/*
 * include/string.h: memory and string functions, one implementation
 * (include/string.c) linked into both the kernel and the user library.
 *
 * memmove/memcpy/memset move aligned 8-byte words where they can: the
 * pipe, file and fork paths depend on bulk copies being cheap.
 */
#ifndef INCLUDE_STRING_H
#define INCLUDE_STRING_H

#include "include/types.h"

void  *memset(void *dst, int c, size_t n);
void  *memmove(void *dst, const void *src, size_t n);
void  *memcpy(void *dst, const void *src, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
void  *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strcpy(char *dst, const char *src);
char  *strncpy(char *dst, const char *src, size_t n);
char  *strcat(char *dst, const char *src);
char  *strchr(const char *s, int c);
char  *strrchr(const char *s, int c);
char  *strstr(const char *haystack, const char *needle);
/* Copy at most size-1 bytes and always NUL-terminate; returns dst. */
char  *safestrcpy(char *dst, const char *src, size_t size);

#endif /* INCLUDE_STRING_H */
