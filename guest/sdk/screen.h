/* SPDX-License-Identifier: MIT */
/*
 * The screen driver interface: the same calls drive the emulated VGA
 * (stores to 0xb8000, CRTC ports) or the paravirtual VGA (a shared frame
 * and hypercalls), picked from the boot info, or forced by the command
 * line word vga=emulated|pvchar|pvframe.  A console with scrolling sits on
 * top and reads the screen back to scroll, as text-mode programs do.
 */
#ifndef SDK_SCREEN_H
#define SDK_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#define SCREEN_COLS 80
#define SCREEN_ROWS 25

/*
 * The 16 colours of the VGA text mode.  A cell's attribute byte is the
 * foreground in bits 0-3 and the background in bits 4-7: VGA_ATTR(fg, bg).
 * Bit 7 (a background from COLOR_DARK_GREY up) is a bright background
 * with vmm's default vga.blink = false, and blinks with vga.blink = true.
 */
enum vga_color {
	COLOR_BLACK, COLOR_BLUE, COLOR_GREEN, COLOR_CYAN,
	COLOR_RED, COLOR_MAGENTA, COLOR_BROWN, COLOR_LIGHT_GREY,
	COLOR_DARK_GREY, COLOR_LIGHT_BLUE, COLOR_LIGHT_GREEN, COLOR_LIGHT_CYAN,
	COLOR_LIGHT_RED, COLOR_LIGHT_MAGENTA, COLOR_YELLOW, COLOR_WHITE,
};
#define VGA_ATTR(fg, bg) ((uint8_t)(((bg) & 0x0f) << 4 | ((fg) & 0x0f)))

struct screen_driver {
	const char *name;
	void (*put)(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr);
	uint16_t (*get)(unsigned int x, unsigned int y);
	void (*cursor)(unsigned int x, unsigned int y, int on);
	void (*flush)(void);	/* make pending cells visible */
};

extern const struct screen_driver screen_vga, screen_pv_char, screen_pv_frame;

void screen_init(void);
const struct screen_driver *screen_driver(void);
void screen_put(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr);
uint16_t screen_get(unsigned int x, unsigned int y);
void screen_cursor(unsigned int x, unsigned int y, int on);
void screen_flush(void);

/*
 * The console: a cursor that writes, wraps and scrolls; printf() writes
 * here and to serial.  Text comes out light grey on black until
 * con_set_color() (or con_set_attr() with a whole attribute byte) says
 * otherwise; con_clear() fills the screen with the current colours.
 */
void con_write(const char *s, size_t n);
void con_putc(char c);
void con_clear(void);
void con_set_color(enum vga_color fg, enum vga_color bg);
void con_set_attr(uint8_t attr);
uint8_t con_attr(void);
void con_goto(unsigned int x, unsigned int y);
void con_where(unsigned int *x, unsigned int *y);

#endif
