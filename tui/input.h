/* SPDX-License-Identifier: MIT */
/*
 * Guest input from the host side.  The terminal UI hands over each key as
 * ncurses reports it; headless mode hands over stdin bytes and --keys.
 * Keys become 8042 scancodes (make, then break, wrapped in modifier
 * presses) and, where the serial console takes input, bytes for COM1.
 * Callers hold no lock; these take the VM's io_lock themselves.
 */
#ifndef TUI_INPUT_H
#define TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

struct vm;

/* key: a character (is_keycode false) or an ncurses KEY_* code. */
void input_key(struct vm *vm, bool is_keycode, unsigned int key);
/* Plain bytes, as a terminal in raw mode sends them. */
void input_bytes(struct vm *vm, const char *buf, size_t n);

#endif
