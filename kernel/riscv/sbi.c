/*
 * kernel/riscv/sbi.c: calls to the SBI firmware.
 *
 * The Supervisor Binary Interface is how an S-mode kernel asks the M-mode
 * firmware (OpenSBI) for what only M-mode can do: program the timer (when
 * the hart lacks Sstc), send inter-processor interrupts, start harts, and
 * power the machine off.  Each service is an "extension" with a numeric id;
 * we use only the v0.2+ extensions, never the legacy v0.1 calls.
 */
#include "kernel/riscv/sbi.h"

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_PROBE_EXTENSION  3
#define SBI_TIME_SET_TIMER        0
#define SBI_IPI_SEND_IPI          0
#define SBI_HSM_HART_START        0
#define SBI_SRST_RESET            0
#define SBI_SRST_TYPE_SHUTDOWN    0
#define SBI_SRST_REASON_NONE      0

struct sbiret
sbi_call(long ext, long fid, long arg0, long arg1, long arg2)
{
	register long a0 asm("a0") = arg0;
	register long a1 asm("a1") = arg1;
	register long a2 asm("a2") = arg2;
	register long a6 asm("a6") = fid;
	register long a7 asm("a7") = ext;

	asm volatile("ecall"
		     : "+r"(a0), "+r"(a1)
		     : "r"(a2), "r"(a6), "r"(a7)
		     : "memory");
	return (struct sbiret){ .error = a0, .value = a1 };
}

long
sbi_spec_version(void)
{
	return sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value;
}

bool
sbi_probe(long ext)
{
	return sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0).value != 0;
}

void
sbi_set_timer(uint64 stime)
{
	sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, stime, 0, 0);
}

void
sbi_send_ipi(uint64 hart_mask, uint64 hart_mask_base)
{
	sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, hart_mask, hart_mask_base, 0);
}

/* Start hart `hartid` in S-mode at start_addr with a0 = hartid, a1 = opaque. */
long
sbi_hart_start(uint64 hartid, uint64 start_addr, uint64 opaque)
{
	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_addr,
			opaque).error;
}

void
sbi_shutdown(void)
{
	sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN,
		 SBI_SRST_REASON_NONE, 0);
	for (;;)
		asm volatile("wfi");
}
