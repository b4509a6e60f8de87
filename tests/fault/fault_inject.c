/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Linked only into ukeylink-host-fault, the test build of the host (the
 * same main.c and libukeylink).  UKEYLINK_FAULT selects the crash point:
 *   step:<name>   _exit(42) right after the journal records step <name>
 *                 (host/doc/enroll.md lists them; "done" = journal removed)
 *   write:<N>     _exit(42) right before the Nth PKCS#11 write of the
 *                 enroll, seal and unlock modules in this process
 * The shipped host has no such code: uk_fault_hook stays NULL there.
 */
#include "uk_setup.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

#ifndef UK_FAULT_INJECTION
#error "fault_inject.c belongs to the test build only"
#endif

static const char *want_step;
static unsigned long want_write;

static void
hook(const char *kind, const char *name, unsigned long n)
{
	if ((want_write != 0 && strcmp(kind, "write") == 0 &&
	    n == want_write) ||
	    (want_step != NULL && strcmp(kind, "step") == 0 &&
	    strcmp(name, want_step) == 0))
		_exit(42);
}

static void __attribute__((constructor))
fault_init(void)
{
	const char *v = getenv("UKEYLINK_FAULT");
	char *end;

	if (v == NULL)
		return;
	if (strncmp(v, "step:", 5) == 0 && v[5] != '\0')
		want_step = v + 5;
	else if (strncmp(v, "write:", 6) == 0 && v[6] >= '1' && v[6] <= '9') {
		want_write = strtoul(v + 6, &end, 10);
		if (*end != '\0')
			want_write = 0;
	}
	if (want_step != NULL || want_write != 0)
		uk_fault_hook = hook;
}
