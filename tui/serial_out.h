/* SPDX-License-Identifier: MIT */
/*
 * Where COM1's bytes go: a thread takes them from the UART's queue and
 * writes them to stdout (headless) or to the file or FIFO named by
 * serial.output, and hands each one to an optional sink (the UI's serial
 * console).  It never blocks on the output: a reader that stops reading
 * fills the UART's queue and the guest waits; signals, --timeout and the
 * UI's Ctrl-A x still act at once.  On a terminal the bytes go through
 * tui/term_filter.h unless serial.raw is set; files and pipes get them raw.
 *
 * At exit the guest's last bytes, then the final screen dump, are
 * written as the reader takes them: a paused terminal or a `less` still
 * gets everything when the guest ended by itself, however long the reader
 * takes (after SERIAL_OUT_LINGER_MS without progress vmm says it is
 * waiting).  A stop signal during that wait drops the rest at once; when
 * the user already asked the VM to stop (a signal, --timeout) the wait
 * ends after SERIAL_OUT_LINGER_MS in which the reader took nothing.
 * Either way vmm says how many bytes it could not write.
 */
#ifndef TUI_SERIAL_OUT_H
#define TUI_SERIAL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SERIAL_OUT_LINGER_MS 2000

struct vm;
struct serial;
struct vm_config;
struct serial_out;

/* Called on the writer thread with every byte the guest sent; must not block. */
typedef void (*serial_out_sink)(void *opaque, const uint8_t *buf, size_t n);

/*
 * Opens the output named by cfg (stdout goes nowhere when the UI owns the
 * terminal).  NULL after a "file: serial.output ..." line on stderr.
 */
struct serial_out *serial_out_open(const struct vm_config *cfg, bool tui);
/*
 * At any time (fn NULL: none); once it returns, the previous sink is no
 * longer called.  w may be NULL.
 */
void serial_out_set_sink(struct serial_out *w, serial_out_sink fn, void *opaque);
/*
 * Attaches to the UART and starts the thread, before the sandbox goes in.
 * With no output, no UI and no sink the UART keeps discarding what it sends.
 */
int serial_out_start(struct serial_out *w, struct vm *vm, struct serial *s);
/*
 * Where vmm's own final output (the screen dump) goes: a buffer written
 * after the guest's bytes when they share stdout, else stdout itself.
 * When the guest wrote anything there, the line SERIAL_OUT_SCREEN_LINE
 * comes between its text and the dump.
 */
#define SERIAL_OUT_SCREEN_LINE	"--- the screen at exit ---"
FILE *serial_out_tail(struct serial_out *w);
/*
 * Once the vCPU stopped: writes what is left, as the header says.  stop_fd
 * is the main thread's signalfd (or -1); hurry: the user asked to stop.
 */
void serial_out_finish(struct serial_out *w, int stop_fd, bool hurry);
/* Finishes if needed, closes and frees; NULL is fine. */
void serial_out_close(struct serial_out *w);

#endif
