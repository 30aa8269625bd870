// SPDX-License-Identifier: MIT
/*
 * vgamode: a guest that leaves text mode, as a game or a boot splash does,
 * by writing the VGA registers (guest/vga_modes.h).  mode=13 (default) or
 * mode=12 picks the graphics mode; it says so on COM1 and, with hold=1,
 * waits for a key, then goes back to mode 3 and waits for another before
 * it exits with status 0.  Without hold it exits at once, still in the
 * graphics mode, so that the final dump and --stats see it.
 */
#include "sdk/kbd.h"
#include "sdk/sdk.h"
#include "vga_modes.h"

static void port_out(uint16_t port, uint8_t v)
{
	outb(port, v);
}

static uint8_t port_in(uint16_t port)
{
	return inb(port);
}

int main(const char *cmdline)
{
	int mode = cmdline_int("mode", 13);

	printf("vgamode: text before mode %dh\n", mode);
	vga_mode_write(mode == 12 ? &vga_mode_12 : &vga_mode_13, port_out, port_in);
	serial_printf("vgamode: in mode %dh\n", mode);
	if (!cmdline_int("hold", 0))
		return 0;
	kbd_init();
	kbd_getkey();
	vga_mode_write(&vga_mode_03, port_out, port_in);
	serial_printf("vgamode: back in text mode\n");
	printf("vgamode: back in text mode\n");
	kbd_getkey();
	return 0;
}
