/*
 * include/fcntl.h: flags for open(), shared by the kernel and user programs.
 * The values are xv6's, so course code that spells them out still works.
 */
#ifndef INCLUDE_FCNTL_H
#define INCLUDE_FCNTL_H

#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR    0x002
#define O_ACCMODE 0x003   /* mask for the three access modes above */
#define O_CREATE  0x200   /* create the file if it does not exist */
#define O_TRUNC   0x400   /* truncate an existing file to length 0 */
#define O_APPEND  0x800   /* every write goes to the end of the file */

#define O_CREAT   O_CREATE  /* the POSIX spelling */

#endif /* INCLUDE_FCNTL_H */
