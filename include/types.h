/*
 * include/types.h: fixed-width integer types shared by the kernel, the user
 * programs and the host-built mkfs.
 *
 * The short names (uint, uint64, ...) are the ones xv6-era course code uses,
 * so that code compiles against this system unchanged.  New code may use
 * either spelling; they are the same types.
 */
#ifndef INCLUDE_TYPES_H
#define INCLUDE_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;

typedef uint8_t  uint8;
typedef uint16_t uint16;
typedef uint32_t uint32;
typedef uint64_t uint64;
typedef int8_t   int8;
typedef int16_t  int16;
typedef int32_t  int32;
typedef int64_t  int64;

#endif /* INCLUDE_TYPES_H */
