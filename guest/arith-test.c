// SPDX-License-Identifier: MIT
/*
 * arith-test: 64-bit arithmetic on a 32-bit guest.  Each case computes
 * division, modulo, multiplication, shifts and bit counts twice: at run
 * time through volatile operands (so gcc calls the SDK's __udivdi3 and
 * friends) and at compile time (gcc folds the constants itself), and
 * compares.  Prints "arith-test: N checks, M failed"; exits with M.
 */
#include "sdk/sdk.h"

static int checks, failed;

static void check(const char *what, uint64_t got, uint64_t want)
{
	checks++;
	if (got == want)
		return;
	failed++;
	printf("FAIL %s: got %llx, want %llx\n", what, (unsigned long long)got,
	       (unsigned long long)want);
}

/* a and b are constants: the right-hand sides fold at compile time. */
#define CASE(a, b) do {							\
	volatile uint64_t ua = (a), ub = (b);				\
	volatile int64_t sa = (int64_t)(a), sb = (int64_t)(b);		\
	volatile unsigned int sh = (unsigned int)((b) & 63);		\
	uint64_t r;							\
	check(#a " / " #b, ua / ub, (uint64_t)(a) / (uint64_t)(b));	\
	check(#a " % " #b, ua % ub, (uint64_t)(a) % (uint64_t)(b));	\
	check(#a " /s " #b, (uint64_t)(sa / sb),			\
	      (uint64_t)((int64_t)(a) / (int64_t)(b)));			\
	check(#a " %s " #b, (uint64_t)(sa % sb),			\
	      (uint64_t)((int64_t)(a) % (int64_t)(b)));			\
	check(#a " divmod " #b, udivmod64(ua, ub, &r) ^ r,		\
	      ((uint64_t)(a) / (uint64_t)(b)) ^ ((uint64_t)(a) % (uint64_t)(b))); \
	check(#a " * " #b, ua * ub, (uint64_t)(a) * (uint64_t)(b));	\
	check(#a " << " #b, ua << sh, (uint64_t)(a) << ((b) & 63));	\
	check(#a " >> " #b, ua >> sh, (uint64_t)(a) >> ((b) & 63));	\
	check(#a " >>s " #b, (uint64_t)(sa >> sh),			\
	      (uint64_t)((int64_t)(a) >> ((b) & 63)));			\
	check(#a " popcount", (uint64_t)__builtin_popcountll(ua),	\
	      (uint64_t)__builtin_popcountll(a));			\
	check(#a " ffs", (uint64_t)__builtin_ffsll((int64_t)ua),	\
	      (uint64_t)__builtin_ffsll((int64_t)(a)));			\
	check(#a " clrsb", (uint64_t)__builtin_clrsbll(sa),		\
	      (uint64_t)__builtin_clrsbll((int64_t)(a)));		\
	if ((a) != 0) {							\
		check(#a " ctz", (uint64_t)__builtin_ctzll(ua),		\
		      (uint64_t)__builtin_ctzll(a));			\
		check(#a " clz", (uint64_t)__builtin_clzll(ua),		\
		      (uint64_t)__builtin_clzll(a));			\
	}								\
} while (0)

int main(const char *cmdline)
{
	CASE(0, 1);
	CASE(1, 1);
	CASE(100, 7);
	CASE(1000000000000ull, 10);
	CASE(0xffffffffffffffffull, 1);
	CASE(0xffffffffffffffffull, 0xffffffffull);
	CASE(0xffffffffffffffffull, 0x100000000ull);
	CASE(0xffffffffffffffffull, 0xfffffffffffffffeull);
	CASE(0x123456789abcdef0ull, 0x1234567ull);
	CASE(0x123456789abcdef0ull, 0x987654321ull);
	CASE(0x8000000000000000ull, 3);
	CASE(0x8000000000000000ull, 0x8000000000000001ull);
	CASE(0x7fffffffffffffffull, 0x7fffffffffffffffull);
	CASE(-1000000000007ll, 13);
	CASE(-1000000000007ll, -13);
	CASE(1000000000007ll, -0x10000000000ll);
	CASE(-5, 0x100000000ll);
	CASE(0xdeadbeef00000000ull, 0xdeadbeef00000001ull);
	CASE(0x00000001ffffffffull, 0x0000000100000000ull);
	CASE(0x1000000000000ull, 0x40);
	printf("arith-test: %d checks, %d failed\n", checks, failed);
	return failed;
}
