// SPDX-License-Identifier: MIT
#include "screen.h"
#include "sdk.h"

#define VGA_TEXT ((volatile uint16_t *)0xb8000)
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5

/* Emulated VGA: what every PC text-mode driver does. */
static void vga_put(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr)
{
	VGA_TEXT[y * SCREEN_COLS + x] = (uint16_t)(attr << 8 | ch);
}

static uint16_t vga_get(unsigned int x, unsigned int y)
{
	return VGA_TEXT[y * SCREEN_COLS + x];
}

static void vga_cursor(unsigned int x, unsigned int y, int on)
{
	uint16_t pos = (uint16_t)(y * SCREEN_COLS + x);

	outb(CRTC_INDEX, 0x0a);
	outb(CRTC_DATA, on ? 0x0d : 0x20);
	if (!on)
		return;
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, (uint8_t)pos);
}

static void no_flush(void)
{
}

const struct screen_driver screen_vga = {
	"emulated", vga_put, vga_get, vga_cursor, no_flush,
};

/* Paravirtual: the guest's copy of the frame lives in the shared page. */
static struct vmm_pv_vga *pv_page(void)
{
	return (struct vmm_pv_vga *)(uintptr_t)vmm_boot_info()->vga_page;
}

static uint16_t pv_get(unsigned int x, unsigned int y)
{
	return pv_page()->frame[y * SCREEN_COLS + x];
}

/* the lab's design: one hypercall per character */
static void pv_char_put(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr)
{
	struct vmm_pv_vga *p = pv_page();

	p->frame[y * SCREEN_COLS + x] = (uint16_t)(attr << 8 | ch);
	p->putc.x = (uint16_t)x;
	p->putc.y = (uint16_t)y;
	p->putc.ch = ch;
	p->putc.attr = attr;
	vmm_hypercall(VMM_HC_VGA_PUTC, 0, 0, 0, 0);
}

static void pv_char_cursor(unsigned int x, unsigned int y, int on)
{
	struct vmm_pv_vga *p = pv_page();

	p->cursor = on ? (uint16_t)(y * SCREEN_COLS + x) : VMM_VGA_CURSOR_OFF;
	/* the cursor rides on a frame call of zero changed cells' worth: row y */
	vmm_hypercall(VMM_HC_VGA_FRAME, y < SCREEN_ROWS ? y : 0,
		      y < SCREEN_ROWS ? y : 0, 0, 0);
}

const struct screen_driver screen_pv_char = {
	"pv-char", pv_char_put, pv_get, pv_char_cursor, no_flush,
};

/* the frame call: write cells locally, publish the dirty rows at once */
static unsigned int dirty_first = SCREEN_ROWS, dirty_last;
static int cursor_dirty;

static void pv_frame_put(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr)
{
	pv_page()->frame[y * SCREEN_COLS + x] = (uint16_t)(attr << 8 | ch);
	if (y < dirty_first)
		dirty_first = y;
	if (y > dirty_last)
		dirty_last = y;
}

static void pv_frame_cursor(unsigned int x, unsigned int y, int on)
{
	pv_page()->cursor = on ? (uint16_t)(y * SCREEN_COLS + x) : VMM_VGA_CURSOR_OFF;
	cursor_dirty = 1;
}

static void pv_frame_flush(void)
{
	if (dirty_first < SCREEN_ROWS) {
		vmm_hypercall(VMM_HC_VGA_FRAME, dirty_first, dirty_last, 0, 0);
	} else if (cursor_dirty) {
		vmm_hypercall(VMM_HC_VGA_FRAME, 0, 0, 0, 0);
	}
	dirty_first = SCREEN_ROWS;
	dirty_last = 0;
	cursor_dirty = 0;
}

const struct screen_driver screen_pv_frame = {
	"pv-frame", pv_frame_put, pv_get, pv_frame_cursor, pv_frame_flush,
};

static const struct screen_driver *drv = &screen_vga;

void screen_init(void)
{
	const struct vmm_boot_info *bi = vmm_boot_info();
	char want[16];

	drv = &screen_vga;
	if (bi && bi->vga_mode == VMM_MODE_PV && bi->vga_page) {
		drv = &screen_pv_frame;
		/* start from what the emulated screen shows: blanks */
		for (unsigned int i = 0; i < SCREEN_COLS * SCREEN_ROWS; i++)
			pv_page()->frame[i] = 0x0720;
	}
	if (cmdline_get("vga", want, sizeof(want))) {
		if (!strcmp(want, "emulated"))
			drv = &screen_vga;
		else if (drv != &screen_vga && !strcmp(want, "pvchar"))
			drv = &screen_pv_char;
	}
}

const struct screen_driver *screen_driver(void) { return drv; }
void screen_put(unsigned int x, unsigned int y, uint8_t ch, uint8_t attr)
{
	if (x < SCREEN_COLS && y < SCREEN_ROWS)
		drv->put(x, y, ch, attr);
}
uint16_t screen_get(unsigned int x, unsigned int y)
{
	return x < SCREEN_COLS && y < SCREEN_ROWS ? drv->get(x, y) : 0;
}
void screen_cursor(unsigned int x, unsigned int y, int on) { drv->cursor(x, y, on); }
void screen_flush(void) { drv->flush(); }

/* Console ------------------------------------------------------------- */

static unsigned int cx, cy;
static uint8_t cattr = 0x07;

void con_set_attr(uint8_t attr) { cattr = attr; }
void con_set_color(enum vga_color fg, enum vga_color bg) { cattr = VGA_ATTR(fg, bg); }
uint8_t con_attr(void) { return cattr; }
void con_where(unsigned int *x, unsigned int *y) { *x = cx; *y = cy; }

void con_goto(unsigned int x, unsigned int y)
{
	cx = x < SCREEN_COLS ? x : SCREEN_COLS - 1;
	cy = y < SCREEN_ROWS ? y : SCREEN_ROWS - 1;
	screen_cursor(cx, cy, 1);
}

void con_clear(void)
{
	for (unsigned int y = 0; y < SCREEN_ROWS; y++)
		for (unsigned int x = 0; x < SCREEN_COLS; x++)
			screen_put(x, y, ' ', cattr);
	con_goto(0, 0);
}

/* Scroll by reading each row back and writing it one row up. */
static void scroll(void)
{
	for (unsigned int y = 1; y < SCREEN_ROWS; y++)
		for (unsigned int x = 0; x < SCREEN_COLS; x++) {
			uint16_t c = screen_get(x, y);

			screen_put(x, y - 1, (uint8_t)c, (uint8_t)(c >> 8));
		}
	for (unsigned int x = 0; x < SCREEN_COLS; x++)
		screen_put(x, SCREEN_ROWS - 1, ' ', cattr);
}

static void newline(void)
{
	cx = 0;
	if (++cy == SCREEN_ROWS) {
		scroll();
		cy = SCREEN_ROWS - 1;
	}
}

static void putc_raw(char c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		cx = 0;
		break;
	case '\b':
		if (cx)
			cx--;
		break;
	case '\t':
		do
			putc_raw(' ');
		while (cx % 8);
		break;
	default:
		screen_put(cx, cy, (uint8_t)c, cattr);
		if (++cx == SCREEN_COLS)
			newline();
	}
}

void con_putc(char c)
{
	putc_raw(c);
	screen_cursor(cx, cy, 1);
}

void con_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putc_raw(s[i]);
	screen_cursor(cx, cy, 1);
}
