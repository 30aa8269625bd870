/* SPDX-License-Identifier: MIT */
#ifndef TUI_CP437_H
#define TUI_CP437_H

#include <stddef.h>
#include <stdint.h>

/* The Unicode code point IBM's code page 437 draws for each byte. */
extern const uint16_t cp437_unicode[256];
/* The closest plain ASCII character, for terminals without UTF-8. */
extern const char cp437_ascii[256];
/* Writes the UTF-8 form of code point cp to out (4 bytes room); returns its length. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
