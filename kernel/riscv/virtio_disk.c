/*
 * kernel/riscv/virtio_disk.c: the driver for QEMU's virtio block device, through
 * the modern (version 2) virtio-mmio interface at VIRTIO0.
 *
 * The driver and the device talk through one split virtqueue (queue 0), of
 * NUM entries, made of three areas in memory that both can see:
 *
 *   disk.desc   the descriptor table: NUM descriptors, each naming one
 *               buffer (address, length, who writes it) and, with
 *               VIRTQ_DESC_F_NEXT, the next descriptor of its chain
 *   disk.avail  the available ring: the driver appends the head of each
 *               chain it wants processed, then bumps avail->idx
 *   disk.used   the used ring: the device appends the head of each chain
 *               it has finished, bumps used->idx and raises an interrupt
 *
 * One request reads or writes a run of blocks with consecutive numbers.
 * It is one chain: a header saying what to do and where, one descriptor
 * per block, and a status byte the device fills in last.  The header and
 * the status byte live in req[h], the record of the request whose chain
 * starts at descriptor h:
 *
 *   desc[h]         desc[d1]            desc[dk]         desc[s]
 *   +-----------+   +------------+      +------------+   +-----------+
 *   | req[h].hdr|-->| b1->data   |-...->| bk->data   |-->| req[h].   |
 *   | 16 bytes  |   | BSIZE bytes|      | BSIZE bytes|   |  status   |
 *   | R         |   | W on read, |      | W on read, |   | 1 byte    |
 *   |           |   | R on write |      | R on write |   | W         |
 *   +-----------+   +------------+      +------------+   +-----------+
 *
 * R: the device reads the buffer; W: it writes it (VIRTQ_DESC_F_WRITE).
 * Every descriptor but the last has VIRTQ_DESC_F_NEXT.  d1..dk and s are
 * whichever descriptors were free, not necessarily h+1, h+2, ...
 *
 * A run is cut at MAX_RUN blocks, so a chain never needs more than
 * MAX_RUN + 2 of the NUM descriptors.
 *
 * Several requests are in flight at once.  disk_rw turns each run of its
 * buffers into a request, puts every head on the available ring, tells the
 * device once, and sleeps until all its buffers are done; other processes
 * may add their own requests meanwhile.  The device may finish requests in
 * any order; disk_intr walks the used ring from where it last stopped and
 * finishes each request named there: it checks the status, frees the
 * chain's descriptors, clears the buffers' disk flags and wakes the owner.
 *
 * Sleep and wakeup, all under disk.lock:
 *   - a caller waits for each of its buffers on &b->disk until the flag
 *     is false; disk_intr clears it and wakes that channel;
 *   - a caller that finds too few free descriptors sleeps on &disk.nfree;
 *     disk_intr wakes that channel after freeing chains.  Before sleeping
 *     the caller publishes and notifies what it has queued, so every
 *     descriptor in use belongs to a request the device has been told
 *     about and will finish: the wait always ends.
 */
#include "include/types.h"
#include "include/fs_format.h"
#include "include/string.h"
#include "kernel/riscv/riscv.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/mem/kalloc.h"
#include "kernel/lib/printf.h"
#include "kernel/fs/buf.h"
#include "kernel/riscv/virtio.h"
#include "include/errno.h"
#include "kernel/dev/disk.h"
#include "kernel/lib/ktest.h"

#define NUM      64   /* descriptors in queue 0, and entries in each ring */
#define MAX_RUN  32   /* most blocks in one request: a log commit of up
                         to 31 blocks, with its header, is one request */

#define SECTORS_PER_BLOCK (BSIZE / VIRTIO_BLK_SECTOR_SIZE)
#define STATUS_PENDING    0xff   /* a status value the device never writes */

/*
 * Feature bits: VERSION_1 is required, FLUSH taken when offered (a device
 * that offers it may keep completed writes in a volatile cache until it is
 * told to flush; one that does not writes through), and these never are.
 */
#define FEATURES_WANTED   VIRTIO_FEATURE(VIRTIO_F_VERSION_1)
#define FEATURES_OPTIONAL VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH)
#define FEATURES_DECLINED (VIRTIO_FEATURE(VIRTIO_BLK_F_RO) |            \
			   VIRTIO_FEATURE(VIRTIO_BLK_F_SCSI) |          \
			   VIRTIO_FEATURE(VIRTIO_BLK_F_CONFIG_WCE) |    \
			   VIRTIO_FEATURE(VIRTIO_BLK_F_MQ) |            \
			   VIRTIO_FEATURE(VIRTIO_F_ANY_LAYOUT) |        \
			   VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX) |         \
			   VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC))

_Static_assert((NUM & (NUM - 1)) == 0 && NUM <= 32768,
	       "ring indices wrap at 2^16, so NUM must be a power of two");
_Static_assert(MAX_RUN + 2 <= NUM, "one request must fit in the queue");
_Static_assert(NUM * sizeof(struct virtq_desc) <= PGSIZE,
	       "descriptor table fits a page");
_Static_assert(sizeof(struct virtq_avail) + NUM * sizeof(uint16) <= PGSIZE,
	       "available ring fits a page");
_Static_assert(sizeof(struct virtq_used) + NUM * sizeof(struct virtq_used_elem)
	       <= PGSIZE, "used ring fits a page");
_Static_assert((FEATURES_WANTED & FEATURES_DECLINED) == 0,
	       "a declined feature is accepted");

/* A flush in flight, on its waiter's stack: the waiter sleeps on it. */
struct flush_wait {
	bool done;
	uint8 status;                /* the request's VIRTIO_BLK_S_* */
};

/*
 * A request in flight, indexed by the head descriptor of its chain.  bufs
 * points into the array the caller passed to disk_rw, which stays alive
 * because disk_rw does not return before the request is finished; a flush
 * has no buffers, and flush points at its waiter instead.
 */
struct request {
	struct virtio_blk_req hdr;   /* read by the device */
	volatile uint8 status;       /* written by the device: VIRTIO_BLK_S_* */
	struct buf **bufs;           /* the run of buffers, or NULL */
	int nbufs;
	struct flush_wait *flush;    /* a flush's waiter, or NULL */
};

/*
 * The driver's state.  lock guards every field below it, the rings and
 * descriptors the driver writes, and the disk flag of every struct buf.
 */
static struct {
	struct spinlock lock;

	struct virtq_desc *desc;            /* NUM descriptors */
	struct virtq_avail *avail;          /* written by the driver only */
	volatile struct virtq_used *used;   /* written by the device only */

	uint16 free[NUM];   /* indices of free descriptors: a stack ... */
	int nfree;          /* ... of this many */

	uint16 avail_next;  /* avail->idx once queued requests are published */
	uint16 used_seen;   /* used entries handled so far */

	struct request req[NUM];

	uint64 nblocks;     /* disk size in BSIZE blocks; set once at init */
	bool can_flush;     /* FLUSH negotiated; set once at init */
	uint64 nreads;      /* read requests submitted since boot */
	uint64 nwrites;     /* write requests submitted since boot */
	uint64 nflushes;    /* flush requests submitted since boot */
} disk;

static inline uint32
reg_read(uint32 off)
{
	return *(volatile uint32 *)(VIRTIO0 + off);
}

static inline void
reg_write(uint32 off, uint32 value)
{
	*(volatile uint32 *)(VIRTIO0 + off) = value;
}

/* Write a physical address to a Low/High register pair. */
static void
reg_write_addr(uint32 low_off, void *pa)
{
	reg_write(low_off, (uint64)pa & 0xffffffff);
	reg_write(low_off + 4, (uint64)pa >> 32);
}

static void
add_status(uint32 bit)
{
	reg_write(VIRTIO_MMIO_STATUS, reg_read(VIRTIO_MMIO_STATUS) | bit);
}

/* Make sure VIRTIO0 holds a modern virtio block device. */
static void
check_device(void)
{
	uint32 magic = reg_read(VIRTIO_MMIO_MAGIC_VALUE);
	uint32 version = reg_read(VIRTIO_MMIO_VERSION);
	uint32 id = reg_read(VIRTIO_MMIO_DEVICE_ID);

	if (magic != VIRTIO_MAGIC)
		panic("virtio disk: no virtio device at %p (magic %x)",
		      (void *)VIRTIO0, magic);
	if (version != VIRTIO_VERSION_MODERN) {
		printf("virtio disk: the device speaks virtio-mmio version %u "
		       "(legacy); this driver needs version 2.\n"
		       "Run QEMU with -global virtio-mmio.force-legacy=false\n",
		       version);
		panic("virtio disk: legacy device");
	}
	if (id == 0)
		panic("virtio disk: virtio-mmio slot 0 is empty (no -drive/-device?)");
	if (id != VIRTIO_ID_BLOCK)
		panic("virtio disk: device %u at slot 0 is not a block device", id);
}

/* Reset the device and wait until it reports the reset done. */
static void
reset_device(void)
{
	reg_write(VIRTIO_MMIO_STATUS, 0);
	while (reg_read(VIRTIO_MMIO_STATUS) != 0)
		;
}

static uint64
device_features(void)
{
	uint64 lo, hi;

	reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = reg_read(VIRTIO_MMIO_DEVICE_FEATURES);
	reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = reg_read(VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

static void
set_driver_features(uint64 features)
{
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES, features & 0xffffffff);
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
}

/*
 * Accept FEATURES_WANTED and what is offered of FEATURES_OPTIONAL, nothing
 * else, and make the device agree: it clears FEATURES_OK again if it
 * cannot work without something declined.
 */
static void
negotiate_features(void)
{
	uint64 offered = device_features();
	uint64 accepted = FEATURES_WANTED | (offered & FEATURES_OPTIONAL);

	if ((offered & FEATURES_WANTED) != FEATURES_WANTED)
		panic("virtio disk: device does not offer VIRTIO_F_VERSION_1");
	if (offered & VIRTIO_FEATURE(VIRTIO_BLK_F_RO))
		printf("virtio disk: the disk is read-only; writes will fail\n");
	disk.can_flush = (accepted & VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH)) != 0;
	set_driver_features(accepted);
	add_status(VIRTIO_STATUS_FEATURES_OK);
	if (!(reg_read(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		panic("virtio disk: device refused features %lx (offered %lx)",
		      accepted, offered);
}

static void *
zeroed_page(const char *what)
{
	void *page = kalloc();

	if (page == NULL)
		panic("virtio disk: no memory for the %s", what);
	memset(page, 0, PGSIZE);
	return page;
}

/*
 * Give queue 0 a page each for its three areas (a page is aligned enough
 * for all of them) and put every descriptor on the free list.
 */
static void
setup_queue(void)
{
	uint32 max;
	int i;

	reg_write(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (reg_read(VIRTIO_MMIO_QUEUE_READY) != 0)
		panic("virtio disk: queue 0 is already in use after reset");
	max = reg_read(VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < NUM)
		panic("virtio disk: queue 0 holds at most %u descriptors; "
		      "this driver needs %d", max, NUM);

	disk.desc = zeroed_page("descriptor table");
	disk.avail = zeroed_page("available ring");
	disk.used = zeroed_page("used ring");
	for (i = 0; i < NUM; i++)
		disk.free[i] = i;
	disk.nfree = NUM;

	reg_write(VIRTIO_MMIO_QUEUE_NUM, NUM);
	reg_write_addr(VIRTIO_MMIO_QUEUE_DESC_LOW, disk.desc);
	reg_write_addr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, disk.avail);
	reg_write_addr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (void *)disk.used);
	reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
}

/*
 * The capacity in 512-byte sectors.  It is 64 bits read as two 32-bit
 * halves, so retry until the configuration generation is the same before
 * and after: then the halves belong together.
 */
static uint64
read_capacity(void)
{
	uint32 gen, lo, hi;
	uint32 off = VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY;

	do {
		gen = reg_read(VIRTIO_MMIO_CONFIG_GENERATION);
		lo = reg_read(off);
		hi = reg_read(off + 4);
	} while (reg_read(VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	return (uint64)hi << 32 | lo;
}

/*
 * Bring the device up in the order the virtio specification requires:
 * reset, ACKNOWLEDGE, DRIVER, feature negotiation, queue set-up and
 * configuration, DRIVER_OK.  Runs once, on the boot hart.
 */
void
disk_init(void)
{
	initlock(&disk.lock, "disk");
	check_device();
	reset_device();
	add_status(VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(VIRTIO_STATUS_DRIVER);
	negotiate_features();
	setup_queue();
	disk.nblocks = read_capacity() / SECTORS_PER_BLOCK;
	add_status(VIRTIO_STATUS_DRIVER_OK);
}

uint64
disk_blocks(void)
{
	return disk.nblocks;
}

/*
 * Take count descriptors off the free list into idx[].  Returns false,
 * taking none, when fewer are free.  Caller holds disk.lock.
 */
static bool
alloc_descs(uint16 *idx, int count)
{
	int i;

	if (disk.nfree < count)
		return false;
	for (i = 0; i < count; i++)
		idx[i] = disk.free[--disk.nfree];
	return true;
}

/* Put the chain starting at head back on the free list.  Holds disk.lock. */
static void
free_chain(uint16 head)
{
	uint16 i = head;
	struct virtq_desc d;

	for (;;) {
		d = disk.desc[i];
		memset(&disk.desc[i], 0, sizeof(disk.desc[i]));
		disk.free[disk.nfree++] = i;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
	}
}

static void
set_desc(uint16 i, void *addr, uint32 len, uint16 flags, uint16 next)
{
	disk.desc[i].addr = (uint64)addr;
	disk.desc[i].len = len;
	disk.desc[i].flags = flags;
	disk.desc[i].next = next;
}

/*
 * Fill the descriptors idx[0 .. nbufs+1] and the record req[idx[0]] with a
 * request to read or write the run bufs[0 .. nbufs-1], and mark the buffers
 * in flight.  Caller holds disk.lock.
 */
static void
build_request(uint16 *idx, struct buf **bufs, int nbufs, bool write)
{
	struct request *r = &disk.req[idx[0]];
	uint16 data_flags = VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE);
	int i;

	r->hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	r->hdr.reserved = 0;
	r->hdr.sector = (uint64)bufs[0]->blockno * SECTORS_PER_BLOCK;
	r->status = STATUS_PENDING;
	r->bufs = bufs;
	r->nbufs = nbufs;
	r->flush = NULL;

	set_desc(idx[0], &r->hdr, sizeof(r->hdr), VIRTQ_DESC_F_NEXT, idx[1]);
	for (i = 0; i < nbufs; i++) {
		set_desc(idx[1 + i], bufs[i]->data, BSIZE, data_flags, idx[2 + i]);
		bufs[i]->disk = true;
	}
	set_desc(idx[nbufs + 1], (void *)&r->status, 1, VIRTQ_DESC_F_WRITE, 0);
}

/*
 * Publish the requests queued since the last call (make avail->idx
 * cover them) and notify the device.  The barriers keep the device from
 * seeing the new idx before the ring entries and descriptors, or the
 * notification before the new idx.  Caller holds disk.lock.
 */
static void
notify_device(void)
{
	if (disk.avail->idx == disk.avail_next)
		return;
	__sync_synchronize();
	disk.avail->idx = disk.avail_next;
	__sync_synchronize();
	reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/*
 * Take count descriptors into idx[], waiting for free ones if need be
 * (publishing first, so that the requests holding them can finish).
 * Caller holds disk.lock.
 */
static void
alloc_descs_wait(uint16 *idx, int count)
{
	while (!alloc_descs(idx, count)) {
		notify_device();
		sleep(&disk.nfree, &disk.lock);
	}
}

/* Put the request whose chain starts at head on the available ring, not
 * yet published.  Caller holds disk.lock. */
static void
queue_request(uint16 head)
{
	disk.avail->ring[disk.avail_next % NUM] = head;
	disk.avail_next++;
}

/*
 * Turn the run bufs[0 .. nbufs-1] into a request and queue it.  Caller
 * holds disk.lock.
 */
static void
submit(struct buf **bufs, int nbufs, bool write)
{
	uint16 idx[MAX_RUN + 2];

	assert_holding(&disk.lock);
	alloc_descs_wait(idx, nbufs + 2);
	build_request(idx, bufs, nbufs, write);
	queue_request(idx[0]);
	if (write) {
		ktest_disk_write(bufs, nbufs);   /* test kernels: kernel/lib/ktest.h */
		disk.nwrites++;
	} else {
		disk.nreads++;
	}
}

/* Fill descriptors idx[0..1] and req[idx[0]] with a flush for w. */
static void
build_flush(uint16 *idx, struct flush_wait *w)
{
	struct request *r = &disk.req[idx[0]];

	r->hdr.type = VIRTIO_BLK_T_FLUSH;
	r->hdr.reserved = 0;
	r->hdr.sector = 0;
	r->status = STATUS_PENDING;
	r->bufs = NULL;
	r->nbufs = 0;
	r->flush = w;
	set_desc(idx[0], &r->hdr, sizeof(r->hdr), VIRTQ_DESC_F_NEXT, idx[1]);
	set_desc(idx[1], (void *)&r->status, 1, VIRTQ_DESC_F_WRITE, 0);
}

/* Sleep until none of bufs[0 .. n-1] is in flight.  Caller holds disk.lock. */
static void
wait_done(struct buf **bufs, int n)
{
	int i;

	assert_holding(&disk.lock);
	for (i = 0; i < n; i++)
		while (bufs[i]->disk)
			sleep(&bufs[i]->disk, &disk.lock);
}

/* How many of bufs[0 .. n-1], n >= 1, form the run that starts at bufs[0]. */
static int
run_length(struct buf **bufs, int n)
{
	int len = 1;

	while (len < n && len < MAX_RUN &&
	       bufs[len]->blockno == bufs[len - 1]->blockno + 1)
		len++;
	return len;
}

/* The buffers handed to disk_rw: locked by the caller, and on the disk. */
static void
check_bufs(struct buf **bufs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!holdingsleep(&bufs[i]->lock))
			panic("disk_rw: buffer of block %u not locked",
			      bufs[i]->blockno);
		if (bufs[i]->blockno >= disk.nblocks)
			panic("disk_rw: block %u beyond the end of the disk "
			      "(%lu blocks)", bufs[i]->blockno, disk.nblocks);
	}
}

void
disk_stats(uint64 *reads, uint64 *writes, uint64 *flushes)
{
	acquire(&disk.lock);
	*reads = disk.nreads;
	*writes = disk.nwrites;
	*flushes = disk.nflushes;
	release(&disk.lock);
}

/*
 * Sleeps, so process context only; see kernel/dev/disk.h.  On a disk
 * without a write cache (FLUSH not offered) every completed write is
 * already durable, and there is nothing to do.
 */
int
disk_flush(void)
{
	struct flush_wait w = { false, STATUS_PENDING };
	uint16 idx[2];

	if (!disk.can_flush)
		return 0;
	acquire(&disk.lock);
	alloc_descs_wait(idx, 2);
	build_flush(idx, &w);
	queue_request(idx[0]);
	ktest_disk_flush();
	disk.nflushes++;
	notify_device();
	while (!w.done)
		sleep(&w, &disk.lock);
	release(&disk.lock);
	if (w.status != VIRTIO_BLK_S_OK) {
		printf("disk: cache flush failed (status %u)\n", w.status);
		return -EIO;
	}
	return 0;
}

/* Did any of bufs[0 .. n-1] fail?  Clears the marks.  Holds disk.lock. */
static bool
take_failures(struct buf **bufs, int n)
{
	bool failed = false;
	int i;

	for (i = 0; i < n; i++) {
		failed |= bufs[i]->io_failed;
		bufs[i]->io_failed = false;
	}
	return failed;
}

/* Sleeps, so process context only; see kernel/dev/disk.h for the contract. */
int
disk_rw(struct buf **bufs, int n, bool write)
{
	bool failed;
	int i, len;

	check_bufs(bufs, n);
	if (n <= 0)
		return 0;

	acquire(&disk.lock);
	for (i = 0; i < n; i += len) {
		len = run_length(bufs + i, n - i);
		submit(bufs + i, len, write);
	}
	notify_device();
	wait_done(bufs, n);
	failed = take_failures(bufs, n);
	release(&disk.lock);
	return failed ? -EIO : 0;
}

/*
 * The device has finished the request whose chain starts at head: check
 * its status, hand its buffers back to their waiter and free its chain.
 * A failed request is named on the console and its buffers are marked, so
 * that disk_rw returns -EIO to the file system, which decides what the
 * failure means.  Caller holds disk.lock.
 */
static void
complete_request(uint32 head)
{
	struct request *r;
	int i;

	assert_holding(&disk.lock);
	if (head >= NUM || (disk.req[head].bufs == NULL && disk.req[head].flush == NULL))
		panic("disk_intr: used ring names %u, not a request in flight", head);
	r = &disk.req[head];
	if (r->flush != NULL) {
		r->flush->status = r->status;
		r->flush->done = true;
		wakeup(r->flush);
		r->flush = NULL;
		free_chain(head);
		return;
	}
	if (r->status != VIRTIO_BLK_S_OK)
		printf("disk: %s of blocks %u..%u failed (status %u)\n",
		       r->hdr.type == VIRTIO_BLK_T_OUT ? "write" : "read",
		       r->bufs[0]->blockno, r->bufs[r->nbufs - 1]->blockno,
		       r->status);

	for (i = 0; i < r->nbufs; i++) {
		r->bufs[i]->io_failed = r->status != VIRTIO_BLK_S_OK;
		r->bufs[i]->disk = false;
		wakeup(&r->bufs[i]->disk);
	}
	r->bufs = NULL;
	r->nbufs = 0;
	free_chain(head);
}

/*
 * The virtio interrupt (the trap handler has claimed it at the PLIC and
 * completes it after this returns).  Acknowledge it, then finish every
 * request the device has put on the used ring since the last interrupt.
 */
void
disk_intr(void)
{
	bool freed = false;

	acquire(&disk.lock);
	reg_write(VIRTIO_MMIO_INTERRUPT_ACK,
		  reg_read(VIRTIO_MMIO_INTERRUPT_STATUS) &
		  (VIRTIO_INT_USED_BUFFER | VIRTIO_INT_CONFIG));

	while (disk.used_seen != disk.used->idx) {
		/* Read the entry (and the status it covers) only after idx. */
		__sync_synchronize();
		complete_request(disk.used->ring[disk.used_seen % NUM].id);
		disk.used_seen++;
		freed = true;
	}
	if (freed)
		wakeup(&disk.nfree);
	release(&disk.lock);
}
