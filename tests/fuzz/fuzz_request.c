/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libFuzzer: one request text through parsing, validation, policy and
 * dispatch.  Every input must give exactly one well-formed response.
 */
#include "uk_setup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "host.h"
#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct uk_config *cfg;
static struct uk_ctx ctx;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	int64_t id;
	cJSON *resp;

	if (cfg == NULL) {
		uk_host_init_hooks();
		if (uk_config_defaults(&cfg) != 0 ||
		    uk_ctx_init(&ctx, cfg, -1) != 0)
			abort();
	}
	if (uk_rpc_handle(&ctx, (const char *)data, size, &out, &id) != 0)
		abort();
	/* The response is JSON with either result or error. */
	if ((resp = cJSON_Parse(out)) == NULL ||
	    (cJSON_GetObjectItem(resp, "result") == NULL) ==
	    (cJSON_GetObjectItem(resp, "error") == NULL))
		abort();
	cJSON_Delete(resp);
	cJSON_free(out);
	return 0;
}
