/*
 * kernel/riscv/plic.h: the platform-level interrupt controller.
 */
#ifndef KERNEL_RISCV_PLIC_H
#define KERNEL_RISCV_PLIC_H

void plic_init(void);        /* device priorities (once) */
void plic_init_hart(void);    /* this hart's enables and threshold */
int  plic_claim(void);       /* the pending IRQ, or 0 */
void plic_complete(int irq);

#endif /* KERNEL_RISCV_PLIC_H */
