/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "hostcall.h"
#include "hostproc.h"
#include "softhsm.h"

/* What follows the shown part of params in a message. */
static const char *
cut_mark(const char *params)
{
	return strlen(params) > UK_HC_SHOWN ? "..." : "";
}

/*
 * The params are formatted to their full length: a document cut at a
 * fixed size would reach the host as a malformed request, not as the call
 * the test meant.
 */
cJSON *
uk_hc_call(struct uk_hostproc *hp, int want, const char *method,
    const char *fmt, ...)
{
	va_list ap;
	char *params;
	cJSON *resp;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	params = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(params);
	va_start(ap, fmt);
	vsnprintf(params, (size_t)n + 1, fmt, ap);
	va_end(ap);
	resp = uk_hostproc_call(hp, hp->next_id++, method, params,
	    UK_TEST_ORIGIN);
	ck_assert_msg(resp != NULL, "no response to %s %.*s%s", method,
	    UK_HC_SHOWN, params, cut_mark(params));
	if (want == UK_HC_RESULT)
		ck_assert_msg(cJSON_GetObjectItem(resp, "result") != NULL,
		    "%s %.*s%s: expected a result: %s", method, UK_HC_SHOWN,
		    params, cut_mark(params), cJSON_PrintUnformatted(resp));
	else if (want != UK_HC_ANY)
		ck_assert_msg(uk_hc_code(resp) == want,
		    "%s %.*s%s: expected %d, got %s", method, UK_HC_SHOWN,
		    params, cut_mark(params), want,
		    cJSON_PrintUnformatted(resp));
	free(params);
	return resp;
}

int
uk_hc_code(const cJSON *resp)
{
	const cJSON *e = cJSON_GetObjectItem(resp, "error");

	return e ? (int)cJSON_GetObjectItem(e, "code")->valuedouble : 0;
}

const cJSON *
uk_hc_res(const cJSON *resp)
{
	const cJSON *r = cJSON_GetObjectItem(resp, "result");

	ck_assert_msg(r != NULL, "expected a result: %s",
	    cJSON_PrintUnformatted(resp));
	return r;
}

const char *
uk_hc_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	ck_assert_msg(cJSON_IsString(v), "member %s missing", key);
	return v->valuestring;
}

void
uk_hc_only_token(struct uk_hostproc *hp, char *buf, size_t size)
{
	cJSON *resp = uk_hc_call(hp, UK_HC_RESULT, "token.list", "{}");
	const cJSON *toks = cJSON_GetObjectItem(uk_hc_res(resp), "tokens");

	ck_assert_int_eq(cJSON_GetArraySize(toks), 1);
	snprintf(buf, size, "%s",
	    uk_hc_str(cJSON_GetArrayItem(toks, 0), "token"));
	cJSON_Delete(resp);
}

void
uk_hc_save_b64(const char *dir, const char *name, const char *b64)
{
	char path[512];
	unsigned char *p;
	size_t len;

	p = uk_test_b64(b64, &len);
	ck_assert_msg(p != NULL, "%s: not base64", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(uk_test_write_file(path, p, len), 0);
	free(p);
}

void
uk_hc_assert_alive(struct uk_hostproc *hp, int64_t id)
{
	cJSON *r = uk_hostproc_call(hp, id, "host.ping",
	    "{\"data\":\"still here\"}", UK_TEST_ORIGIN);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "result"),
	    "data")->valuestring, "still here");
	cJSON_Delete(r);
}

void
uk_hc_assert_line(const char *text, ...)
{
	const char *line = text, *end, *piece;
	va_list ap;
	int all;

	for (; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		all = 1;
		va_start(ap, text);
		while ((piece = va_arg(ap, const char *)) != NULL) {
			const char *at = strstr(line, piece);

			if (at == NULL || at >= end)
				all = 0;
		}
		va_end(ap);
		if (all)
			return;
	}
	ck_abort_msg("no such line in:\n%s", text);
}
