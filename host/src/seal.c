/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Electronic seals: seal.list / seal.read / seal.install / seal.delete.
 *
 * A seal is a CKO_DATA object, CKA_APPLICATION "UKeyLink seal", CKA_LABEL
 * "UKeyLink seal <certSerialHex> <idHex>" (archived: "UKeyLink archived
 * seal <certSerialHex> <idHex>"), CKA_VALUE the package exactly as the CA
 * signed it (CMS SignedData DER), public (readable like the certificate).
 * A package is written only after its CMS signature verifies up to the
 * configured seal CA and its content names the serial of a certificate
 * on the same token that has its private key.
 */
#include "uk_setup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <cjson/cJSON.h>

#include "enroll_int.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "net.h"
#include "policy.h"
#include "rpc.h"

#define UK_SEAL_LABEL		"UKeyLink seal "
#define UK_SEAL_ARCHIVED	"UKeyLink archived seal "
#define UK_SEAL_URL_MAX		2048
#define UK_SEAL_PARAM_MAX	(16 * 1024 * 1024)	/* decoded bytes */

/* --- Handlers ---------------------------------------------------------- */

static int
find_seal(struct uk_call *call, const struct uk_p11 *p, const char *id,
    struct uk_seal_obj *out)
{
	struct uk_seal_obj s[64];
	size_t n, i;
	int r;

	if ((r = uk_seal_scan(p, s, UK_ARRAY_LEN(s), &n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if (strcmp(s[i].id, id) == 0) {
			*out = s[i];
			return 0;
		}
	return uk_call_fail(call, UK_ERR_INVALID_PARAM, "no seal '%.40s'",
	    id);
}

static int
seal_list(struct uk_call *call)
{
	static const char *const keys[] = { "token", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_seal_obj s[64];
	struct uk_p11 p;
	const char *token;
	unsigned char *v = NULL;
	size_t n, i, len;
	cJSON *res, *arr, *o;
	int r;

	if (uk_json_only_members(call->params, keys, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "token", 1, 95, &token, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_open_ro(call, token, &p, &ec)) != 0 ||
	    (r = uk_seal_scan(&p, s, UK_ARRAY_LEN(s), &n)) != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL ||
	    (arr = cJSON_AddArrayToObject(res, "seals")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < n; i++) {
		if ((r = uk_p11_attr(&p, s[i].h, CKA_VALUE, &v, &len)) != 0)
			return r;
		free(v);
		v = NULL;
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddStringToObject(o, "id", s[i].id) == NULL ||
		    cJSON_AddStringToObject(o, "certSerial",
		    s[i].serial) == NULL ||
		    cJSON_AddNumberToObject(o, "size", (double)len) == NULL ||
		    cJSON_AddBoolToObject(o, "archived",
		    s[i].archived) == NULL)
			return UK_ERR_ALLOC_FAIL;
		{
			char label[160];

			snprintf(label, sizeof(label), "%s%s %s",
			    s[i].archived ? UK_SEAL_ARCHIVED : UK_SEAL_LABEL,
			    s[i].serial, s[i].id);
			if (cJSON_AddStringToObject(o, "label", label) == NULL)
				return UK_ERR_ALLOC_FAIL;
		}
	}
	return 0;
}

static int
seal_read(struct uk_call *call)
{
	static const char *const keys[] = { "token", "id", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_seal_obj s;
	struct uk_p11 p;
	const char *token, *id;
	unsigned char *v = NULL;
	size_t len;
	cJSON *res;
	int r;

	if (uk_json_only_members(call->params, keys, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "token", 1, 95, &token, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "id", 1, 32, &id, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_open_ro(call, token, &p, &ec)) != 0 ||
	    (r = find_seal(call, &p, id, &s)) != 0 ||
	    (r = uk_p11_attr(&p, s.h, CKA_VALUE, &v, &len)) != 0)
		return r;
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) != NULL &&
	    uk_json_add_base64(res, "package", v, len) == 0)
		r = 0;
	free(v);
	return r;
}

/* Is there a certificate with this serial that has its private key? */
static int
serial_on_token(const struct uk_p11 *p, const char *serial)
{
	CK_OBJECT_HANDLE hs[UK_P11_MAX_OBJECTS], kh;
	unsigned char *id = NULL;
	size_t n, i, idlen;
	X509 *c = NULL;
	char *hex = NULL;
	int found = 0;

	if (uk_p11_find(p, CKO_CERTIFICATE, NULL, 0, NULL, hs,
	    UK_ARRAY_LEN(hs), &n) != 0)
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (uk_p11_attr(p, hs[i], CKA_ID, &id, &idlen) != 0)
			continue;
		if (uk_enroll_find_cert(p, id, idlen, &c, NULL) == 0 &&
		    uk_cert_serial_hex(c, &hex) == 0 &&
		    uk_seal_same_serial(hex, serial) &&
		    uk_enroll_find_key(p, CKO_PRIVATE_KEY, id, idlen,
		    &kh) == 0)
			found = 1;
		X509_free(c);
		c = NULL;
		free(hex);
		hex = NULL;
		free(id);
		id = NULL;
	}
	return found;
}

static int
seal_install(struct uk_call *call)
{
	static const char *const keys[] = { "token", "package", "url",
	    "transaction", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token, *url, *txn;
	unsigned char *pkg = NULL;
	size_t len;
	cJSON *content = NULL, *res;
	const cJSON *cs;
	char *id = NULL;
	int r;

	if (uk_json_only_members(call->params, keys, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "token", 1, 95, &token, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "url", 0, UK_SEAL_URL_MAX, &url,
	    call->why, sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "transaction", 0, UK_TXN_HEX_LEN,
	    &txn, call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_settings(call, &ec)) != 0)
		return r;
	/* The cap is enforced by uk_seal_verify (MESSAGE_TOO_LARGE). */
	if (uk_param_base64(call->params, "package", 0, UK_SEAL_PARAM_MAX,
	    &pkg, &len, call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((pkg == NULL) == (url == NULL)) {
		r = uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "give exactly one of 'package' and 'url'");
		goto out;
	}
	if (url != NULL) {
		/* HTTPS from a host on network.allowHosts (purpose seal). */
		if ((r = uk_net_fetch(call->ctx, url, UK_NET_SEAL,
		    ec->seal_max, &pkg, &len)) != 0) {
			r = uk_call_fail(call, r, "seal download");
			goto out;
		}
	}
	if ((r = uk_enroll_open(call, token, &p, &ec)) != 0)
		goto out;
	if (txn != NULL) {
		if ((r = uk_enroll_journal_for(call, &p, txn, &j)) != 0)
			goto out;
		if (j.step != UK_STEP_INSTALLED && j.step != UK_STEP_SEALED) {
			r = uk_call_fail(call, UK_ERR_TRANSACTION,
			    "install the new certificate first");
			goto out;
		}
	}
	if ((r = uk_seal_verify(ec, pkg, len, txn != NULL ? j.new_serial :
	    NULL, &content)) != 0) {
		r = uk_call_fail(call, r, "seal package refused");
		goto out;
	}
	cs = cJSON_GetObjectItemCaseSensitive(content, "certSerial");
	if (txn == NULL && !serial_on_token(&p, cs->valuestring)) {
		r = uk_call_fail(call, UK_ERR_SEAL_INVALID, "seal is bound to "
		    "%.64s, which is not a certificate with a key on this "
		    "token", cs->valuestring);
		goto out;
	}
	if ((r = uk_seal_store(&p, pkg, len, cs->valuestring, &id)) != 0)
		goto out;
	if (txn != NULL && j.step == UK_STEP_INSTALLED &&
	    (r = uk_journal_write(&p, &j, UK_STEP_SEALED)) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "id", id) == NULL ||
	    cJSON_AddStringToObject(res, "certSerial", cs->valuestring) == NULL)
		goto out;
	r = 0;
 out:
	cJSON_Delete(content);
	free(pkg);
	free(id);
	return r;
}

static int
seal_delete(struct uk_call *call)
{
	static const char *const keys[] = { "token", "id", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_seal_obj s;
	struct uk_p11 p;
	const char *token, *id;
	int r;

	if (uk_json_only_members(call->params, keys, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "token", 1, 95, &token, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "id", 1, 32, &id, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_open(call, token, &p, &ec)) != 0 ||
	    (r = find_seal(call, &p, id, &s)) != 0)
		return r;
	return uk_p11_destroy(&p, s.h);
}

static const struct uk_method seal_methods[] = {
	{ "seal.list", seal_list, UK_CAP_READ,
	    "electronic seals on a token" },
	{ "seal.read", seal_read, UK_CAP_READ, "one seal package" },
	{ "seal.install", seal_install, UK_CAP_SEAL,
	    "verify a CA-signed seal package and write it" },
	{ "seal.delete", seal_delete, UK_CAP_SEAL, "remove a seal" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_seal_module = {
	.name = "seal",
	.methods = seal_methods,
};
