// SPDX-License-Identifier: MIT
/* Until the 8042 lands, typed characters reach the guest through COM1. */
#include "../devices/serial.h"
#include "../vmm/vm.h"
#include "input.h"

void input_bytes(struct vm *vm, const char *buf, size_t n)
{
	pthread_mutex_lock(&vm->io_lock);
	if (vm->serial)
		serial_receive(vm->serial, (const uint8_t *)buf, n);
	pthread_mutex_unlock(&vm->io_lock);
}

void input_key(struct vm *vm, bool is_keycode, unsigned int key)
{
	char c = (char)key;

	if (!is_keycode && key < 0x80)
		input_bytes(vm, &c, 1);
}
