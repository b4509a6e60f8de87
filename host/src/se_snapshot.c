/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * se.snapshot: everything the synchronous page API may answer without a
 * round trip — the plugged devices (UCCGetPluggedeKey, SEH_GetDeviceList)
 * and, for each certificate on them, every SEH_GetCertDetail item, every
 * extension (SEH_GetCertInfoByOID), the unique id and the days left.  No
 * PIN is needed and none is involved.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "pcsc.h"
#include "rpc.h"
#include "se.h"
#include "se_int.h"
#include "token.h"
#include "x509.h"

/*
 * Devices from the PKCS#11 tokens, for keys that no PC/SC reader reports
 * (software tokens, vendor drivers with their own transport): each counts
 * as SafeEngine's USB key type 0xa, in token order.
 */
static int
devices_from_tokens(struct uk_ctx *ctx, cJSON *result)
{
	cJSON *tokens = NULL, *t, *devs, *d, *label;
	char *list = NULL, entry[32];
	size_t used = 0, n = 0;
	int r = 0;

	if ((devs = cJSON_AddArrayToObject(result, "devices")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (uk_token_list(ctx, &tokens) != 0)
		tokens = NULL;	/* no module: nothing plugged */
	if ((list = calloc(1, 32 * ((size_t)cJSON_GetArraySize(tokens) + 1)))
	    == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	cJSON_ArrayForEach(t, tokens) {
		n++;
		snprintf(entry, sizeof(entry), "%s%x$$%zu", n > 1 ? ";" : "",
		    UK_SE_DEVTYPE_DEFAULT, n);
		memcpy(list + used, entry, strlen(entry) + 1);
		used += strlen(entry);
		if ((d = cJSON_CreateObject()) == NULL) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		cJSON_AddItemToArray(devs, d);
		snprintf(entry, sizeof(entry), "com%zu", n);
		label = cJSON_GetObjectItemCaseSensitive(t, "label");
		if (cJSON_AddNumberToObject(d, "devType",
		    UK_SE_DEVTYPE_DEFAULT) == NULL ||
		    cJSON_AddStringToObject(d, "devParam", entry) == NULL ||
		    cJSON_AddStringToObject(d, "reader",
		    cJSON_IsString(label) ? label->valuestring : "") == NULL ||
		    cJSON_AddItemToObject(d, "token", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(t, "token"), 1)) == 0) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
	}
	if (cJSON_AddStringToObject(result, "pluggedTypeList", list) == NULL)
		r = UK_ERR_ALLOC_FAIL;
 out:
	free(list);
	cJSON_Delete(tokens);
	return r;
}

int
se_devices(struct uk_ctx *ctx, cJSON **resultp)
{
	cJSON *res = NULL, *devs;
	int r;

	*resultp = NULL;
	/* PC/SC knows makes and slots; fall back to PKCS#11 when it has
	 * nothing (no pcscd, or keys it does not see). */
	if (uk_pcsc_devices(ctx, &res) == 0) {
		devs = cJSON_GetObjectItemCaseSensitive(res, "devices");
		if (cJSON_GetArraySize(devs) > 0) {
			*resultp = res;
			return 0;
		}
	}
	cJSON_Delete(res);
	if ((res = cJSON_CreateObject()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = devices_from_tokens(ctx, res)) != 0) {
		cJSON_Delete(res);
		return r;
	}
	*resultp = res;
	return 0;
}

/* Every detail item and extension of one certificate. */
static int
snapshot_cert(const cJSON *entry, cJSON *certs, time_t now)
{
	const cJSON *der = cJSON_GetObjectItemCaseSensitive(entry, "der");
	const cJSON *exts = cJSON_GetObjectItemCaseSensitive(entry,
	    "extensions");
	struct uk_x509 *cert = NULL;
	cJSON *c = NULL, *details;
	char *val = NULL, key[16];
	int64_t days;
	int item, r = UK_ERR_ALLOC_FAIL;

	if (!cJSON_IsString(der) ||
	    uk_x509_parse_text(der->valuestring, &cert) != 0)
		return 0;	/* not parseable: the page gets no answer */
	if ((c = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(c, "der", der->valuestring) == NULL ||
	    (details = cJSON_AddObjectToObject(c, "details")) == NULL)
		goto out;
	for (item = 0; item <= uk_x509_detail_max(); item++) {
		if (uk_x509_detail_name(item) == NULL)
			continue;
		if (uk_x509_detail(cert, item, &val) != 0)
			goto out;
		snprintf(key, sizeof(key), "%d", item);
		if (cJSON_AddStringToObject(details, key, val) == NULL)
			goto out;
		free(val);
		val = NULL;
	}
	if (!cJSON_AddItemToObject(c, "oids", exts ? cJSON_Duplicate(exts, 1) :
	    cJSON_CreateObject()))
		goto out;
	if (uk_x509_unique_id(cert, &val) == 0 &&
	    cJSON_AddStringToObject(c, "uniqueId", val) == NULL)
		goto out;
	if (uk_x509_valid_days(cert, now, &days) == 0 &&
	    cJSON_AddNumberToObject(c, "validDays", (double)days) == NULL)
		goto out;
	cJSON_AddItemToObject(c, "token", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(entry, "token"), 1));
	cJSON_AddItemToObject(c, "certId", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(entry, "certId"), 1));
	cJSON_AddItemToObject(c, "hasKey", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(entry, "hasKey"), 1));
	/* success */
	cJSON_AddItemToArray(certs, c);
	c = NULL;
	r = 0;
 out:
	free(val);
	cJSON_Delete(c);
	uk_x509_free(cert);
	return r;
}

int
se_snapshot(struct uk_call *call)
{
	static const char *const none[] = { NULL };
	cJSON *res, *dev = NULL, *list = NULL, *certs, *e, *m, *next;
	time_t now = time(NULL);
	int r;

	if (uk_json_only_members(call->params, none, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((res = uk_call_result(call)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((r = se_devices(call->ctx, &dev)) != 0)
		return r;
	/* Move devices and pluggedTypeList into the result. */
	for (m = dev->child; m != NULL; m = next) {
		next = m->next;
		cJSON_AddItemToObject(res, m->string,
		    cJSON_DetachItemViaPointer(dev, m));
	}
	cJSON_Delete(dev);
	if ((certs = cJSON_AddArrayToObject(res, "certs")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (uk_token_cert_list(call->ctx, NULL, &list) != 0)
		return 0;	/* no token: no certificates */
	cJSON_ArrayForEach(e, list)
		if ((r = snapshot_cert(e, certs, now)) != 0)
			break;
	cJSON_Delete(list);
	if (cJSON_AddNumberToObject(res, "taken", (double)now) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	return r;
}
