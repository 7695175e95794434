/*
 * kernel/proc/futex.c: futex_wait and futex_wake (the contract is in
 * kernel/proc/futex.h).
 *
 * A futex is any int of user memory.  The user-space lock or barrier
 * built on it keeps its state in that int, changes it with atomic
 * instructions, and enters the kernel only to sleep until the int changes
 * (futex_wait) or to wake the sleepers after changing it (futex_wake).
 *
 * No lost wake-ups.  A waiter reads *addr, finds `expected`, and sleeps; a
 * waker changes *addr, then calls futex_wake.  If the waker's change and
 * wake could fall between the waiter's read and its sleep, the wake-up
 * would find nobody asleep and the waiter would sleep on with nobody left
 * to wake it.  So the read and the sleep happen under futex_lock, which
 * futex_wake takes too, and sleep() lets go of it only once the waiter is
 * on the sleep queue: a wake either comes before the read (which then
 * sees the new value and does not sleep) or after the sleep (and finds the
 * waiter).
 *
 * The channel.  Threads sleep on the kernel address of the futex word (its
 * physical address, as the kernel maps all memory at its physical
 * address), which is the same for every thread of the address space, and
 * different for different words.
 *
 * Lock order: futex_lock, then an address space's lock (copyin takes it),
 * then proc_lock (sleep and wakeup take it).
 */
#include "kernel/proc/futex.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/vm.h"
#include "include/errno.h"

static struct spinlock futex_lock;

void
futex_init(void)
{
	initlock(&futex_lock, "futex");
}

/*
 * Read the futex word at addr into *value and set *chan to the channel
 * its waiters sleep on.  0, -EINVAL or -EFAULT.  futex_lock held; the
 * page stays mapped while it is (growproc: no unmapping while shared).
 */
static int
futex_word(uint64 addr, int *value, void **chan)
{
	pagetable_t pagetable = myproc()->as->pagetable;
	uint64 pa;
	int err;

	assert_holding(&futex_lock);
	if (addr % sizeof(int) != 0)
		return -EINVAL;
	if ((err = copyin(pagetable, value, addr, sizeof(*value))) != 0)
		return err;               /* copyin faults in an untouched page */
	if ((pa = walkaddr(pagetable, PGROUNDDOWN(addr))) == 0)
		return -EFAULT;
	*chan = (void *)(pa + addr % PGSIZE);
	return 0;
}

int
futex_wait(uint64 addr, int expected)
{
	void *chan;
	int value, err;

	acquire(&futex_lock);
	if ((err = futex_word(addr, &value, &chan)) == 0) {
		if (value != expected)
			err = -EAGAIN;
		else if (killed(myproc()))
			err = -EINTR;
		else
			sleep(chan, &futex_lock);   /* kill() wakes us too */
	}
	release(&futex_lock);
	return err;
}

int
futex_wake(uint64 addr)
{
	void *chan;
	int value, err;

	acquire(&futex_lock);
	if ((err = futex_word(addr, &value, &chan)) == 0)
		wakeup(chan);
	release(&futex_lock);
	return err;
}
