// SPDX-License-Identifier: MIT
/* A small vsnprintf: %d %i %u %x %X %p %s %c %%, width, 0 and - flags, l/ll. */
#include "screen.h"
#include "sdk.h"

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned int base, bool upper,
		    bool neg, int width, char pad, bool left)
{
	char tmp[24];
	int i = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		uint64_t r;

		v = udivmod64(v, base, &r);
		tmp[i++] = digits[r];
	} while (v);
	int len = i + (neg ? 1 : 0);

	if (neg && pad == '0')
		put(o, '-');
	if (!left)
		for (; width > len; width--)
			put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (i)
		put(o, tmp[--i]);
	for (; width > len; width--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		int width = 0, lng = 0;

		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		if (left)
			pad = ' ';
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng > 1 ? va_arg(ap, long long) :
				    lng ? va_arg(ap, long) : va_arg(ap, int);

			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false,
				v < 0, width, pad, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng > 1 ? va_arg(ap, unsigned long long) :
				     lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);

			put_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false,
				width, pad, left);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false,
				8, '0', false);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = (int)strlen(s ? s : "(null)");

			if (!s)
				s = "(null)";
			if (!left)
				for (; width > len; width--)
					put(&o, ' ');
			while (*s)
				put(&o, *s++);
			for (; width > len; width--)
				put(&o, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (n)
		o.buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);

	va_end(ap);
	return r;
}

/* Formats into a line buffer, then to serial and, if asked, to the screen. */
static int emit(bool to_screen, const char *fmt, va_list ap)
{
	char buf[512];
	int r = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = (size_t)r < sizeof(buf) ? (size_t)r : sizeof(buf) - 1;

	serial_write(buf, len);
	if (to_screen) {
		con_write(buf, len);
		screen_flush();
	}
	return r;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = emit(true, fmt, ap);

	va_end(ap);
	return r;
}

int serial_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = emit(false, fmt, ap);

	va_end(ap);
	return r;
}
