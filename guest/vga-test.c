// SPDX-License-Identifier: MIT
/*
 * vga-test: checks the emulated VGA from the guest side and leaves a
 * screen the host tests compare across strategies and drivers.
 *
 * Part 1 talks to the hardware directly (the emulated device exists in
 * every config, PV or not): byte, 16-bit and 32-bit stores, aligned and
 * not, character-only and attribute-only writes, loads of every width,
 * scrolling by reading rows back, the far end of the 32 KiB window and
 * the CRTC cursor location, cursor shape and start address registers.
 * Each check prints "ok   name" or "FAIL name" on serial.
 *
 * hwonly=1 stops there, with the start address one row down, so the
 * host's dump shows whether it honours it.  Otherwise part 2 draws through
 * the SDK driver (emulated, pv-frame, or pv-char with vga=pvchar): a
 * colour table, CP437 samples and a console that scrolls by read-back.
 * The exit status is the number of failed checks.
 */
#include "sdk/screen.h"
#include "sdk/sdk.h"

#define VRAM8	((volatile uint8_t *)0xb8000)
#define VRAM16	((volatile uint16_t *)0xb8000)
#define ROW	160			/* bytes per row */

static int checks, failures;

static void check(const char *name, int ok)
{
	checks++;
	if (!ok)
		failures++;
	serial_printf("%s %s\n", ok ? "ok  " : "FAIL", name);
}

static uint8_t crtc_get(uint8_t i)
{
	outb(0x3d4, i);
	return inb(0x3d5);
}

static void crtc_set(uint8_t i, uint8_t v)
{
	outb(0x3d4, i);
	outb(0x3d5, v);
}

/* The 160 bytes a row should hold: text padded with blanks, one attribute. */
static void row_image(uint8_t *img, const char *text, uint8_t attr)
{
	size_t n = strlen(text);

	for (unsigned int i = 0; i < 80; i++) {
		img[2 * i] = i < n ? (uint8_t)text[i] : ' ';
		img[2 * i + 1] = attr;
	}
}

/* Compares a row with an image using loads of the given width. */
static int row_equals(unsigned int row, const uint8_t *img, int width)
{
	unsigned int base = row * ROW;

	for (unsigned int b = 0; b < ROW; b += (unsigned int)width) {
		uint32_t want = 0, got;

		for (int k = width - 1; k >= 0; k--)
			want = want << 8 | img[b + (unsigned int)k];
		if (width == 1)
			got = VRAM8[base + b];
		else if (width == 2)
			got = *(volatile uint16_t *)(0xb8000 + base + b);
		else
			got = *(volatile uint32_t *)(0xb8000 + base + b);
		if (got != want)
			return 0;
	}
	return 1;
}

static int row_equals_all(unsigned int row, const uint8_t *img)
{
	return row_equals(row, img, 1) && row_equals(row, img, 2) &&
	       row_equals(row, img, 4);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes img into a row: head bytes, then 32-bit stores from byte offset off. */
static void store32_from(unsigned int row, const uint8_t *img, unsigned int off)
{
	unsigned int base = row * ROW, b;

	for (b = 0; b < off; b++)
		VRAM8[base + b] = img[b];
	for (; b + 4 <= ROW; b += 4)
		*(volatile uint32_t *)(0xb8000 + base + b) = le32(img + b);
	for (; b < ROW; b++)
		VRAM8[base + b] = img[b];
}

static void hardware_checks(void)
{
	uint8_t img[ROW];
	char name[48];

	/* row 0: bytes, the character then the attribute */
	row_image(img, "row 0: byte stores", 0x1e);
	for (unsigned int b = 0; b < ROW; b++)
		VRAM8[b] = img[b];
	check("byte stores, read back at 8/16/32 bits", row_equals_all(0, img));

	/* row 1: aligned 16-bit stores */
	row_image(img, "row 1: 16-bit aligned stores", 0x2f);
	for (unsigned int i = 0; i < 80; i++)
		VRAM16[80 + i] = (uint16_t)(img[2 * i] | img[2 * i + 1] << 8);
	check("16-bit aligned stores", row_equals_all(1, img));

	/* row 2: 16-bit stores at odd addresses: attribute i, character i+1 */
	row_image(img, "row 2: 16-bit unaligned stores", 0x3f);
	VRAM8[2 * ROW] = img[0];
	for (unsigned int b = 1; b + 2 <= ROW; b += 2)
		*(volatile uint16_t *)(0xb8000 + 2 * ROW + b) =
			(uint16_t)(img[b] | img[b + 1] << 8);
	VRAM8[2 * ROW + ROW - 1] = img[ROW - 1];
	check("16-bit unaligned stores", row_equals_all(2, img));

	/* rows 3-6: 32-bit stores at offsets 0, 1, 2, 3 */
	for (unsigned int off = 0; off < 4; off++) {
		snprintf(name, sizeof(name), "row %u: 32-bit stores at offset %u",
			 3 + off, off);
		row_image(img, name, (uint8_t)(0x4f + 0x10 * off));
		store32_from(3 + off, img, off);
		snprintf(name, sizeof(name), "32-bit stores at offset %u", off);
		check(name, row_equals_all(3 + off, img));
	}

	/* row 7: characters only, over an attribute set before */
	row_image(img, "", 0x5f);
	store32_from(7, img, 0);
	row_image(img, "row 7: character-only writes", 0x5f);
	for (unsigned int i = 0; i < 80; i++)
		VRAM8[7 * ROW + 2 * i] = img[2 * i];
	check("character-only writes keep the attribute", row_equals_all(7, img));

	/* row 8: attributes only, over characters written before */
	row_image(img, "row 8: attribute-only writes", 0x07);
	store32_from(8, img, 0);
	for (unsigned int i = 0; i < 80; i++) {
		VRAM8[8 * ROW + 2 * i + 1] = 0x6e;
		img[2 * i + 1] = 0x6e;
	}
	check("attribute-only writes keep the character", row_equals_all(8, img));

	/* rows 10-14: five lines, then scroll them up by reading rows back */
	for (unsigned int r = 0; r < 5; r++) {
		snprintf(name, sizeof(name), "row %u: scroll line %u", 10 + r, r);
		row_image(img, name, (uint8_t)(0x70 + r));
		store32_from(10 + r, img, 0);
	}
	for (unsigned int r = 10; r < 14; r++)
		for (unsigned int b = 0; b < ROW; b += 4)
			*(volatile uint32_t *)(0xb8000 + r * ROW + b) =
				*(volatile uint32_t *)(0xb8000 + (r + 1) * ROW + b);
	row_image(img, "row 14: blank after scroll", 0x07);
	store32_from(14, img, 0);
	row_image(img, "row 11: scroll line 1", 0x71);
	int ok = row_equals_all(10, img);

	row_image(img, "row 14: scroll line 4", 0x74);
	check("scrolling by read-back", ok && row_equals_all(13, img));

	/* row 15: rep stosw, row 16: rep movsw from row 15 */
	uint32_t d = 0xb8000 + 15 * ROW, src = d, n = 80;

	__asm__ volatile("rep stosw" : "+D"(d), "+c"(n) : "a"(0x0b2d) : "memory");
	d = 0xb8000 + 16 * ROW;
	n = 80;
	__asm__ volatile("rep movsw" : "+S"(src), "+D"(d), "+c"(n) : : "memory");
	row_image(img, "", 0x0b);
	for (unsigned int i = 0; i < 80; i++)
		img[2 * i] = '-';
	check("rep stosw and rep movsw", row_equals_all(15, img) && row_equals_all(16, img));

	/* the window beyond the screen is memory too, up to 0xbffff */
	*(volatile uint32_t *)0xbfffc = 0x12345678;
	*(volatile uint16_t *)0xbc001 = 0xbeef;
	check("memory beyond the visible screen",
	      *(volatile uint32_t *)0xbfffc == 0x12345678 &&
	      *(volatile uint16_t *)0xbc001 == 0xbeef &&
	      *(volatile uint8_t *)0xbffff == 0x12);

	/* CRTC */
	check("CRTC horizontal display end reads 0x4f", crtc_get(0x01) == 0x4f);
	crtc_set(0x0e, 0x01);
	crtc_set(0x0f, 0x23);
	check("CRTC cursor location reads back",
	      crtc_get(0x0e) == 0x01 && crtc_get(0x0f) == 0x23);
	crtc_set(0x0a, 0x0e);
	crtc_set(0x0b, 0x0f);
	int shape = crtc_get(0x0a) == 0x0e && crtc_get(0x0b) == 0x0f;

	crtc_set(0x0a, 0x20);
	check("CRTC cursor shape and cursor-off read back",
	      shape && crtc_get(0x0a) == 0x20);
	crtc_set(0x0c, 0x01);
	crtc_set(0x0d, 0x40);
	check("CRTC start address reads back",
	      crtc_get(0x0c) == 0x01 && crtc_get(0x0d) == 0x40);
	crtc_set(0x0c, 0);
	crtc_set(0x0d, 0);
	outb(0x3d4, 0x0f);
	check("CRTC index register reads back", inb(0x3d4) == 0x0f);
}

static void console_part(void)
{
	char line[96];

	con_set_attr(0x07);
	con_clear();
	for (unsigned int y = 0; y < 16; y++)
		for (unsigned int x = 0; x < 16; x++) {
			uint8_t a = (uint8_t)(y << 4 | x);

			screen_put(48 + x * 2, y + 1, 0xfe, a);
			screen_put(49 + x * 2, y + 1, (uint8_t)(0xb0 + x), a);
		}
	for (unsigned int i = 0; i < 30; i++) {
		con_set_attr((uint8_t)(0x01 + i % 15));
		snprintf(line, sizeof(line), "line %02u: scrolled by read-back \xb3\xc4\xdb\x01\n", i);
		con_write(line, strlen(line));
	}
	con_set_attr(0x1f);
	snprintf(line, sizeof(line), "vga-test done: %d checks, %d failed", checks, failures);
	con_write(line, strlen(line));
	screen_flush();
}

int main(const char *cmdline)
{
	(void)cmdline;
	serial_printf("vga-test: driver %s\n", screen_driver()->name);
	hardware_checks();
	if (cmdline_int("hwonly", 0)) {
		/* the host should now show vram from row 1 on, and no cursor */
		crtc_set(0x0c, 0);
		crtc_set(0x0d, 80);
	} else {
		crtc_set(0x0a, 0x0d);
		crtc_set(0x0b, 0x0e);
		console_part();
	}
	serial_printf("vga-test: %d checks, %d failed\n", checks, failures);
	return failures;
}
