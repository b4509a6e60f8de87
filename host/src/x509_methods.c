/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * cert.*: certificate methods that need no token (host/doc/protocol.md).
 * cert.list is the token module's; it builds its entries with
 * uk_x509_to_json().
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
#include "policy.h"
#include "rpc.h"
#include "x509.h"
#include "x509_int.h"

/* Larger than any certificate text, so that size gives TOO_LARGE. */
#define UK_CERT_PARAM_MAX	(4 * UK_X509_MAX_TEXT)
#define UK_OID_PARAM_MAX	4096

static int
fail_parse(struct uk_call *call, int r, const char *what)
{
	if (r == UK_ERR_MESSAGE_TOO_LARGE)
		return uk_call_fail(call, r, "'%s': larger than %d bytes",
		    what, UK_X509_MAX_DER);
	if (r == UK_ERR_CERT_FORMAT)
		return uk_call_fail(call, r, "'%s': not an X.509 certificate "
		    "(base64 DER or PEM)", what);
	return r;
}

/* Checks the members, then parses params.cert into *certp. */
static int
get_cert(struct uk_call *call, const char *const *allowed,
    struct uk_x509 **certp)
{
	const char *s;
	int r;

	*certp = NULL;
	if (uk_json_only_members(call->params, allowed, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "cert", 1, UK_CERT_PARAM_MAX, &s,
	    call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_x509_parse_text(s, certp)) != 0)
		return fail_parse(call, r, "cert");
	return 0;
}

static int
set_string(struct uk_call *call, const char *key, char *v)
{
	cJSON *res = uk_call_result(call);
	int r = 0;

	if (res == NULL || cJSON_AddStringToObject(res, key, v) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	free(v);
	return r;
}

static int
cert_parse(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", NULL };
	struct uk_x509 *cert = NULL;
	cJSON *res;
	int r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL)
		r = UK_ERR_ALLOC_FAIL;
	else
		r = uk_x509_to_json(cert, call->ctx ? call->ctx->cfg : NULL,
		    time(NULL), res);
	uk_x509_free(cert);
	return r;
}

static int
cert_detail(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", "item", NULL };
	struct uk_x509 *cert = NULL;
	int64_t item;
	char *v = NULL;
	int r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	if (uk_param_int(call->params, "item", 1, INT32_MIN, INT32_MAX, 0,
	    &item, call->why, sizeof(call->why)) != 0) {
		uk_x509_free(cert);
		return uk_call_bad_param(call);
	}
	r = uk_x509_detail(cert, (int)item, &v);
	uk_x509_free(cert);
	if (r == UK_ERR_CERT_DETAIL)
		return uk_call_fail(call, r, "no detail item %lld (1-%d)",
		    (long long)item, uk_x509_detail_max());
	if (r != 0)
		return r;
	return set_string(call, "value", v);
}

static int
cert_info_by_oid(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", "oid", NULL };
	struct uk_x509 *cert = NULL;
	const char *oid;
	char *v = NULL;
	int r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	if (uk_param_string(call->params, "oid", 1, UK_OID_PARAM_MAX, &oid,
	    call->why, sizeof(call->why)) != 0) {
		uk_x509_free(cert);
		return uk_call_bad_param(call);
	}
	r = uk_x509_info_by_oid(cert, oid, &v);
	uk_x509_free(cert);
	if (r == UK_ERR_OID_FORMAT)
		return uk_call_fail(call, r, "'oid': not a dotted OID like "
		    "1.2.156.10260.4.1.4");
	if (r == UK_ERR_NO_SUCH_EXTENSION)
		return uk_call_fail(call, r, "no extension %.80s", oid);
	if (r != 0)
		return r;
	return set_string(call, "value", v);
}

static int
cert_unique_id(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", NULL };
	struct uk_x509 *cert = NULL;
	char *v = NULL;
	int r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	r = uk_x509_unique_id(cert, &v);
	uk_x509_free(cert);
	if (r == UK_ERR_CERT_UNIQUE_ID)
		return uk_call_fail(call, r, "no SHECA unique id extension "
		    "(1.2.156.112570.148, 1.2.156.1.8888.148)");
	if (r != 0)
		return r;
	return set_string(call, "value", v);
}

static int
cert_valid_days(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", NULL };
	struct uk_x509 *cert = NULL;
	cJSON *res;
	int64_t days;
	int r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	r = uk_x509_valid_days(cert, time(NULL), &days);
	uk_x509_free(cert);
	if (r != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddNumberToObject(res, "value", (double)days) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

/* params.chain: an optional array of certificates. */
static int
get_chain(struct uk_call *call, struct uk_x509 **chain, size_t *np)
{
	const cJSON *a, *e;
	size_t n = 0;
	int r;

	*np = 0;
	a = cJSON_GetObjectItemCaseSensitive(call->params, "chain");
	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a))
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'chain': must be an array of base64 certificates");
	if (cJSON_GetArraySize(a) > UK_X509_MAX_CHAIN)
		return uk_call_fail(call, UK_ERR_CHAIN_FORMAT,
		    "'chain': more than %d certificates", UK_X509_MAX_CHAIN);
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e))
			return uk_call_fail(call, UK_ERR_INVALID_PARAM,
			    "'chain[%zu]': must be a string", n);
		if ((r = uk_x509_parse_text(e->valuestring, &chain[n])) != 0) {
			*np = n;
			return uk_call_fail(call, r == UK_ERR_ALLOC_FAIL ? r :
			    UK_ERR_CHAIN_FORMAT, "'chain[%zu]': not a "
			    "certificate", n);
		}
		n++;
		*np = n;
	}
	return 0;
}

static int
cert_verify(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", "chain", "revocation",
	    NULL };
	struct uk_x509 *cert = NULL, *chain[UK_X509_MAX_CHAIN];
	size_t n = 0, i;
	cJSON *res;
	int revocation, r;

	if ((r = get_cert(call, allowed, &cert)) != 0)
		return r;
	if (uk_param_bool(call->params, "revocation", 0, 0, &revocation,
	    call->why, sizeof(call->why)) != 0) {
		r = uk_call_bad_param(call);
		goto out;
	}
	if ((r = get_chain(call, chain, &n)) != 0)
		goto out;
	if ((r = uk_x509_verify(call->ctx, call->ctx ? call->ctx->cfg : NULL,
	    cert, chain, n, revocation, time(NULL), call->detail,
	    sizeof(call->detail))) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddBoolToObject(res, "ok", 1) == NULL ||
	    cJSON_AddBoolToObject(res, "revocationChecked", revocation) ==
	    NULL)
		goto out;
	/* success */
	r = 0;
 out:
	for (i = 0; i < n; i++)
		uk_x509_free(chain[i]);
	uk_x509_free(cert);
	return r;
}

static int
cert_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	fprintf(fp, "certificates:\n");
	return uk_x509_diagnose_anchors(ctx ? ctx->cfg : NULL, fp);
}

static const struct uk_method cert_methods[] = {
	{ "cert.parse", cert_parse, UK_CAP_READ,
	    "fields of a certificate (subject, issuer, dates, key, numbers)" },
	{ "cert.detail", cert_detail, UK_CAP_READ,
	    "SEH_GetCertDetail: one field by SafeEngine item number" },
	{ "cert.infoByOid", cert_info_by_oid, UK_CAP_READ,
	    "SEH_GetCertInfoByOID: an extension's value as text" },
	{ "cert.uniqueId", cert_unique_id, UK_CAP_READ,
	    "SEH_GetCertUniqueID: the SHECA unique id" },
	{ "cert.validDays", cert_valid_days, UK_CAP_READ,
	    "SEH_GetCertValidDate: whole days until notAfter" },
	{ "cert.verify", cert_verify, UK_CAP_READ,
	    "SEH_VerifyCertificate: chain, dates, key usage, revocation" },
	{ NULL, NULL, 0, NULL },
};

static void
cert_fini(struct uk_ctx *ctx)
{
	(void)ctx;
	uk_x509_anchor_cache_free();
}

const struct uk_module uk_cert_module = {
	.name = "cert",
	.methods = cert_methods,
	.fini = cert_fini,
	.diagnose = cert_diagnose,
};
