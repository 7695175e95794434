/*
 * kernel/dev/console.h: the console device, a cooked-mode terminal on the UART.
 */
#ifndef KERNEL_DEV_CONSOLE_H
#define KERNEL_DEV_CONSOLE_H

void console_init(void);
/* Called by the UART interrupt handler for each received character. */
void console_intr(int c);
/* The process group Ctrl-C stops (tcsetpgrp); 0: none. */
void console_set_foreground(int pgid);
/* Write one character for the kernel (printf, echo); never sleeps. */
void console_putc(int c);

#endif /* KERNEL_DEV_CONSOLE_H */
