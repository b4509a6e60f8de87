/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * host.*: version handshake, capabilities, echo.  These need no capability:
 * the extension calls host.version before anything else.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "policy.h"
#include "rpc.h"
#include "version.h"

#define UK_PING_MAX	(8 * 1024 * 1024)	/* echo payload, bytes */

static int
host_version(struct uk_call *call)
{
	static const char *const none[] = { NULL };
	cJSON *res, *proto;

	if (uk_json_only_members(call->params, none, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "name", "ukeylink-host") == NULL ||
	    cJSON_AddStringToObject(res, "version", UK_VERSION) == NULL ||
	    (proto = cJSON_AddObjectToObject(res, "protocol")) == NULL ||
	    cJSON_AddNumberToObject(proto, "major", UK_PROTOCOL_MAJOR) == NULL ||
	    cJSON_AddNumberToObject(proto, "minor", UK_PROTOCOL_MINOR) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

static int
host_capabilities(struct uk_call *call)
{
	static const char *const none[] = { NULL };
	const struct uk_method *m;
	cJSON *res, *methods, *caps;
	unsigned bit;
	size_t i;

	if (uk_json_only_members(call->params, none, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((res = uk_call_result(call)) == NULL ||
	    (methods = cJSON_AddArrayToObject(res, "methods")) == NULL ||
	    (caps = cJSON_AddArrayToObject(res, "capabilities")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	/* Only the methods this origin may call. */
	for (i = 0; uk_modules[i] != NULL; i++)
		for (m = uk_modules[i]->methods; m && m->name; m++)
			if (m->cap == 0 || (call->caps & m->cap) != 0)
				cJSON_AddItemToArray(methods,
				    cJSON_CreateString(m->name));
	for (bit = 1; bit <= UK_CAP_UNLOCK; bit <<= 1)
		if (call->caps & bit)
			cJSON_AddItemToArray(caps,
			    cJSON_CreateString(uk_cap_name(bit)));
	return 0;
}

static int
host_ping(struct uk_call *call)
{
	static const char *const allowed[] = { "data", NULL };
	const char *data;
	cJSON *res;

	if (uk_json_only_members(call->params, allowed, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "data", 0, UK_PING_MAX, &data,
	    call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	/* A reference, not a copy: the request outlives the response text. */
	if ((res = uk_call_result(call)) == NULL ||
	    !cJSON_AddItemToObject(res, "data",
	    cJSON_CreateStringReference(data ? data : "")))
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

static const struct uk_method host_methods[] = {
	{ "host.version", host_version, 0,
	    "name, version and protocol version of the host" },
	{ "host.capabilities", host_capabilities, 0,
	    "methods and capabilities granted to the calling origin" },
	{ "host.ping", host_ping, 0, "echoes params.data" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_host_module = {
	.name = "host",
	.methods = host_methods,
};
