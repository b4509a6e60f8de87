/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* Internal to se*.c: the method table and the helpers its handlers share. */
#ifndef UK_SE_INT_H
#define UK_SE_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"
#include "token.h"

struct uk_call;
struct uk_ctx;
struct uk_x509;
struct uk_pin_state;

struct uk_se_state {
	char token[UK_TOKEN_HANDLE_MAX];	/* session token; "" = none */
	int revocation;				/* SEH_SetConfiguration(1) */
};

struct se_method;

/* One SafeEngine call in progress. */
struct se_call {
	struct uk_call *call;
	struct uk_se_state *st;
	const struct se_method *m;
	const cJSON *args;	/* array or NULL */
	int nargs;
	int sm;			/* ESE_ flavour: SM2/SM3 defaults */
	cJSON *value;		/* result value (owned until handed over) */
	char numtext[8][32];	/* numbers passed where text is expected */
};

typedef int (*se_fn)(struct se_call *sc);

struct se_method {
	const char *name;	/* without the SEH_/ESE_ prefix */
	se_fn fn;
	int min_args, max_args;
	unsigned cap;		/* enum uk_cap bit */
	int uses_session;	/* async form: session args may log in */
};

/* The table (se_methods.c), ending with a NULL name. */
extern const struct se_method se_methods[];

int se_state(struct uk_ctx *ctx, struct uk_se_state **stp) UK_WUR;
const struct se_method *se_find(const char *name);
const cJSON *se_arg(const struct se_call *sc, int i);
/* Argument i as text (numbers converted); "" when absent or null. */
int se_str(struct se_call *sc, int i, size_t maxlen, const char **sp) UK_WUR;
/* Argument i as an integer in [min, max]; see se.c for accepted forms. */
int se_int(struct se_call *sc, int i, long min, long max, int hex_default,
    long *vp) UK_WUR;
/* Argument i as a certificate (caller frees with uk_x509_free). */
int se_cert(struct se_call *sc, int i, struct uk_x509 **certp) UK_WUR;
int se_value_str(struct se_call *sc, const char *s) UK_WUR;
int se_value_b64(struct se_call *sc, const unsigned char *p,
    size_t len) UK_WUR;
int se_pick_token(struct se_call *sc, const char *devparam, char *hbuf,
    size_t hlen) UK_WUR;
int se_open_session(struct se_call *sc, const char *devparam,
    const char *pin) UK_WUR;
int se_session_token(struct se_call *sc, const char **tokenp) UK_WUR;
void se_pin_errinfo(struct se_call *sc, const struct uk_pin_state *st);

/* se.snapshot (se_snapshot.c). */
int se_snapshot(struct uk_call *call) UK_WUR;
/* The SafeEngine device view: {pluggedTypeList, devices:[…]} from PC/SC,
 * or from the PKCS#11 tokens when no reader reports a card (SoftHSM). */
int se_devices(struct uk_ctx *ctx, cJSON **resultp) UK_WUR;

#endif /* UK_SE_INT_H */
