// SPDX-License-Identifier: MIT
/*
 * shell: a small interactive shell on the VGA screen.  Keys come from the
 * 8042 by interrupt (IRQ 1); the CPU sleeps in hlt between them.  Line
 * editing (Left/Right, Home/End, Backspace, Del, Ctrl-A/E/U), history on
 * Up/Down, and a few commands (type "help").  Uses whichever screen and
 * disk drivers the boot info selects.
 */
#include "sdk/blkdev.h"
#include "sdk/irq.h"
#include "sdk/kbd.h"
#include "sdk/screen.h"
#include "sdk/sdk.h"

#define PROMPT		"shell> "
#define LINE_MAX	(SCREEN_COLS - sizeof(PROMPT))
#define HISTORY		16

static char history[HISTORY][LINE_MAX + 1];
static unsigned int hist_len;	/* entries used, newest last */

/* Draws the line after the prompt and puts the cursor at pos. */
static void redraw(unsigned int x0, unsigned int y, const char *buf,
		   unsigned int len, unsigned int pos, unsigned int *shown)
{
	uint8_t a = con_attr();

	for (unsigned int i = 0; i < len; i++)
		screen_put(x0 + i, y, (uint8_t)buf[i], a);
	for (unsigned int i = len; i < *shown; i++)
		screen_put(x0 + i, y, ' ', a);
	*shown = len;
	con_goto(x0 + pos, y);
	screen_flush();
}

static unsigned int read_line(char *buf)
{
	unsigned int x0, y, len = 0, pos = 0, shown = 0;
	unsigned int h = hist_len;	/* hist_len = the line being typed */

	con_where(&x0, &y);
	buf[0] = 0;
	for (;;) {
		int k = kbd_getkey();

		switch (k) {
		case '\r':
		case '\n':
			buf[len] = 0;
			con_goto(x0 + len, y);
			con_putc('\n');
			return len;
		case '\b':
			if (!pos)
				break;
			memmove(buf + pos - 1, buf + pos, len - pos);
			pos--;
			len--;
			break;
		case KBD_DEL:
			if (pos == len)
				break;
			memmove(buf + pos, buf + pos + 1, len - pos - 1);
			len--;
			break;
		case KBD_LEFT:
			if (pos)
				pos--;
			break;
		case KBD_RIGHT:
			if (pos < len)
				pos++;
			break;
		case KBD_HOME:
		case 'a' & 0x1f:
			pos = 0;
			break;
		case KBD_END:
		case 'e' & 0x1f:
			pos = len;
			break;
		case 'u' & 0x1f:
		case 0x1b:
			len = pos = 0;
			break;
		case KBD_UP:
		case KBD_DOWN:
			if (k == KBD_UP ? h == 0 : h >= hist_len)
				break;
			h += k == KBD_UP ? -1u : 1u;
			if (h == hist_len) {
				len = 0;
			} else {
				len = (unsigned int)strlen(history[h]);
				memcpy(buf, history[h], len);
			}
			pos = len;
			break;
		default:
			if (k < 0x20 || k > 0x7e || len == LINE_MAX)
				break;
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos++] = (char)k;
			len++;
		}
		redraw(x0, y, buf, len, pos, &shown);
	}
}

static void remember(const char *line)
{
	if (!line[0] || (hist_len && !strcmp(history[hist_len - 1], line)))
		return;
	if (hist_len == HISTORY) {
		memmove(history[0], history[1], sizeof(history[0]) * (HISTORY - 1));
		hist_len--;
	}
	memcpy(history[hist_len++], line, strlen(line) + 1);
}

static void cmd_help(void)
{
	printf("commands:\n"
	       "  help            this list\n"
	       "  clear           clear the screen\n"
	       "  colors          the 16 foreground and 8 background colours\n"
	       "  echo TEXT       print TEXT\n"
	       "  disk read N     show sector N of the disk\n"
	       "  disk write N    write a test pattern to sector N\n"
	       "  bench [N]       time N screen writes and N keyboard status reads\n"
	       "  exit CODE       end the VM with status CODE\n"
	       "keys: Left/Right Home/End Backspace Del, Up/Down history\n");
}

static void cmd_colors(void)
{
	uint8_t old = con_attr();

	for (unsigned int bg = 0; bg < 8; bg++) {
		for (unsigned int fg = 0; fg < 16; fg++) {
			char s[6];

			snprintf(s, sizeof(s), " %x%x ", bg, fg);
			con_set_attr((uint8_t)(bg << 4 | fg));
			con_write(s, 4);
		}
		con_set_attr(old);
		con_putc('\n');
	}
	serial_printf("colors: 8 rows of 16\n");
}

static void cmd_disk(const char *args)
{
	const struct blkdev *d = blkdev_get();
	static uint8_t sector[VMM_SECTOR_SIZE];
	int write = !strncmp(args, "write ", 6);
	const char *num = args + (write ? 6 : 5);
	const char *end;

	if (!write && strncmp(args, "read ", 5)) {
		printf("usage: disk read N | disk write N\n");
		return;
	}
	long n = strtol(num, &end, 0);

	if (end == num || *end || n < 0) {
		printf("disk: '%s' is not a sector number\n", num);
		return;
	}
	if (!d) {
		printf("no disk driver\n");
		return;
	}
	if ((uint64_t)n >= d->sectors) {
		printf("disk: sector %ld is past the end (%lu sectors)\n", n,
		       (unsigned long)d->sectors);
		return;
	}
	int r;

	if (write) {
		for (unsigned int i = 0; i < sizeof(sector); i++)
			sector[i] = (uint8_t)(i + (unsigned long)n);
		snprintf((char *)sector, 32, "shell sector %ld", n);
		r = d->write((uint64_t)n, sector, 1);
		if (!r)
			printf("wrote sector %ld (%s)\n", n, d->name);
	} else {
		r = d->read((uint64_t)n, sector, 1);
		for (unsigned int i = 0; !r && i < 64; i += 16) {
			printf("%03x:", i);
			for (unsigned int j = 0; j < 16; j++)
				printf(" %02x", sector[i + j]);
			printf("  ");
			for (unsigned int j = 0; j < 16; j++) {
				char c = (char)sector[i + j];

				printf("%c", c >= 0x20 && c < 0x7f ? c : '.');
			}
			printf("\n");
		}
	}
	if (r)
		printf("disk: error %d\n", r);
}

static void cmd_bench(const char *args)
{
	const char *end;
	long n = strtol(args, &end, 0);
	unsigned int x, y;

	if (end == args)
		n = 2000;
	if (n <= 0 || n > 1000000) {
		printf("bench: N from 1 to 1000000\n");
		return;
	}
	con_where(&x, &y);
	uint64_t t0 = rdtsc();

	for (long i = 0; i < n; i++)
		screen_put((unsigned int)i % SCREEN_COLS, y, (uint8_t)('0' + i % 10), 0x0a);
	screen_flush();
	uint64_t t1 = rdtsc();

	for (long i = 0; i < n; i++)
		inb(0x64);
	uint64_t t2 = rdtsc();

	for (unsigned int i = 0; i < SCREEN_COLS; i++)
		screen_put(i, y, ' ', con_attr());
	con_goto(0, y);
	printf("bench: %ld screen writes (%s): %lu cycles each\n", n,
	       screen_driver()->name,
	       (unsigned long)udivmod64(t1 - t0, (uint64_t)n, NULL));
	printf("bench: %ld 8042 status reads: %lu cycles each\n", n,
	       (unsigned long)udivmod64(t2 - t1, (uint64_t)n, NULL));
}

static void run(char *line)
{
	while (*line == ' ')
		line++;
	char *arg = strchr(line, ' ');

	if (arg) {
		*arg++ = 0;
		while (*arg == ' ')
			arg++;
	} else {
		arg = line + strlen(line);
	}
	if (!line[0])
		return;
	if (!strcmp(line, "help")) {
		cmd_help();
	} else if (!strcmp(line, "clear")) {
		con_clear();
	} else if (!strcmp(line, "colors")) {
		cmd_colors();
	} else if (!strcmp(line, "echo")) {
		printf("%s\n", arg);
	} else if (!strcmp(line, "disk")) {
		cmd_disk(arg);
	} else if (!strcmp(line, "bench")) {
		cmd_bench(arg);
	} else if (!strcmp(line, "exit")) {
		const char *end;
		long code = strtol(arg, &end, 0);

		if (end == arg)
			code = 0;
		printf("bye (%ld)\n", code);
		exit((int)(code & 0xff));
	} else {
		printf("%s: unknown command (try help)\n", line);
	}
}

int main(const char *cmdline)
{
	static char line[LINE_MAX + 1];

	char want[8];

	(void)cmdline;
	irq_init();
	if (cmdline_get("irq", want, sizeof(want)) && !strcmp(want, "ioapic") &&
	    irq_use_ioapic())
		printf("shell: no local APIC, staying with the 8259s\n");
	con_set_attr(0x07);
	con_clear();
	if (kbd_init()) {
		printf("shell: no 8042 keyboard controller\n");
		return 1;
	}
	con_set_attr(0x1f);
	printf("vmm shell on %s screen, %s disk, %s. Type help.\n",
	       screen_driver()->name, blkdev_get() ? blkdev_get()->name : "no",
	       irq_controller());
	con_set_attr(0x07);
	for (;;) {
		con_set_attr(0x0e);
		printf(PROMPT);
		con_set_attr(0x07);
		screen_flush();
		read_line(line);
		serial_printf("%s\n", line);
		remember(line);
		run(line);
	}
}
