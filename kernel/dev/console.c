/*
 * kernel/dev/console.c: the console device (major number CONSOLE), a
 * cooked-mode terminal on the UART.
 *
 * Cooked mode means the kernel, not the program, edits the line being
 * typed.  Each received character arrives in console_intr (from the UART
 * interrupt), is echoed at once, and is kept in an input buffer; read()
 * sees nothing until the line is complete, so a program reading the
 * console gets whole, already-corrected lines.  The special keys:
 *
 *   Enter (CR or LF)  complete the line; it is delivered ending in '\n'
 *   Backspace, DEL    erase the last character of the current line
 *   Ctrl-U            erase the whole current line
 *   Ctrl-D            complete the line without a newline; on an empty
 *                     line, read() returns 0 (end of file)
 *   Ctrl-C            stop the foreground job: every process in the
 *                     console's foreground process group (tcsetpgrp) is
 *                     killed, and exits with EXIT_INTERRUPTED; the line
 *                     being typed is discarded.  With no foreground group
 *                     (a shell waiting at its prompt) the reader gets an
 *                     empty line instead, and the shell prompts again
 *   Ctrl-P            print the process list (procdump), for debugging
 *   Ctrl-\            panic, in test kernels only (kernel/lib/ktest.h)
 *
 * Other control characters and non-ASCII bytes are dropped, so every byte
 * in the buffer takes exactly one column on the screen and erasing one is
 * always "\b \b".
 *
 * The input buffer is a ring with three indices.  They only grow and are
 * taken modulo CONS_BUF_SIZE to index buf, and always
 * r <= w <= e <= r + CONS_BUF_SIZE:
 *
 *   r  the next byte read() will return
 *   w  the end of the completed lines; read() may take bytes up to here
 *   e  the end of the line being edited; bytes in [w, e) may still be
 *      erased
 *
 * Completing a line (Enter or Ctrl-D) sets w = e and wakes readers.  A
 * Ctrl-D is stored in the buffer as a marker that read() consumes but
 * never returns.  The last free byte is kept for the end of a line: a
 * line too long for the buffer loses its excess characters, not its end,
 * so it reaches the reader whole (cut short) and never merges with the
 * next line typed.
 *
 * Output from programs goes through the UART's interrupt-driven ring
 * (uart_putc); output from the kernel and echo use uart_putc_sync, which
 * never sleeps.
 */
#include "include/types.h"
#include "include/param.h"
#include "include/errno.h"
#include "kernel/lock/spinlock.h"
#include "kernel/lock/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/file.h"
#include "kernel/riscv/uart.h"
#include "kernel/dev/console.h"
#include "kernel/lib/ktest.h"

#define CTRL(x)  ((x) - '@')     /* the control code typed as Ctrl-x */
#define BACKSPACE 0x08
#define DEL       0x7f

#define CONS_BUF_SIZE   128      /* bytes of typed input held */
#define CONS_CHUNK_SIZE 64       /* bytes console_write copies in at once */

/*
 * lock guards the other fields.  console_intr takes it in interrupt
 * context; elsewhere, holding it keeps interrupts off on this hart.
 * Readers sleep on &cons.r.
 */
static struct {
	struct spinlock lock;
	char buf[CONS_BUF_SIZE];
	uint r;                  /* next byte to read */
	uint w;                  /* end of completed lines */
	uint e;                  /* end of the line being edited */
	int foreground;          /* the process group Ctrl-C stops; 0: none */
} cons;

/* Erase the character left of the cursor on the screen. */
static void
echo_erase(void)
{
	uart_putc_sync('\b');
	uart_putc_sync(' ');
	uart_putc_sync('\b');
}

/*
 * Write c to the console for the kernel; '\b' erases the character
 * before the cursor.  Never sleeps.
 */
void
console_putc(int c)
{
	if (c == '\b')
		echo_erase();
	else
		uart_putc_sync(c);
}

/*
 * Is there room for n more bytes of input?  Caller holds cons.lock.
 * An ordinary character asks for 2: itself and the end of its line.  A
 * line that fills the buffer then stays a line being edited, which can
 * still be ended (or erased with Ctrl-U), instead of going to the reader
 * cut off, without its end, to merge with the next one.
 */
static bool
room_for(uint n)
{
	return CONS_BUF_SIZE - (cons.e - cons.r) >= n;
}

/* Hand the completed lines to readers.  Caller holds cons.lock. */
static void
complete_line(void)
{
	cons.w = cons.e;
	wakeup(&cons.r);
}

/* Append c to the line being edited.  Caller holds cons.lock and has
 * checked there is room. */
static void
append(char c)
{
	cons.buf[cons.e % CONS_BUF_SIZE] = c;
	cons.e++;
}

/* Erase the current line's last character, if any.  Caller holds cons.lock. */
static void
erase_char(void)
{
	if (cons.e == cons.w)
		return;
	cons.e--;
	echo_erase();
}

/*
 * Apply one typed character to the input buffer.  When there is no room,
 * characters are dropped without an echo; the last byte of room is kept
 * for the end of the line.  Caller holds cons.lock.
 */
static void
edit(int c)
{
	assert_holding(&cons.lock);
	switch (c) {
	case '\r':
	case '\n':
		if (!room_for(1))
			break;
		uart_putc_sync('\n');
		append('\n');
		complete_line();
		break;
	case BACKSPACE:
	case DEL:
		erase_char();
		break;
	case CTRL('U'):
		while (cons.e != cons.w)
			erase_char();
		break;
	case CTRL('D'):
		if (room_for(1))
			append(CTRL('D'));
		complete_line();
		break;
	default:
		if (c < ' ' || c > '~' || !room_for(2))
			break;
		uart_putc_sync(c);
		append(c);
		break;
	}
}

void
console_set_foreground(int pgid)
{
	acquire(&cons.lock);
	cons.foreground = pgid;
	release(&cons.lock);
}

/*
 * Ctrl-C: drop the line being typed, echo ^C, and stop the foreground
 * group, or, with none, hand the reader an empty line (so that a shell
 * at its prompt prompts again).  The group is stopped after cons.lock is
 * let go: marking processes takes proc_lock.
 */
static void
interrupt(void)
{
	int group;

	acquire(&cons.lock);
	cons.e = cons.w;
	uart_putc_sync('^');
	uart_putc_sync('C');
	uart_putc_sync('\n');
	group = cons.foreground;
	if (group == 0 && room_for(1)) {
		append('\n');
		complete_line();
	}
	release(&cons.lock);
	if (group != 0)
		interrupt_pgroup(group);
}

/*
 * Take one received character.  Called by the UART interrupt handler;
 * never sleeps.
 */
void
console_intr(int c)
{
	if (c == CTRL('P')) {
		procdump();
		return;
	}
	if (c == CTRL('C')) {
		interrupt();
		return;
	}
	ktest_console_key(c);

	acquire(&cons.lock);
	edit(c);
	release(&cons.lock);
}

/*
 * Copy up to n bytes of completed input to dst, stopping after a newline
 * or at a Ctrl-D marker (which is consumed, not copied).  Returns the
 * bytes copied, 0 at end of file, or -EFAULT if nothing could be copied.
 * Caller holds cons.lock and has made sure cons.r != cons.w.
 */
static int
take_input(bool user_dst, uint64 dst, int n)
{
	int copied = 0;

	assert_holding(&cons.lock);
	while (copied < n && cons.r != cons.w) {
		char c = cons.buf[cons.r % CONS_BUF_SIZE];
		if (c == CTRL('D')) {
			cons.r++;
			return copied;
		}
		if (either_copyout(user_dst, dst + copied, &c, 1) < 0)
			return copied > 0 ? copied : -EFAULT;
		cons.r++;
		copied++;
		if (c == '\n')
			return copied;
	}

	/*
	 * Here the caller's buffer filled before a newline.  If a Ctrl-D
	 * marker ends the line right there, consume it too, or the next read
	 * would take it for end of file.
	 */
	if (cons.r != cons.w && cons.buf[cons.r % CONS_BUF_SIZE] == CTRL('D'))
		cons.r++;
	return copied;
}

/*
 * devsw read: wait for a completed line (or end of file) and copy at most
 * n bytes of it to dst.  Returns the bytes copied, 0 at end of file,
 * -EINTR if the process is killed while waiting, or -EFAULT.
 */
static int
console_read(bool user_dst, uint64 dst, int n)
{
	int got;

	if (n <= 0)
		return 0;

	acquire(&cons.lock);
	while (cons.r == cons.w) {
		if (killed(myproc())) {
			release(&cons.lock);
			return -EINTR;
		}
		sleep(&cons.r, &cons.lock);
	}
	got = take_input(user_dst, dst, n);
	release(&cons.lock);
	return got;
}

/* console_write's copying, CONS_CHUNK_SIZE bytes at a time. */
static int
write_chunks(bool user_src, uint64 src, int n)
{
	char chunk[CONS_CHUNK_SIZE];
	int done = 0;

	while (done < n) {
		int len = n - done < CONS_CHUNK_SIZE ? n - done : CONS_CHUNK_SIZE;

		if (myproc() != NULL && killed(myproc()))
			return done > 0 ? done : -EINTR;   /* stop a long write */
		if (either_copyin(chunk, user_src, src + done, len) < 0)
			return done > 0 ? done : -EFAULT;
		for (int i = 0; i < len; i++)
			uart_putc(chunk[i]);
		done += len;
	}
	return done;
}

/*
 * One write() reaches the screen whole: writers take turns, a whole call
 * at a time, so that lines printed by processes on different harts do
 * not mix character by character (the UART takes its lock per character).
 */
static struct sleeplock write_lock;

/*
 * devsw write: send n bytes from src to the screen through the UART's
 * output ring, sleeping while it is full.  Returns n, or the bytes
 * written before a bad address or a kill (-EFAULT or -EINTR if none were).
 */
static int
console_write(bool user_src, uint64 src, int n)
{
	int done;

	acquiresleep(&write_lock);
	done = write_chunks(user_src, src, n);
	releasesleep(&write_lock);
	return done;
}

void
console_init(void)
{
	initlock(&cons.lock, "console");
	initsleeplock(&write_lock, "console write");
	uart_init();
	devsw[CONSOLE].read = console_read;
	devsw[CONSOLE].write = console_write;
}
