/*
 * kernel/riscv/memlayout.h: the physical memory map of QEMU's virt machine and
 * the kernel's virtual address space.
 *
 * Physical (QEMU virt):
 *   0x0c000000  PLIC, the platform interrupt controller
 *   0x10000000  UART0 (16550)
 *   0x10001000  virtio-mmio slot 0 (the disk)
 *   0x80000000  RAM: OpenSBI firmware (never touched by the kernel)
 *   0x80200000  RAM: the kernel, loaded by QEMU; free memory follows `end`
 *   RAM top     the device tree blob sits near here (reserved at boot)
 *
 * The kernel maps devices and RAM at their physical addresses (a direct
 * map), so a physical address is also a kernel virtual address.  High in
 * the address space, shared with every process:
 *
 *   MAXVA ->  +----------------+
 *             | trampoline     |  R-X, user trap entry/exit, both tables
 *             +----------------+
 *             | guard          |  unmapped
 *             | kstack proc 0  |  RW-, KSTACKPAGES pages
 *             | guard          |
 *             | kstack proc 1  |
 *             |   ...          |
 *
 * A user address space has the same trampoline at the same address, its
 * trapframe below it, and the program from USER_BASE up: the picture is in
 * include/addrspace.h, which user programs share.
 */
#ifndef KERNEL_RISCV_MEMLAYOUT_H
#define KERNEL_RISCV_MEMLAYOUT_H

#include "include/addrspace.h"

#define UART0      0x10000000L
#define UART0_IRQ  10
#define VIRTIO0    0x10001000L
#define VIRTIO0_IRQ 1
#define PLIC       0x0c000000L
#define PLIC_SIZE  0x400000L

#define KSTACKPAGES 2
/* Kernel stack of process slot i, with an unmapped guard page below it. */
#define KSTACK(i)  (TRAMPOLINE - ((i) + 1) * (KSTACKPAGES + 1) * PGSIZE)

#define BOOT_STACK_SIZE 8192     /* per-hart stack for boot and the scheduler */
#define MAX_PARKED_HART 64       /* harts with ids below this can park at boot */

#endif /* KERNEL_RISCV_MEMLAYOUT_H */
