/*
 * include/string.c: the memory and string functions of include/string.h,
 * linked into both the kernel and the user library.
 *
 * Bulk moves.  memset, memcpy and memmove carry the pipe, file and fork
 * paths, so they move 8-byte words where they can.  A move runs in three
 * phases:
 *
 *     head   single bytes, until dst reaches an 8-byte boundary;
 *     body   aligned words, eight to a loop iteration (64 bytes);
 *     tail   the fewer than 8 bytes left over, singly.
 *
 * A copy has a body only when src and dst sit at the same offset within a
 * word ("co-aligned"), so that aligning dst aligns src too.  Otherwise the
 * whole copy goes byte by byte: a RISC-V core may trap on a misaligned
 * word access, which costs far more than the bytes would.
 *
 * Overlap.  memmove copies upward (from the first byte) when dst is below
 * src, and downward (from the last byte) when dst is above src, so every
 * source byte is read before it is overwritten.  memcpy is memmove: the
 * comparison costs one branch and an overlapping memcpy is then harmless.
 *
 * Words are accessed through word_t, which is declared may_alias, so the
 * compiler knows a word store can change bytes the caller reads through
 * other types.
 *
 * The file is freestanding: it uses no libc.  It is compiled with
 * -fno-tree-loop-distribute-patterns, which stops gcc from turning these
 * loops back into calls to memset and memcpy.
 */
#include "include/types.h"
#include "include/string.h"

typedef uint64 __attribute__((may_alias)) word_t;

#define WORD       sizeof(word_t)
#define WORD_MASK  (WORD - 1)
#define UNROLL     8            /* words moved per loop iteration */

/* Do a and b have the same offset within a word? */
static bool
co_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

/* ---- upward copies: first byte first ------------------------------------ */

static void
copy_bytes_up(uchar *d, const uchar *s, size_t n)
{
	while (n-- > 0)
		*d++ = *s++;
}

static void
copy_words_up(word_t *d, const word_t *s, size_t nwords)
{
	for (; nwords >= UNROLL; nwords -= UNROLL, d += UNROLL, s += UNROLL) {
		d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3];
		d[4] = s[4]; d[5] = s[5]; d[6] = s[6]; d[7] = s[7];
	}
	for (; nwords > 0; nwords--)
		*d++ = *s++;
}

/* Copy n bytes from src to dst; correct when dst <= src, even overlapping. */
static void
copy_up(uchar *d, const uchar *s, size_t n)
{
	if (co_aligned(d, s) && n >= WORD) {
		size_t head = -(uintptr_t)d & WORD_MASK;
		size_t body = (n - head) & ~WORD_MASK;

		copy_bytes_up(d, s, head);
		copy_words_up((word_t *)(d + head), (const word_t *)(s + head),
			      body / WORD);
		d += head + body;
		s += head + body;
		n -= head + body;
	}
	copy_bytes_up(d, s, n);
}

/* ---- downward copies: last byte first ----------------------------------- */

/* The copies below take the ends of the regions and work down from them. */
static void
copy_bytes_down(uchar *dend, const uchar *send, size_t n)
{
	while (n-- > 0)
		*--dend = *--send;
}

static void
copy_words_down(word_t *dend, const word_t *send, size_t nwords)
{
	word_t *d = dend;
	const word_t *s = send;

	for (; nwords >= UNROLL; nwords -= UNROLL) {
		d -= UNROLL;
		s -= UNROLL;
		d[7] = s[7]; d[6] = s[6]; d[5] = s[5]; d[4] = s[4];
		d[3] = s[3]; d[2] = s[2]; d[1] = s[1]; d[0] = s[0];
	}
	for (; nwords > 0; nwords--)
		*--d = *--s;
}

/* Copy n bytes from src to dst; correct when dst >= src, even overlapping. */
static void
copy_down(uchar *d, const uchar *s, size_t n)
{
	uchar *dend = d + n;
	const uchar *send = s + n;

	if (co_aligned(d, s) && n >= WORD) {
		size_t tail = (uintptr_t)dend & WORD_MASK;
		size_t body = (n - tail) & ~WORD_MASK;

		copy_bytes_down(dend, send, tail);
		copy_words_down((word_t *)(dend - tail),
				(const word_t *)(send - tail), body / WORD);
		dend -= tail + body;
		send -= tail + body;
		n -= tail + body;
	}
	copy_bytes_down(dend, send, n);
}

/* ---- filling ------------------------------------------------------------ */

static void
fill_bytes(uchar *d, uchar c, size_t n)
{
	while (n-- > 0)
		*d++ = c;
}

static void
fill_words(word_t *d, word_t w, size_t nwords)
{
	for (; nwords >= UNROLL; nwords -= UNROLL, d += UNROLL) {
		d[0] = w; d[1] = w; d[2] = w; d[3] = w;
		d[4] = w; d[5] = w; d[6] = w; d[7] = w;
	}
	for (; nwords > 0; nwords--)
		*d++ = w;
}

void *
memset(void *dst, int c, size_t n)
{
	uchar *d = dst;
	uchar byte = (uchar)c;

	if (n >= WORD) {
		size_t head = -(uintptr_t)d & WORD_MASK;
		size_t body = (n - head) & ~WORD_MASK;
		word_t w = byte * (word_t)0x0101010101010101ull;

		fill_bytes(d, byte, head);
		fill_words((word_t *)(d + head), w, body / WORD);
		d += head + body;
		n -= head + body;
	}
	fill_bytes(d, byte, n);
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d - s >= n)
		copy_up(dst, src, n);
	else
		copy_down(dst, src, n);
	return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

/* ---- comparing and searching -------------------------------------------- */

int
memcmp(const void *a, const void *b, size_t n)
{
	const uchar *p = a, *q = b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const uchar *p = s;

	for (; n > 0; n--, p++) {
		if (*p == (uchar)c)
			return (void *)p;
	}
	return NULL;
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return p - s;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Strings compare as unsigned chars, so "\x80" sorts after "a". */
int
strcmp(const char *a, const char *b)
{
	const uchar *p = (const uchar *)a, *q = (const uchar *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	const uchar *p = (const uchar *)a, *q = (const uchar *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q || *p == '\0')
			return *p - *q;
	}
	return 0;
}

/* strchr(s, '\0') finds the terminator, as C requires. */
char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *
strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

/* An empty needle matches at the start of the haystack. */
char *
strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0'; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return n == 0 ? (char *)haystack : NULL;
}

/* ---- copying strings ---------------------------------------------------- */

char *
strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++) != '\0')
		;
	return dst;
}

/*
 * C's strncpy: copy at most n bytes of src and fill the rest of the n with
 * NULs.  dst is not terminated when src is n bytes or longer; safestrcpy
 * is usually what is wanted.
 */
char *
strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *
strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *
safestrcpy(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	if (size == 0)
		return dst;
	for (; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return dst;
}
