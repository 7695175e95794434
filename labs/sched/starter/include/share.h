/*
 * include/share.h: the limits of setshare(), the sched lab's system call
 * (labs/sched/README.md).  A process's share is its weight in the
 * scheduler: among processes that all want the CPU, each gets time in
 * proportion to its share.
 */
#ifndef INCLUDE_SHARE_H
#define INCLUDE_SHARE_H

#define SHARE_DEFAULT  10   /* the first process's share; fork copies it */
#define SHARE_MAX     100   /* the largest share setshare accepts (the
                               smallest is 1) */

#endif /* INCLUDE_SHARE_H */
