/*
 * kernel/riscv/plic.c: the platform-level interrupt controller.
 *
 * Devices raise numbered interrupt lines (IRQs) at the PLIC; it forwards
 * them to the harts' "contexts" that enabled them.  On QEMU's virt machine
 * hart h has two contexts, 2h for M-mode and 2h+1 for S-mode; we use the
 * S-mode one on every hart, so any hart may take a device interrupt.  A
 * hart claims an IRQ (reading the claim register returns the highest-
 * priority pending one and masks it), services the device, and completes it.
 */
#include "kernel/riscv/plic.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/proc/proc.h"

#define PLIC_PRIORITY(irq)    (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart)    (PLIC + 0x2000 + (2 * (hart) + 1) * 0x80)
#define PLIC_STHRESHOLD(hart) (PLIC + 0x200000 + (2 * (hart) + 1) * 0x1000)
#define PLIC_SCLAIM(hart)     (PLIC_STHRESHOLD(hart) + 4)

#define REG(addr) (*(volatile uint32 *)(addr))

void
plic_init(void)
{
	REG(PLIC_PRIORITY(UART0_IRQ)) = 1;
	REG(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
}

void
plic_init_hart(void)
{
	uint64 hart = mycpu()->hartid;

	REG(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
	REG(PLIC_STHRESHOLD(hart)) = 0;
}

int
plic_claim(void)
{
	return REG(PLIC_SCLAIM(mycpu()->hartid));
}

void
plic_complete(int irq)
{
	REG(PLIC_SCLAIM(mycpu()->hartid)) = irq;
}
