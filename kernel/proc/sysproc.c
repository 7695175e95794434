/*
 * kernel/proc/sysproc.c: system calls about processes, memory and time.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/riscv/trap.h"
#include "kernel/fs/log.h"
#include "kernel/lib/printf.h"
#include "kernel/riscv/sbi.h"
#include "kernel/mem/kalloc.h"
#include "kernel/fs/inode.h"
#include "kernel/mem/vm.h"
#include "kernel/dev/disk.h"
#include "include/errno.h"
#include "include/string.h"
#include "include/param.h"
#include "include/sysinfo.h"
#include "kernel/lib/ktest.h"

uint64
sys_fork(void)
{
	return fork();
}

uint64
sys_exit(void)
{
	int status;

	argint(0, &status);
	exit(status);
}

uint64
sys_wait(void)
{
	uint64 status_addr;

	argaddr(0, &status_addr);
	return wait(status_addr);
}

uint64
sys_kill(void)
{
	int pid;

	argint(0, &pid);
	return kill(pid);
}

/* Put a process in a process group; see kernel/proc/proc.c:setpgid. */
uint64
sys_setpgid(void)
{
	int pid, pgid;

	argint(0, &pid);
	argint(1, &pgid);
	return setpgid(pid, pgid);
}

uint64
sys_getpid(void)
{
	return myproc()->pid;
}

/* Grow the heap by n bytes (shrink if negative); returns the old end. */
uint64
sys_sbrk(void)
{
	uint64 old = myproc()->sz;
	int n, err;

	argint(0, &n);
	if ((err = growproc(n)) != 0)
		return err;
	return old;
}

/* Sleep for n ticks (10 ms each). */
uint64
sys_sleep(void)
{
	int n;
	uint64 start;

	argint(0, &n);
	if (n < 0)
		return -EINVAL;
	ktest_syscall_sleep();      /* test kernels only: kernel/lib/ktest.h */
	acquire(&tickslock);
	start = clock_ticks();
	tick_sleepers++;           /* idle harts keep ticking for us */
	while (clock_ticks() - start < (uint64)n && !killed(myproc()))
		sleep(&ticks, &tickslock);
	tick_sleepers--;
	release(&tickslock);
	return clock_ticks() - start < (uint64)n ? -EINTR : 0;
}

/* Ticks since boot. */
uint64
sys_uptime(void)
{
	return clock_ticks();
}

/*
 * Power the machine off.  Every file-system operation commits its log
 * transaction when it ends, so the disk is consistent once no operation
 * is in progress: log_shutdown waits for that, and leaves an empty log
 * for the next boot.
 */
uint64
sys_poweroff(void)
{
	log_shutdown();
	printf("rivet: powering off\n");
	sbi_shutdown();
}

/* Report free memory, disk blocks and inodes, and the process count. */
uint64
sys_sysinfo(void)
{
	struct sysinfo info;
	uint freeblocks, totalblocks, freeinodes, totalinodes;
	uint64 addr;

	argaddr(0, &addr);
	memset(&info, 0, sizeof(info));   /* every byte goes out to the user */
	/* First, before anything that may wait for the disk: a benchmark
	 * that reads its instruction counter just before this call must
	 * find no idle time of the call itself here. */
	info.idleinstret = idle_instret_total();
	begin_op();
	fs_usage(ROOTDEV, &freeblocks, &totalblocks, &freeinodes, &totalinodes);
	end_op();
	info.freepages = kalloc_free_pages();
	info.totalpages = kalloc_total_pages();
	info.freeblocks = freeblocks;
	info.totalblocks = totalblocks;
	info.freeinodes = freeinodes;
	info.totalinodes = totalinodes;
	info.nproc = proc_count();
	info.ncpu = ncpu;
	disk_stats(&info.diskreads, &info.diskwrites, &info.diskflushes);
	return copyout(myproc()->pagetable, addr, &info, sizeof(info));
}
