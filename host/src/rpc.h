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

#include "frame.h"
#include "uk_setup.h"

struct uk_ctx;
struct uk_reply;

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
	struct uk_reply *reply;	/* where blobs go (uk_call_add_base64) */
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

/*
 * Adds member key to obj: a string, the base64 of the spans taken as one
 * byte string, written to the browser straight from the spans when the
 * response is sent — big results (an attached PKCS#7 of a 20 MiB document)
 * are never copied into a response text.  The spans must stay valid until
 * then: they may point into the request (uk_param_base64_take) or into
 * owned (malloc'd, may be NULL), which the response frees — also on
 * failure.  Returns 0 or UK_ERR_ALLOC_FAIL.
 */
int uk_call_add_base64(struct uk_call *call, cJSON *obj, const char *key,
    const struct uk_span *spans, size_t n, void *owned) UK_WUR;

/* Finds a registered method, or NULL. */
const struct uk_method *uk_rpc_find(const char *name);

/*
 * Handles one request text.  req is the caller's and must stay as it is
 * until the reply is freed: long values are parsed in place and a result
 * may be sent straight from them.  Always produces a reply (a result or an
 * error); returns 0, or UK_ERR_ALLOC_FAIL when not even an error could be
 * built.  Long plain string values of the result (UK_JSON_LIFT_MIN bytes
 * or more) are sent from where they are, like uk_call_add_base64's.
 */
int uk_rpc_handle(struct uk_ctx *ctx, char *req, size_t len,
    struct uk_reply **replyp) UK_WUR;

/* The request id of a reply (-1 when none), and the parts to send. */
int64_t uk_reply_id(const struct uk_reply *rp);
const struct uk_part *uk_reply_parts(const struct uk_reply *rp, size_t *np);
/* The whole response as one malloc'd string (tests, fuzzing). */
char *uk_reply_text(const struct uk_reply *rp);
void uk_reply_free(struct uk_reply *rp);

/* Serialized error response for a failure outside any request (framing):
 * id < 0 gives "id": null.  Caller frees; NULL when out of memory. */
char *uk_rpc_error_text(int64_t id, int code, const char *detail);

#endif /* UK_RPC_H */
