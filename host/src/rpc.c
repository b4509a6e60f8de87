/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "frame.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "platform.h"
#include "policy.h"
#include "rpc.h"

#define UK_ORIGIN_MAX	300
#define UK_REPLY_BLOBS_MAX	8
#define UK_MARK_MAX	48

/*
 * A response ready to send.  Big string values are not in the text: each
 * left a unique mark there and travels as a part of its own, written from
 * where it lies (the request text, a DER buffer, the result tree).
 */
struct uk_reply {
	int64_t id;
	cJSON *request;		/* results may borrow from the request */
	cJSON *resp;
	char *text;		/* the rest, printed by cJSON */
	struct uk_part parts[2 * UK_REPLY_BLOBS_MAX + 1];
	size_t nparts;
	struct {
		struct uk_part part;
		void *owned;	/* free()d with the reply */
		char *lifted;	/* a cJSON string taken from its node */
		size_t at;	/* offset of the mark in text */
		char mark[UK_MARK_MAX];
	} blob[UK_REPLY_BLOBS_MAX];
	size_t nblobs;
};

int
uk_call_fail(struct uk_call *call, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->detail, sizeof(call->detail), fmt, ap);
	va_end(ap);
	return code;
}

int
uk_call_bad_param(struct uk_call *call)
{
	snprintf(call->detail, sizeof(call->detail), "%s", call->why);
	return UK_ERR_INVALID_PARAM;
}

cJSON *
uk_call_errinfo(struct uk_call *call)
{
	if (call->errinfo == NULL)
		call->errinfo = cJSON_CreateObject();
	return call->errinfo;
}

cJSON *
uk_call_result(struct uk_call *call)
{
	if (call->result == NULL)
		call->result = cJSON_CreateObject();
	return call->result;
}

/* A per-process secret in the marks: a page cannot forge one. */
static const char *
mark_nonce(void)
{
	static char nonce[17];
	uint64_t v = 0;

	if (nonce[0] == '\0') {
		if (uk_platform_random(&v, sizeof(v)) != 0)
			v = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&v;
		snprintf(nonce, sizeof(nonce), "%016" PRIx64, v);
	}
	return nonce;
}

/* Registers a blob and returns its mark, which stands in the response
 * text for it until the reply is printed.  Needs a free blob slot. */
static char *
new_blob(struct uk_reply *rp, const struct uk_part *part, void *owned,
    char *lifted)
{
	size_t i = rp->nblobs++;

	snprintf(rp->blob[i].mark, UK_MARK_MAX, "\001ukblob-%s-%zu",
	    mark_nonce(), i);
	rp->blob[i].part = *part;
	rp->blob[i].owned = owned;
	rp->blob[i].lifted = lifted;
	return rp->blob[i].mark;
}

/* A member node for a new blob; NULL (nothing registered) when out of
 * memory. */
static cJSON *
add_mark(struct uk_reply *rp, const struct uk_part *part, void *owned)
{
	cJSON *node;

	if ((node = cJSON_CreateStringReference(new_blob(rp, part, owned,
	    NULL))) == NULL)
		rp->nblobs--;
	return node;
}

int
uk_call_add_base64(struct uk_call *call, cJSON *obj, const char *key,
    const struct uk_span *spans, size_t n, void *owned)
{
	struct uk_part part = { .kind = UK_PART_BASE64 };
	unsigned char *flat = NULL;
	cJSON *node;
	size_t i, len = 0;
	int r = UK_ERR_ALLOC_FAIL;

	if (n > UK_PART_SPANS)
		goto out;
	for (i = 0; i < n; i++) {
		part.span[i] = spans[i];
		len += spans[i].len;
	}
	part.nspan = n;
	if (call->reply != NULL && call->reply->nblobs < UK_REPLY_BLOBS_MAX) {
		if ((node = add_mark(call->reply, &part, owned)) == NULL)
			goto out;
		if (!cJSON_AddItemToObject(obj, key, node)) {
			call->reply->nblobs--;
			cJSON_Delete(node);
			goto out;
		}
		return 0;	/* owned is the reply's now */
	}
	/* No room for another blob: an ordinary string. */
	if ((flat = malloc(len + 1)) == NULL)
		goto out;
	for (len = 0, i = 0; i < n; i++) {
		memcpy(flat + len, spans[i].p, spans[i].len);
		len += spans[i].len;
	}
	r = uk_json_add_base64(obj, key, flat, len);
	free(flat);
 out:
	free(owned);
	return r;
}

/* Takes the long plain strings of the result out of the text. */
static int
lift_strings(struct uk_reply *rp, cJSON *node)
{
	struct uk_part part = { .kind = UK_PART_PLAIN, .nspan = 1 };
	size_t len;
	char *saved;
	int r;

	for (; node != NULL && rp->nblobs < UK_REPLY_BLOBS_MAX;
	    node = node->next) {
		if (node->child != NULL &&
		    (r = lift_strings(rp, node->child)) != 0)
			return r;
		if (!cJSON_IsString(node) || node->valuestring == NULL ||
		    (len = strlen(node->valuestring)) < UK_JSON_LIFT_MIN ||
		    !uk_json_plain(node->valuestring, len))
			continue;
		part.span[0].p = node->valuestring;
		part.span[0].len = len;
		saved = (node->type & cJSON_IsReference) ? NULL :
		    node->valuestring;
		node->valuestring = new_blob(rp, &part, NULL, saved);
		node->type |= cJSON_IsReference;
	}
	return 0;
}

/* Finds the printed marks and cuts the text into parts around them. */
static int
cut_text(struct uk_reply *rp)
{
	char printed[UK_MARK_MAX + 8];
	const char *p, *second;
	size_t i, j, at, from = 0, marklen[UK_REPLY_BLOBS_MAX];
	size_t order[UK_REPLY_BLOBS_MAX], tmp;

	for (i = 0; i < rp->nblobs; i++) {
		/* cJSON prints the mark's \001 as \u0001; the quote that
		 * follows makes "-1" differ from "-10". */
		snprintf(printed, sizeof(printed), "\\u0001%s\"",
		    rp->blob[i].mark + 1);
		if ((p = strstr(rp->text, printed)) == NULL ||
		    ((second = strstr(p + 1, printed)) != NULL))
			return UK_ERR_INTERNAL;
		rp->blob[i].at = (size_t)(p - rp->text);
		marklen[i] = strlen(printed) - 1;
		order[i] = i;
	}
	for (i = 1; i < rp->nblobs; i++)
		for (j = i; j > 0 && rp->blob[order[j - 1]].at >
		    rp->blob[order[j]].at; j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	rp->nparts = 0;
	for (i = 0; i < rp->nblobs; i++) {
		at = rp->blob[order[i]].at;
		rp->parts[rp->nparts++] = (struct uk_part){ .kind =
		    UK_PART_TEXT, .span = { { rp->text + from, at - from } },
		    .nspan = 1 };
		rp->parts[rp->nparts++] = rp->blob[order[i]].part;
		from = at + marklen[order[i]];
	}
	rp->parts[rp->nparts++] = (struct uk_part){ .kind = UK_PART_TEXT,
	    .span = { { rp->text + from, strlen(rp->text) - from } },
	    .nspan = 1 };
	return 0;
}

/* Frees what the blobs own (a reply freed, or a response that will not
 * carry them). */
static void
drop_blobs(struct uk_reply *rp)
{
	size_t i;

	for (i = 0; i < rp->nblobs; i++) {
		free(rp->blob[i].owned);
		if (rp->blob[i].lifted != NULL)
			cJSON_free(rp->blob[i].lifted);
	}
	rp->nblobs = 0;
}

void
uk_reply_free(struct uk_reply *rp)
{
	if (rp == NULL)
		return;
	drop_blobs(rp);
	cJSON_Delete(rp->resp);
	cJSON_Delete(rp->request);
	cJSON_free(rp->text);
	free(rp);
}

int64_t
uk_reply_id(const struct uk_reply *rp)
{
	return rp->id;
}

const struct uk_part *
uk_reply_parts(const struct uk_reply *rp, size_t *np)
{
	*np = rp->nparts;
	return rp->parts;
}

char *
uk_reply_text(const struct uk_reply *rp)
{
	size_t i, len = 0;
	char *s;

	for (i = 0; i < rp->nparts; i++)
		len += uk_part_len(&rp->parts[i]);
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	for (len = 0, i = 0; i < rp->nparts; i++) {
		uk_part_copy(&rp->parts[i], s + len);
		len += uk_part_len(&rp->parts[i]);
	}
	s[len] = '\0';
	return s;
}

const struct uk_method *
uk_rpc_find(const char *name)
{
	const struct uk_method *m;
	size_t i;

	for (i = 0; uk_modules[i] != NULL; i++)
		for (m = uk_modules[i]->methods; m != NULL && m->name != NULL;
		    m++)
			if (strcmp(m->name, name) == 0)
				return m;
	return NULL;
}

static cJSON *
error_object(int code, const char *detail, cJSON *extra)
{
	cJSON *e, *m, *next;

	if ((e = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(e, "code", code) == NULL ||
	    cJSON_AddStringToObject(e, "name", uk_err_name(code)) == NULL ||
	    cJSON_AddStringToObject(e, "message", uk_err_zh(code)) == NULL ||
	    cJSON_AddStringToObject(e, "message_en", uk_err_en(code)) == NULL ||
	    (detail != NULL && detail[0] != '\0' &&
	    cJSON_AddStringToObject(e, "detail", detail) == NULL)) {
		cJSON_Delete(e);
		return NULL;
	}
	/* Extra members may not replace the fixed ones. */
	for (m = extra != NULL ? extra->child : NULL; m != NULL; m = next) {
		next = m->next;
		if (cJSON_GetObjectItemCaseSensitive(e, m->string) != NULL)
			continue;
		cJSON_AddItemToObject(e, m->string,
		    cJSON_DetachItemViaPointer(extra, m));
	}
	return e;
}

/* The response tree: {"id":…,"result":…} or {"id":…,"error":…}. */
static cJSON *
response_tree(int64_t id, cJSON *result, int code, const char *detail,
    cJSON *extra)
{
	cJSON *resp, *e;

	if ((resp = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(result);
		return NULL;
	}
	if ((id >= 0 ? uk_json_add_int(resp, "id", id) :
	    cJSON_AddNullToObject(resp, "id")) == NULL) {
		cJSON_Delete(result);
		goto fail;
	}
	if (code == 0) {
		if (result == NULL && (result = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToObject(resp, "result", result);
	} else {
		if ((e = error_object(code, detail, extra)) == NULL)
			goto fail;
		cJSON_AddItemToObject(resp, "error", e);
	}
	return resp;
 fail:
	cJSON_Delete(resp);
	return NULL;
}

static char *
response_text(int64_t id, cJSON *result, int code, const char *detail,
    cJSON *extra)
{
	cJSON *resp = response_tree(id, result, code, detail, extra);
	char *text;

	if (resp == NULL)
		return NULL;
	text = cJSON_PrintUnformatted(resp);
	cJSON_Delete(resp);
	return text;
}

char *
uk_rpc_error_text(int64_t id, int code, const char *detail)
{
	return response_text(id, NULL, code, detail, NULL);
}

/* Checks the envelope; fills call->id/method/params/origin. */
static int
parse_envelope(cJSON *root, struct uk_call *call)
{
	static const char *const members[] = { "id", "method", "params",
	    "origin", NULL };
	const cJSON *params;
	int r;

	if (!cJSON_IsObject(root))
		return uk_call_fail(call, UK_ERR_BAD_REQUEST,
		    "request must be a JSON object");
	/* The id first, so that later errors can carry it. */
	if ((r = uk_param_int(root, "id", 1, 0, 9007199254740991LL, -1,
	    &call->id, call->why, sizeof(call->why))) != 0) {
		call->id = -1;
		return uk_call_fail(call, UK_ERR_BAD_REQUEST, "%s", call->why);
	}
	if (uk_json_only_members(root, members, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(root, "method", 1, UK_METHOD_NAME_MAX,
	    &call->method, call->why, sizeof(call->why)) != 0 ||
	    uk_param_string(root, "origin", 1, UK_ORIGIN_MAX, &call->origin,
	    call->why, sizeof(call->why)) != 0)
		return uk_call_fail(call, UK_ERR_BAD_REQUEST, "%s", call->why);
	params = cJSON_GetObjectItemCaseSensitive(root, "params");
	if (params != NULL && !cJSON_IsObject(params))
		return uk_call_fail(call, UK_ERR_BAD_REQUEST,
		    "'params': must be an object");
	call->params = params;
	if (uk_origin_valid(call->origin) != 0)
		return uk_call_fail(call, UK_ERR_BAD_REQUEST,
		    "'origin': not a serialized origin");
	return 0;
}

int
uk_rpc_handle(struct uk_ctx *ctx, char *req, size_t len,
    struct uk_reply **replyp)
{
	static cJSON empty_params = { .type = cJSON_Object };
	struct uk_call call;
	struct uk_reply *rp;
	const struct uk_method *m;
	cJSON *root = NULL;
	int r;

	*replyp = NULL;
	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	memset(&call, 0, sizeof(call));
	call.ctx = ctx;
	call.id = -1;
	call.reply = rp;
	if ((r = uk_json_parse_inplace(req, len, &root)) != 0) {
		snprintf(call.detail, sizeof(call.detail), "%s", uk_err_en(r));
		goto respond;
	}
	if ((r = parse_envelope(root, &call)) != 0)
		goto respond;
	/* A request that came in chunks answers to the chunks' id, the one
	 * its upload progress carried and its sender waits on. */
	if (ctx->chunks_id >= 0 && call.id != ctx->chunks_id) {
		int64_t inner = call.id;

		call.id = ctx->chunks_id;
		r = uk_call_fail(&call, UK_ERR_BAD_REQUEST, "request id %lld "
		    "is not the id %lld of its chunks", (long long)inner,
		    (long long)ctx->chunks_id);
		goto respond;
	}
	if (call.params == NULL)
		call.params = &empty_params;
	if ((m = uk_rpc_find(call.method)) == NULL) {
		r = uk_call_fail(&call, UK_ERR_UNKNOWN_METHOD, "'%s'",
		    call.method);
		goto respond;
	}
	call.caps = uk_policy_caps(ctx->cfg, call.origin);
	if (m->cap != 0 && (call.caps & m->cap) == 0) {
		r = uk_call_fail(&call, UK_ERR_ORIGIN_NOT_ALLOWED,
		    "%s needs the '%s' capability", m->name,
		    uk_cap_name(m->cap));
		goto respond;
	}
	ctx->current_id = call.id;
	r = m->fn(&call);
	ctx->current_id = -1;
 respond:
	/* A request from chunks that is not even JSON still answers to
	 * the id its sender waits on. */
	if (call.id < 0 && ctx->chunks_id >= 0)
		call.id = ctx->chunks_id;
	if (r != 0)
		uk_info("request %lld %s from %s: failed: %s (%d) %s",
		    (long long)call.id, call.method ? call.method : "-",
		    call.origin ? call.origin : "-", uk_err_name(r), r,
		    call.detail);
	else
		uk_debug("request %lld %s from %s: ok", (long long)call.id,
		    call.method, call.origin);
	rp->id = call.id;
	rp->request = root;
	if (r != 0) {
		drop_blobs(rp);
		cJSON_Delete(call.result);
		call.result = NULL;
	}
	rp->resp = response_tree(call.id, r == 0 ? call.result : NULL, r,
	    call.detail, call.errinfo);
	cJSON_Delete(call.errinfo);
	if (rp->resp == NULL || lift_strings(rp, rp->resp) != 0 ||
	    (rp->text = cJSON_PrintUnformatted(rp->resp)) == NULL ||
	    cut_text(rp) != 0) {
		/* Say so, at least, in a response without blobs. */
		uk_error("request %lld: cannot build the response",
		    (long long)call.id);
		drop_blobs(rp);
		cJSON_Delete(rp->resp);
		cJSON_free(rp->text);
		rp->text = uk_rpc_error_text(call.id, UK_ERR_ALLOC_FAIL, NULL);
		rp->resp = NULL;
		if (rp->text == NULL) {
			uk_reply_free(rp);
			return UK_ERR_ALLOC_FAIL;
		}
		(void)cut_text(rp);
	}
	*replyp = rp;
	return 0;
}
