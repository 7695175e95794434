/*
 * kernel/riscv/sbi.h: calls into the SBI firmware (OpenSBI) below the kernel.
 *
 * An SBI call is an ecall from S-mode with the extension id in a7 and the
 * function id in a6; the firmware returns an error code in a0 and a value
 * in a1.  We use only the v0.2+ extensions.
 */
#ifndef KERNEL_RISCV_SBI_H
#define KERNEL_RISCV_SBI_H

#include "include/types.h"

struct sbiret {
	long error;     /* 0 on success, negative SBI error code */
	long value;
};

#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45   /* "TIME" */
#define SBI_EXT_IPI   0x735049     /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43  /* "RFNC" */
#define SBI_EXT_HSM   0x48534D     /* "HSM" */
#define SBI_EXT_SRST  0x53525354   /* "SRST" */

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);

long sbi_spec_version(void);
bool sbi_probe(long ext);                                /* extension present? */
void sbi_set_timer(uint64 stime);
void sbi_send_ipi(uint64 hart_mask, uint64 hart_mask_base);
long sbi_hart_start(uint64 hartid, uint64 start_addr, uint64 opaque);
__attribute__((noreturn)) void sbi_shutdown(void);       /* power off */

#endif /* KERNEL_RISCV_SBI_H */
