// SPDX-License-Identifier: MIT
/*
 * What gcc -m32 calls instead of inlining: 64-bit division and modulo,
 * and the bit-counting builtins on 64-bit values.  Guests link no libgcc
 * (there is no 32-bit one without multilib), so the SDK provides them.
 * A divisor of 0 raises #DE, as the CPU's own divide does.
 */
#include <stdint.h>

#include "sdk.h"

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t a, int64_t b);
int64_t __moddi3(int64_t a, int64_t b);
int __popcountsi2(uint32_t x);
int __popcountdi2(uint64_t x);
int __clzdi2(uint64_t x);
int __ctzdi2(uint64_t x);
int __ffsdi2(uint64_t x);
int __clrsbdi2(int64_t x);

/* edx:eax / d with edx < d: one divl, quotient and remainder. */
static inline uint32_t divl(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *r)
{
	uint32_t q;

	__asm__("divl %4" : "=a"(q), "=d"(*r) : "a"(lo), "d"(hi), "rm"(d));
	return q;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;

	if (d >> 32 == 0) {
		/* long division by a 32-bit digit: high word, then low word */
		uint32_t r, qhi = divl(0, (uint32_t)(n >> 32), (uint32_t)d, &r);
		uint32_t qlo = divl(r, (uint32_t)n, (uint32_t)d, &r);

		if (rem)
			*rem = r;
		return (uint64_t)qhi << 32 | qlo;
	}
	if (n >= d) {
		/* the quotient fits 32 bits: shift and subtract from the top */
		int s = __builtin_clzll(d) - __builtin_clzll(n);

		for (d <<= s; s >= 0; s--, d >>= 1) {
			q <<= 1;
			if (n >= d) {
				n -= d;
				q |= 1;
			}
		}
	}
	if (rem)
		*rem = n;
	return q;
}

uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	return __udivmoddi4(n, d, rem);
}

/* Truncating, as C: the quotient's sign from both, the remainder's from a. */
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem)
{
	uint64_t ua = a < 0 ? -(uint64_t)a : (uint64_t)a;
	uint64_t ub = b < 0 ? -(uint64_t)b : (uint64_t)b;
	uint64_t r, q = __udivmoddi4(ua, ub, &r);

	if (rem)
		*rem = (int64_t)(a < 0 ? -r : r);
	return (int64_t)((a < 0) != (b < 0) ? -q : q);
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t a, int64_t b)
{
	return __divmoddi4(a, b, NULL);
}

int64_t __moddi3(int64_t a, int64_t b)
{
	int64_t r;

	__divmoddi4(a, b, &r);
	return r;
}

int __popcountsi2(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (int)((x * 0x01010101u) >> 24);
}

int __popcountdi2(uint64_t x)
{
	return __popcountsi2((uint32_t)x) + __popcountsi2((uint32_t)(x >> 32));
}

/* Undefined for 0, as the builtins are; the 32-bit builtins are inline (bsr/bsf). */
int __clzdi2(uint64_t x)
{
	uint32_t hi = (uint32_t)(x >> 32);

	return hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint32_t)x);
}

int __ctzdi2(uint64_t x)
{
	uint32_t lo = (uint32_t)x;

	return lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((uint32_t)(x >> 32));
}

int __ffsdi2(uint64_t x)
{
	return x ? __ctzdi2(x) + 1 : 0;
}

/* Leading bits equal to the sign bit, not counting the sign bit itself. */
int __clrsbdi2(int64_t x)
{
	uint64_t u = x < 0 ? ~(uint64_t)x : (uint64_t)x;

	return u ? __clzdi2(u) - 1 : 63;
}
