/*
 * kernel/main.c: bringing the machine up.
 *
 * Boot sequence:
 *
 *   QEMU ----> OpenSBI (M-mode) ----> _entry (S-mode, boot hart, paging off)
 *                                        |
 *                                      kmain: device tree, console, memory,
 *                                        |    page table, processes, traps,
 *                                        |    interrupts, disk, first process
 *                                        |
 *                    SBI HSM hart_start -+-> _entry_secondary -> kmain_secondary
 *                                        |        (each other hart)    |
 *                                    scheduler()                   scheduler()
 *
 * The boot hart is cpu 0 whatever its hart id; the others are numbered in
 * device-tree order.  They are started only once everything shared is set
 * up, so they need no waiting.
 */
#include "kernel/riscv/fdt.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"
#include "kernel/mem/kalloc.h"
#include "kernel/mem/vm.h"
#include "kernel/riscv/trap.h"
#include "kernel/riscv/plic.h"
#include "kernel/fs/bio.h"
#include "kernel/fs/file.h"
#include "kernel/dev/disk.h"
#include "kernel/riscv/sbi.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/riscv/entry.h"
#include "kernel/lib/ktest.h"

__attribute__((aligned(16))) char boot_stacks[NCPU][BOOT_STACK_SIZE];

/* Harts parked in entry.S wait for their slot to hold cpu index + 1. */
uint64 hart_release[MAX_PARKED_HART];

extern char end[];
void _entry_secondary(void);

/* Number the harts: the boot hart is cpu 0, the rest follow in order, up
 * to NCPU (the device tree may list harts beyond the ones we recorded). */
static void
assign_cpus(uint64 boot_hartid)
{
	ncpu = 1;
	cpus[0].hartid = boot_hartid;
	for (int i = 0; i < bootinfo.nharts && ncpu < NCPU; i++)
		if (bootinfo.hartids[i] != boot_hartid)
			cpus[ncpu++].hartid = bootinfo.hartids[i];
}

/*
 * Start every other hart at _entry_secondary.  A hart the firmware has
 * already sent to _entry (see kernel/riscv/entry.S) cannot be started again and
 * is waiting there: release it instead.
 */
static void
start_other_harts(void)
{
	for (int i = 1; i < ncpu; i++) {
		uint64 hartid = cpus[i].hartid;
		long err = sbi_hart_start(hartid, (uint64)_entry_secondary, i);
		if (err == 0)
			continue;
		if (hartid < MAX_PARKED_HART)
			__atomic_store_n(&hart_release[hartid], i + 1, __ATOMIC_RELEASE);
		else
			printf("hart %ld did not start (SBI error %ld)\n",
			       (long)hartid, err);
	}
}

static void
banner(void)
{
	uint64 mib = (bootinfo.mem_end - bootinfo.mem_start) >> 20;

	printf("\nrivet: %d hart%s, %ld MiB RAM, %ld MiB free, timer via %s\n",
	       ncpu, ncpu == 1 ? "" : "s", (long)mib,
	       (long)(kalloc_free_pages() * PGSIZE >> 20),
	       bootinfo.sstc ? "sstc" : "SBI");
}

void
kmain(uint64 hartid, const void *fdt)
{
	console_init();
	printf_init();
	if (fdt_parse(fdt) != 0)
		panic("the firmware passed no usable device tree");
	if (sbi_spec_version() < 2 || !sbi_probe(SBI_EXT_HSM) || !sbi_probe(SBI_EXT_SRST))
		panic("the SBI firmware lacks v0.2 extensions (HSM, SRST)");
	assign_cpus(hartid);
	kalloc_init(PGROUNDUP((uint64)end), bootinfo.mem_end,
		    PGROUNDDOWN(bootinfo.fdt_start), PGROUNDUP(bootinfo.fdt_end));
	kvm_init();
	kvm_init_hart();
	proc_init();
	trap_init();
	trap_init_hart();
	plic_init();
	plic_init_hart();
	bio_init();
	file_init();
	disk_init();
	user_init();
	banner();
	start_other_harts();
	ktest_hart_booted();    /* test kernels only: kernel/lib/ktest.h */
	scheduler();
}

void
kmain_secondary(uint64 hartid, uint64 cpu)
{
	kvm_init_hart();
	trap_init_hart();
	plic_init_hart();
	ktest_hart_booted();
	scheduler();
}
