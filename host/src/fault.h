/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Crash points for the renewal fault-injection tests.
 *
 * The shipped host never reads the environment for these: uk_fault_hook is
 * NULL in libukeylink.  Only the test executable ukeylink-host-fault
 * (tests/fault/fault_inject.c, linked around the same library) installs a
 * hook that reads UKEYLINK_FAULT and _exit()s the process at the named step
 * ("step:<name>") or before the Nth PKCS#11 write ("write:<N>", counted from
 * 1 over the whole process).  Every token write of the enroll, seal and
 * unlock modules goes through uk_fault_write(); every journal step through
 * uk_fault_step().
 */
#ifndef UK_FAULT_H
#define UK_FAULT_H

/* kind: "step" or "write"; name: step name (NULL for writes); n: the write
 * index (1-based) or 0 for steps. */
typedef void (*uk_fault_fn)(const char *kind, const char *name,
    unsigned long n);

extern uk_fault_fn uk_fault_hook;

/* Called right before a PKCS#11 call that changes the token. */
void uk_fault_write(void);
/* Called after the journal records step name (and before the work of the
 * next step starts). */
void uk_fault_step(const char *name);

#endif /* UK_FAULT_H */
