/*
 * kernel/riscv/uart.c: the driver for the 16550 UART that QEMU's virt machine
 * puts at UART0.
 *
 * The chip has eight byte-wide registers.  Offsets 0 and 1 mean different
 * things depending on the DLAB bit of the line control register: normally
 * they are the data and interrupt-enable registers, and with DLAB set they
 * hold the baud-rate divisor.  Offset 2 is the interrupt identification
 * register when read and the FIFO control register when written.
 *
 * Output takes one of two paths:
 *
 *   uart_putc      queues the byte in a small ring buffer and returns; the
 *                  UART's "transmit holding register empty" interrupt
 *                  drains the ring one byte at a time.  A writer that finds
 *                  the ring full sleeps until the interrupt handler has
 *                  made room, so this path is for processes (console
 *                  writes) only.
 *   uart_putc_sync spins on the device until it can take the byte, with
 *                  interrupts off.  It never sleeps and takes no lock, so
 *                  kernel printf, keyboard echo (from the interrupt
 *                  handler) and a panicking hart can always use it.
 *
 * Input is interrupt-driven only: uart_intr hands every received byte to
 * the console (console_intr), which does the line editing.
 *
 * After a panic, uart_putc behaves like uart_putc_sync, so that whatever
 * the panicking hart prints reaches the screen even if the ring is stuck.
 */
#include "include/types.h"
#include "kernel/riscv/memlayout.h"
#include "kernel/lock/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"
#include "kernel/riscv/uart.h"

/* Register offsets from UART0. */
#define RHR 0   /* receive holding register: the next input byte (read) */
#define THR 0   /* transmit holding register: the next output byte (write) */
#define DLL 0   /* divisor latch, low byte (when LCR_DLAB is set) */
#define DLM 1   /* divisor latch, high byte (when LCR_DLAB is set) */
#define IER 1   /* interrupt enable register */
#define IIR 2   /* interrupt identification register (read) */
#define FCR 2   /* FIFO control register (write) */
#define LCR 3   /* line control register */
#define LSR 5   /* line status register */

/* IER bits. */
#define IER_RX_READY  (1 << 0)   /* interrupt when input arrives */
#define IER_TX_EMPTY  (1 << 1)   /* interrupt when THR can take more output */

/* FCR bits. */
#define FCR_ENABLE    (1 << 0)   /* turn the 16-byte FIFOs on */
#define FCR_CLEAR_RX  (1 << 1)   /* empty the receive FIFO */
#define FCR_CLEAR_TX  (1 << 2)   /* empty the transmit FIFO */

/* LCR bits. */
#define LCR_8N1       0x03       /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB      (1 << 7)   /* offsets 0 and 1 address the divisor */

/* LSR bits. */
#define LSR_RX_READY  (1 << 0)   /* RHR holds a byte */
#define LSR_TX_EMPTY  (1 << 5)   /* THR (and the transmit FIFO) is empty */

/*
 * The divisor is the UART's 1.8432 MHz reference clock over 16 times the
 * baud rate: 1843200 / (16 * 38400) = 3.  QEMU ignores it, real chips don't.
 */
#define BAUD_DIVISOR  3

#define UART_TX_SIZE  64         /* bytes in the transmit ring */

/*
 * The transmit ring.  tx_r counts bytes handed to the device, tx_w bytes
 * queued by uart_putc; both only grow and are taken modulo UART_TX_SIZE
 * to index tx_buf, so tx_w - tx_r is the number of queued bytes and the
 * ring is full when it equals UART_TX_SIZE.  Writers waiting for room
 * sleep on &tx_r.  tx_lock guards all three, and is held while the ring
 * feeds THR; uart_intr takes it in interrupt context.
 */
static struct spinlock tx_lock;
static char tx_buf[UART_TX_SIZE];
static uint64 tx_r;
static uint64 tx_w;

static inline uint8
read_reg(int reg)
{
	return *(volatile uint8 *)(UART0 + reg);
}

static inline void
write_reg(int reg, uint8 val)
{
	*(volatile uint8 *)(UART0 + reg) = val;
}

void
uart_init(void)
{
	initlock(&tx_lock, "uart_tx");

	write_reg(IER, 0);

	write_reg(LCR, LCR_DLAB);
	write_reg(DLL, BAUD_DIVISOR & 0xff);
	write_reg(DLM, BAUD_DIVISOR >> 8);
	write_reg(LCR, LCR_8N1);         /* also clears DLAB */

	write_reg(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);

	write_reg(IER, IER_RX_READY | IER_TX_EMPTY);
}

/*
 * Move queued bytes from the ring to the device while it can take them.
 * When it cannot, the transmit-empty interrupt will call here again.
 * Wakes writers waiting for room.  Caller holds tx_lock.
 */
static void
uart_start(void)
{
	uint64 start = tx_r;

	assert_holding(&tx_lock);
	while (tx_r != tx_w && (read_reg(LSR) & LSR_TX_EMPTY)) {
		write_reg(THR, tx_buf[tx_r % UART_TX_SIZE]);
		tx_r++;
	}
	if (tx_r != start)
		wakeup(&tx_r);
}

/*
 * Queue c for output.  Process context only: sleeps while the ring is
 * full.  Caller holds no spinlock.
 */
void
uart_putc(int c)
{
	if (panicked) {
		uart_putc_sync(c);
		return;
	}

	acquire(&tx_lock);
	while (tx_w - tx_r == UART_TX_SIZE)
		sleep(&tx_r, &tx_lock);
	tx_buf[tx_w % UART_TX_SIZE] = c;
	tx_w++;
	uart_start();
	release(&tx_lock);
}

/*
 * Write c to the device now, spinning until it has room.  Interrupts are
 * off meanwhile so the hart is not taken away mid-byte.  Safe from any
 * context, including interrupt handlers and after a panic.
 */
void
uart_putc_sync(int c)
{
	push_off();
	while ((read_reg(LSR) & LSR_TX_EMPTY) == 0)
		;
	write_reg(THR, c);
	pop_off();
}

/* The next received byte, or -1 if none is waiting. */
static int
uart_getc(void)
{
	if ((read_reg(LSR) & LSR_RX_READY) == 0)
		return -1;
	return read_reg(RHR);
}

/*
 * The UART interrupt handler: input arrived, or the device can take more
 * output, or both.  Runs in interrupt context and never sleeps.
 */
void
uart_intr(void)
{
	int c;

	/* Reading IIR acknowledges a pending transmit-empty interrupt. */
	(void)read_reg(IIR);

	while ((c = uart_getc()) >= 0)
		console_intr(c);

	acquire(&tx_lock);
	uart_start();
	release(&tx_lock);
}
