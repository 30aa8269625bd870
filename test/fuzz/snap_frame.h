/* SPDX-License-Identifier: MIT */
/*
 * The framing the snapshot and incoming harnesses share: after the header,
 * sections {type u8, length u16, payload} until the input ends or names
 * the end section, each written with a valid checksum, so the decoders
 * behind the CRCs see arbitrary payloads.
 */
#ifndef FUZZ_SNAP_FRAME_H
#define FUZZ_SNAP_FRAME_H

#include "../../vmm/snapshot/internal.h"
#include "fuzz.h"

static inline void fuzz_snap_sections(struct in *in, struct snap_writer *w)
{
	while (in->n) {
		uint32_t type = (uint32_t)take(in, 1) % (SNAP_TYPES + 1);
		size_t n = (size_t)take(in, 2);

		if (n > in->n)
			n = in->n;
		if (type == SNAP_END)
			break;
		snap_section(w, type, in->p, n);
		in->p += n;
		in->n -= n;
	}
}

#endif
