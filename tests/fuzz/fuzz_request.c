/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: one request text through parsing, validation, policy and
 * dispatch.  Every input must give exactly one well-formed response, and
 * the in-place parser must read it as the plain parser does.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "host.h"
#include "json.h"
#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct uk_config *cfg;
static struct uk_ctx ctx;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uk_reply *reply = NULL;
	char *out = NULL, *text;
	cJSON *resp;

	if (cfg == NULL) {
		uk_host_init_hooks();
		if (uk_config_defaults(&cfg) != 0 ||
		    uk_ctx_init(&ctx, cfg, -1) != 0)
			abort();
	}
	/* The in-place parser must agree with the plain one, and leave the
	 * text it did not lift alone. */
	{
		cJSON *a = NULL, *b = NULL;
		char *copy, *pa, *pb;
		int ra, rb;

		if ((copy = malloc(size + 1)) == NULL)
			return 0;
		memcpy(copy, data, size);
		copy[size] = '\0';
		ra = uk_json_parse((const char *)data, size, &a);
		rb = uk_json_parse_inplace(copy, size, &b);
		if (ra != rb)
			abort();
		if (ra == 0) {
			pa = cJSON_PrintUnformatted(a);
			pb = cJSON_PrintUnformatted(b);
			if (pa == NULL || pb == NULL || strcmp(pa, pb) != 0)
				abort();
			cJSON_free(pa);
			cJSON_free(pb);
		}
		cJSON_Delete(a);
		cJSON_Delete(b);
		free(copy);
	}
	/* The framing layer hands over NUL-terminated messages. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (uk_rpc_handle(&ctx, text, size, &reply) != 0 ||
	    (out = uk_reply_text(reply)) == NULL)
		abort();
	uk_reply_free(reply);
	free(text);
	/* The response is JSON with either result or error. */
	if ((resp = cJSON_Parse(out)) == NULL ||
	    (cJSON_GetObjectItem(resp, "result") == NULL) ==
	    (cJSON_GetObjectItem(resp, "error") == NULL))
		abort();
	cJSON_Delete(resp);
	free(out);
	return 0;
}
