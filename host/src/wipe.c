/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>

#include "wipe.h"

void
uk_wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
	memset(p, 0, len);
	/* The empty asm with a memory clobber keeps the memset alive. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void
uk_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	uk_wipe(p, len);
	free(p);
}

void
uk_strfreezero(char *s)
{
	if (s == NULL)
		return;
	uk_freezero(s, strlen(s));
}

int
uk_timingsafe_bcmp(const void *a, const void *b, size_t len)
{
	const unsigned char *pa = a, *pb = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return diff != 0;
}
