/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Requests and responses (host/doc/protocol.md).
 *
 * A request is validated here (members, types, origin syntax, method known,
 * capability granted) before any handler sees it.  Handlers get a uk_call:
 * they read call->params through json.h's getters, put their result object
 * in call->result, and return 0 or an error code; uk_call_fail() adds a
 * technical detail (never a secret) and uk_call_errinfo() extra members of
 * the error object (e.g. retriesLeft).
 */
#ifndef UK_RPC_H
#define UK_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"

struct uk_ctx;

#define UK_METHOD_NAME_MAX	64
#define UK_DETAIL_MAX		256

struct uk_call {
	struct uk_ctx *ctx;
	int64_t id;
	const char *method;
	const cJSON *params;	/* an object, never NULL */
	const char *origin;
	unsigned caps;		/* capabilities of origin */
	cJSON *result;		/* set by the handler; NULL means {} */
	cJSON *errinfo;		/* extra error members; see uk_call_errinfo */
	char detail[UK_DETAIL_MAX];
	char why[160];		/* filled by json.h getters */
};

typedef int (*uk_method_fn)(struct uk_call *call);

struct uk_method {
	const char *name;	/* "area.name" */
	uk_method_fn fn;
	unsigned cap;		/* enum uk_cap bit needed; 0 = none */
	const char *summary;	/* one line for --help and capabilities */
};

/* Returns code after writing a printf-style detail into call->detail. */
int uk_call_fail(struct uk_call *call, int code, const char *fmt, ...)
    UK_PRINTF(3, 4);
/* Returns UK_ERR_INVALID_PARAM with call->why (set by a getter) as detail. */
int uk_call_bad_param(struct uk_call *call);
/* Object for extra members of the error response (created on first use);
 * NULL when out of memory. */
cJSON *uk_call_errinfo(struct uk_call *call);
/* The result object (created on first use); NULL when out of memory. */
cJSON *uk_call_result(struct uk_call *call);

/* Finds a registered method, or NULL. */
const struct uk_method *uk_rpc_find(const char *name);

/*
 * Handles one request text.  Always produces a response text: *outp is a
 * malloc'd string (caller frees) with *idp the request id (-1 when none).
 * Returns 0, or UK_ERR_ALLOC_FAIL when not even an error could be built.
 */
int uk_rpc_handle(struct uk_ctx *ctx, const char *req, size_t len,
    char **outp, int64_t *idp) UK_WUR;

/* Serialized error response for a failure outside any request (framing):
 * id < 0 gives "id": null.  Caller frees; NULL when out of memory. */
char *uk_rpc_error_text(int64_t id, int code, const char *detail);

#endif /* UK_RPC_H */
