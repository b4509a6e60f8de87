/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Shared by the protocol handlers of enroll.c, seal.c and unlock.c.
 */
#ifndef UK_ENROLL_INT_H
#define UK_ENROLL_INT_H

#include "enroll.h"
#include "rpc.h"

/*
 * The logged-in R/W session of the call's token (via uk_token_raw) and
 * the enroll settings (loaded once per process, owned by ctx->enroll).
 * The first time a token is used in this process, an unfinished journal
 * on it is recovered first (enroll.recover's work).  Returns 0 or an
 * error already decorated for the call.
 */
int uk_enroll_open(struct uk_call *call, const char *token,
    struct uk_p11 *p, const struct uk_enroll_cfg **ecp) UK_WUR;

/* A session without login (public objects only: journal, seals, flags),
 * for the read methods.  No automatic recovery. */
int uk_enroll_open_ro(struct uk_call *call, const char *token,
    struct uk_p11 *p, const struct uk_enroll_cfg **ecp) UK_WUR;

/* Settings only (no token). */
int uk_enroll_settings(struct uk_call *call,
    const struct uk_enroll_cfg **ecp) UK_WUR;

/* Reads the journal and checks the call's "transaction" matches it. */
int uk_enroll_journal_for(struct uk_call *call, const struct uk_p11 *p,
    const char *txn, struct uk_journal *j) UK_WUR;

/* Unlock state kept per process (unlock.c); freed by the enroll fini. */
struct uk_unlock_pending;
void uk_unlock_pending_free(struct uk_unlock_pending *u);

struct uk_enroll_state {
	struct uk_enroll_cfg cfg;
	int cfg_loaded;
	char **recovered;	/* token handles already recovered */
	size_t nrecovered;
	struct uk_unlock_pending *unlock;	/* list */
};

/* ctx->enroll, created on first use; NULL when out of memory. */
struct uk_enroll_state *uk_enroll_state(struct uk_ctx *ctx);

#endif /* UK_ENROLL_INT_H */
