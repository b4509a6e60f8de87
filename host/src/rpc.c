/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"

#define UK_ORIGIN_MAX	300

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

static char *
response_text(int64_t id, cJSON *result, int code, const char *detail,
    cJSON *extra)
{
	cJSON *resp, *e;
	char *text = NULL;

	if ((resp = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(result);
		return NULL;
	}
	if ((id >= 0 ? cJSON_AddNumberToObject(resp, "id", (double)id) :
	    cJSON_AddNullToObject(resp, "id")) == NULL) {
		cJSON_Delete(result);
		goto out;
	}
	if (code == 0) {
		if (result == NULL && (result = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToObject(resp, "result", result);
	} else {
		if ((e = error_object(code, detail, extra)) == NULL)
			goto out;
		cJSON_AddItemToObject(resp, "error", e);
	}
	text = cJSON_PrintUnformatted(resp);
 out:
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
uk_rpc_handle(struct uk_ctx *ctx, const char *req, size_t len,
    char **outp, int64_t *idp)
{
	static cJSON empty_params = { .type = cJSON_Object };
	struct uk_call call;
	const struct uk_method *m;
	cJSON *root = NULL;
	int r;

	memset(&call, 0, sizeof(call));
	call.ctx = ctx;
	call.id = -1;
	*outp = NULL;
	if ((r = uk_json_parse(req, len, &root)) != 0) {
		snprintf(call.detail, sizeof(call.detail), "%s", uk_err_en(r));
		goto respond;
	}
	if ((r = parse_envelope(root, &call)) != 0)
		goto respond;
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
	if (r != 0)
		uk_info("request %lld %s from %s: failed: %s (%d) %s",
		    (long long)call.id, call.method ? call.method : "-",
		    call.origin ? call.origin : "-", uk_err_name(r), r,
		    call.detail);
	else
		uk_debug("request %lld %s from %s: ok", (long long)call.id,
		    call.method, call.origin);
	*outp = response_text(call.id, r == 0 ? call.result : NULL, r,
	    call.detail, call.errinfo);
	if (r != 0)
		cJSON_Delete(call.result);
	cJSON_Delete(call.errinfo);
	*idp = call.id;
	cJSON_Delete(root);
	return *outp == NULL ? UK_ERR_ALLOC_FAIL : 0;
}
