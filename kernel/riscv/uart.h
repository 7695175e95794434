/*
 * kernel/riscv/uart.h: the 16550 UART driver.
 */
#ifndef KERNEL_RISCV_UART_H
#define KERNEL_RISCV_UART_H

void uart_init(void);
/* Queue c for interrupt-driven output; sleeps while the queue is full. */
void uart_putc(int c);
/* Send c now, spinning on the device; for printf, echo and panics. */
void uart_putc_sync(int c);
void uart_intr(void);

#endif /* KERNEL_RISCV_UART_H */
