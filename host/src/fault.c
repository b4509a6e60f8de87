/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stddef.h>

#include "fault.h"

uk_fault_fn uk_fault_hook = NULL;
static unsigned long writes;

void
uk_fault_write(void)
{
	writes++;
	if (uk_fault_hook != NULL)
		uk_fault_hook("write", NULL, writes);
}

void
uk_fault_step(const char *name)
{
	if (uk_fault_hook != NULL)
		uk_fault_hook("step", name, 0);
}
