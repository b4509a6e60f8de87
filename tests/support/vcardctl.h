/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Test and benchmark support for the reader tests: drives the virtual card
 * program (tests/vcard, --control mode) and waits for host events.  Only
 * meaningful inside tests/vcard/vcard-env.sh (a private pcscd + vpcd).
 */
#ifndef UK_VCARDCTL_H
#define UK_VCARDCTL_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "hostproc.h"

struct uk_vcard {
	pid_t pid;
	int to, from;	/* its stdin (commands), its stdout (answers) */
};

/* CLOCK_MONOTONIC in nanoseconds. */
long long uk_now_ns(void);

/* Starts the card program (card not inserted yet) on the NSS database
 * dir/nssdb (made by tests/vcard/make-card.sh) and vpcd port; tries: PIN
 * tries (0 = default).  Returns 0 or -1. */
int uk_vcard_start(struct uk_vcard *vc, const char *dir, int port, int tries);
/* Inserts / removes the card.  Returns the CLOCK_MONOTONIC ns at which the
 * TCP connect / close happened, or -1. */
long long uk_vcard_insert(struct uk_vcard *vc);
long long uk_vcard_remove(struct uk_vcard *vc);
/* Ends the card program (pulls the card). */
void uk_vcard_stop(struct uk_vcard *vc);

/* Environment of vcard-env.sh: the card's data dir (UK_VCARD_DIR), the
 * vpcd port and reader name.  NULL / 0 when unset. */
const char *uk_vcard_dir(void);
int uk_vcard_port(void);
const char *uk_vcard_reader(void);
/* Runs "$UK_PCSCD_CTL stop|start"; returns its exit status. */
int uk_pcscd_ctl(const char *what);

/*
 * Waits for event name (and reader, when not NULL).  Events already in
 * *pendingp (an array, created when NULL; e.g. collected by
 * uk_hostproc_response) are looked at first; other events read meanwhile
 * are appended to it.  Returns the event (caller deletes) with *atp the
 * arrival time (uk_now_ns, 0 when it came from pending), or NULL on
 * timeout.
 */
cJSON *uk_wait_event(struct uk_hostproc *hp, cJSON **pendingp,
    const char *name, const char *reader, int timeout_ms, long long *atp);

#endif /* UK_VCARDCTL_H */
