/* SPDX-License-Identifier: MIT */
/*
 * Guest input from the host side.  The terminal UI hands over each key as
 * ncurses reports it; headless mode hands over stdin bytes and --keys.
 * Keys become 8042 scancodes (make, then break, wrapped in modifier
 * presses) and, where the serial console takes input, bytes for COM1.
 * Callers hold no lock; these take the VM's io_lock themselves.
 *
 * Nothing is dropped silently: the keyboard's host queue and COM1's
 * receive queue are bounded; scripted and stdin input waits for room
 * while the guest reads, and says on stderr what it had to drop when the
 * guest stopped reading.  input_key() never waits: it returns false when
 * the key found no room, for the UI to tell the user.
 */
#ifndef TUI_INPUT_H
#define TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

struct vm;

/* Where keys go: the 8042 keyboard, COM1, or both (headless: both). */
void input_route(bool keyboard, bool serial);
/*
 * key: a character (is_keycode false) or an ncurses KEY_* code.  An ESC
 * followed at once by a character is Alt+character, as terminals send it;
 * a lone ESC goes out at the next input_tick().  False: no room, dropped.
 */
bool input_key(struct vm *vm, bool is_keycode, unsigned int key);
/* Called about every 100 ms: sends a lone ESC that nothing followed. */
void input_tick(struct vm *vm);

/* a firmware boot to GRUB's menu takes ~40 s of emulated code here */
#define INPUT_UNTIL_S	120

struct input_opts {
	const char *keys;	/* --keys script, or NULL */
	const char *keys_file;	/* --keys-file script, or NULL */
	bool read_stdin;	/* stdin bytes to the guest until EOF */
	/*
	 * How long one {until:TEXT} waits before it stops the VM (status
	 * 124): INPUT_UNTIL_S, or 0 for no bound of its own when --timeout
	 * bounds the run.
	 */
	unsigned int until_s;
};

/*
 * Parses the scripts: -1 with a message on a bad one.  It needs no VM, so
 * it runs before KVM is opened; input_discard() drops them when the VM
 * never ran.
 */
int input_parse(const struct input_opts *o);
void input_discard(void);
/*
 * Opens what the parsed scripts' {save:} and {migrate:} steps need, before
 * the sandbox and the threads.
 */
int input_prepare(struct vm *vm);
/* Then, once the machine is built: starts the feeder. */
int input_start(struct vm *vm, const struct input_opts *o);
/* After the VM stopped: joins the feeder. */
void input_stop(struct vm *vm);

#endif
