/*
 * kernel/riscv/riscv.h: the RISC-V details the machine-specific code uses:
 * control and status register (CSR) bits, trap causes, single-instruction
 * CSR helpers, and the rest of the Sv39 page-table format.
 *
 * Only code in kernel/riscv/ and the page-table code (kernel/mem/vm.c,
 * which builds Sv39 tables, the format chapter 5 teaches) include this
 * file.  Everything else reaches the machine through the smaller interface
 * in kernel/riscv/machine.h, which this file includes.
 */
#ifndef KERNEL_RISCV_RISCV_H
#define KERNEL_RISCV_RISCV_H

#include "kernel/riscv/machine.h"

/* sstatus: supervisor status */
#define SSTATUS_SIE   (1L << 1)    /* supervisor interrupts enabled */
#define SSTATUS_SPIE  (1L << 5)    /* SIE before the last trap */
#define SSTATUS_SPP   (1L << 8)    /* previous mode: 1 = supervisor, 0 = user */
#define SSTATUS_FS    (3L << 13)   /* floating-point unit state; 0 = off */
#define SSTATUS_SUM   (1L << 18)   /* supervisor may access user pages */

/* sie / sip: supervisor interrupt enable / pending */
#define SIE_SSIE (1L << 1)    /* software (inter-processor) interrupt */
#define SIE_STIE (1L << 5)    /* timer */
#define SIE_SEIE (1L << 9)    /* external (PLIC) */
#define SIP_SSIP SIE_SSIE

/* scause: the top bit marks an interrupt, the rest is the code */
#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT     1
#define IRQ_S_TIMER    5
#define IRQ_S_EXTERNAL 9
#define EXC_INST_MISALIGNED   0
#define EXC_INST_ACCESS       1
#define EXC_ILLEGAL_INST      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

/* scounteren: which counters user mode may read */
#define SCOUNTEREN_CY (1 << 0)
#define SCOUNTEREN_TM (1 << 1)
#define SCOUNTEREN_IR (1 << 2)

/* Paging: Sv39.  PGSIZE and MAXVA are in include/addrspace.h, and the
 * permission bits PTE_V, R, W, X and U in kernel/riscv/machine.h. */
#define PTE_G (1L << 5)   /* global */
#define PTE_A (1L << 6)   /* accessed */
#define PTE_D (1L << 7)   /* dirty */

#define PA2PTE(pa)  ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

/* The 9-bit page-table index of va at level (2 = root, 0 = leaf). */
#define PXMASK 0x1FF
#define PXSHIFT(level) (PGSHIFT + 9 * (level))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)(pagetable)) >> 12))

#ifndef __ASSEMBLER__

#define CSR_READ(name) ({ uint64 v_; asm volatile("csrr %0, " #name : "=r"(v_)); v_; })
/*
 * CSR writes are compiler memory barriers ("memory"): turning interrupts
 * on or off, or switching page tables, must not let the compiler move a
 * load or store to the other side.  (myproc() read the current hart's
 * proc after interrupts came back on, and so, when a timer moved the
 * process to another hart in between, got some other hart's process.)
 */
#define CSR_WRITE(name, v) asm volatile("csrw " #name ", %0" : : "r"((uint64)(v)) : "memory")
#define CSR_SET(name, v)   asm volatile("csrs " #name ", %0" : : "r"((uint64)(v)) : "memory")
#define CSR_CLEAR(name, v) asm volatile("csrc " #name ", %0" : : "r"((uint64)(v)) : "memory")

static inline uint64 r_sstatus(void)      { return CSR_READ(sstatus); }
static inline void   w_sstatus(uint64 x)  { CSR_WRITE(sstatus, x); }
static inline uint64 r_sip(void)          { return CSR_READ(sip); }
static inline void   w_sip(uint64 x)      { CSR_WRITE(sip, x); }
static inline uint64 r_sie(void)          { return CSR_READ(sie); }
static inline void   w_sie(uint64 x)      { CSR_WRITE(sie, x); }
static inline uint64 r_sepc(void)         { return CSR_READ(sepc); }
static inline void   w_sepc(uint64 x)     { CSR_WRITE(sepc, x); }
static inline uint64 r_scause(void)       { return CSR_READ(scause); }
static inline uint64 r_stval(void)        { return CSR_READ(stval); }
static inline void   w_stvec(uint64 x)    { CSR_WRITE(stvec, x); }
static inline uint64 r_satp(void)         { return CSR_READ(satp); }
static inline void   w_satp(uint64 x)     { CSR_WRITE(satp, x); }
static inline void   w_scounteren(uint64 x) { CSR_WRITE(scounteren, x); }
static inline uint64 r_time(void)         { return CSR_READ(time); }

/* Sstc: the supervisor timer-compare register (CSR 0x14d). */
static inline void   w_stimecmp(uint64 x) { asm volatile("csrw 0x14d, %0" : : "r"(x)); }

_Static_assert(SSTATUS_SIE == MACHINE_SSTATUS_SIE,
	       "kernel/riscv/machine.h's interrupt helpers use sstatus.SIE");

/* Flush this hart's whole TLB. */
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }

#endif /* __ASSEMBLER__ */

#endif /* KERNEL_RISCV_RISCV_H */
