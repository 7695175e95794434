/*
 * kernel/riscv.h: the RISC-V definitions the kernel uses: control and status
 * register (CSR) bits, single-instruction helpers, and the Sv39 page-table
 * format.  Everything ISA-specific that C code needs is here, so that the
 * rest of the kernel reads as plain C.
 */
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

#ifndef __ASSEMBLER__
#include "include/types.h"
#endif

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

/* Paging: Sv39 */
#define PGSIZE  4096
#define PGSHIFT 12
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(uint64)(PGSIZE - 1))

#define PTE_V (1L << 0)   /* valid */
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)   /* user mode may access */
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

/*
 * One past the highest virtual address: Sv39 allows 2^39, but we use only
 * the lower half so that no address needs sign extension.
 */
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)(pagetable)) >> 12))

#ifndef __ASSEMBLER__

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   /* 512 PTEs */

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

static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void   w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_fp(void) { uint64 x; asm volatile("mv %0, s0" : "=r"(x)); return x; }

/* Turn interrupts off and say whether they were on, in one instruction. */
static inline bool
intr_save_off(void)
{
	uint64 old;

	asm volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
	return (old & SSTATUS_SIE) != 0;
}

static inline void intr_on(void)  { CSR_SET(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { CSR_CLEAR(sstatus, SSTATUS_SIE); }
static inline bool intr_get(void) { return (r_sstatus() & SSTATUS_SIE) != 0; }

/* Flush this hart's whole TLB. */
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi"); }

#endif /* __ASSEMBLER__ */

#endif /* KERNEL_RISCV_H */
