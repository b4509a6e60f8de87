/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * unlock.request / unlock.apply: PIN unblock with the CA's answer
 * (unlock.h for the envelope, host/doc/enroll.md for the flow).
 *
 * The SO PIN exists in this process only between the envelope's
 * decryption and C_Login(CKU_SO); it is never logged, never returned and
 * wiped right after use.  The ephemeral key of a request is single use:
 * unlock.apply consumes it whatever the outcome, so an answer cannot be
 * replayed and a failed attempt needs a new request.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <cjson/cJSON.h>

#include "enroll_int.h"
#include "err.h"
#include "fault.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"
#include "token.h"
#include "unlock.h"
#include "wipe.h"

#define WHY		call->why, sizeof(call->why)
#define TOKEN_MAX	(UK_TOKEN_HANDLE_MAX - 1)
#define UK_UNLOCK_PIN_LEN	8
#define UK_SERIAL_MAX	17

struct uk_unlock_pending {
	char token[UK_TOKEN_HANDLE_MAX];
	char serial[UK_SERIAL_MAX];
	unsigned char challenge[UK_UNLOCK_CHALLENGE_LEN];
	EVP_PKEY *key;
	struct uk_unlock_pending *next;
};

static void
pending_free1(struct uk_unlock_pending *u)
{
	if (u == NULL)
		return;
	EVP_PKEY_free(u->key);	/* OpenSSL clears key material on free */
	uk_freezero(u, sizeof(*u));
}

void
uk_unlock_pending_free(struct uk_unlock_pending *u)
{
	struct uk_unlock_pending *n;

	for (; u != NULL; u = n) {
		n = u->next;
		pending_free1(u);
	}
}

/* Unlinks and returns the pending request of token (NULL when none). */
static struct uk_unlock_pending *
pending_take(struct uk_enroll_state *st, const char *token)
{
	struct uk_unlock_pending **pp, *u;

	for (pp = &st->unlock; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->token, token) == 0) {
			u = *pp;
			*pp = u->next;
			u->next = NULL;
			return u;
		}
	return NULL;
}

/* --- Handlers ---------------------------------------------------------- */

static void
trim_serial(const CK_TOKEN_INFO *ti, char *buf)
{
	size_t n = sizeof(ti->serialNumber);

	memcpy(buf, ti->serialNumber, n);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

static int
add_padded(cJSON *o, const char *key, const unsigned char *s, size_t n)
{
	char buf[80];

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return cJSON_AddStringToObject(o, key, buf) == NULL ?
	    UK_ERR_ALLOC_FAIL : 0;
}

static int
cert_summary(const struct uk_p11 *p, cJSON *req)
{
	CK_OBJECT_HANDLE h;
	X509 *c = NULL;
	BIO *b = NULL;
	BUF_MEM *bm;
	char *ser = NULL, *subj = NULL, buf[32];
	struct tm tm;
	cJSON *o;
	int r;

	if ((r = uk_enroll_find_cert(p, NULL, 0, &c, &h)) != 0)
		return r == UK_ERR_CERT_NOT_FOUND ? 0 : r;
	r = UK_ERR_ALLOC_FAIL;
	if ((o = cJSON_AddObjectToObject(req, "cert")) == NULL ||
	    (b = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(b, X509_get_subject_name(c), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0 ||
	    uk_cert_serial_hex(c, &ser) != 0)
		goto out;
	if (BIO_write(b, "", 1) != 1)
		goto out;
	BIO_get_mem_ptr(b, &bm);
	if ((subj = strdup(bm->data)) == NULL ||
	    cJSON_AddStringToObject(o, "subject", subj) == NULL ||
	    cJSON_AddStringToObject(o, "serial", ser) == NULL)
		goto out;
	if (ASN1_TIME_to_tm(X509_get0_notBefore(c), &tm) != 1)
		goto out;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (cJSON_AddStringToObject(o, "notBefore", buf) == NULL ||
	    ASN1_TIME_to_tm(X509_get0_notAfter(c), &tm) != 1)
		goto out;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (cJSON_AddStringToObject(o, "notAfter", buf) == NULL)
		goto out;
	r = 0;
 out:
	BIO_free(b);
	X509_free(c);
	free(ser);
	free(subj);
	return r;
}

static int
unlock_request(struct uk_call *call)
{
	static const char *const keys[] = { "token", NULL };
	struct uk_enroll_state *st;
	struct uk_unlock_pending *u = NULL, *old;
	struct uk_p11 p;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	const char *token;
	unsigned char *spki = NULL;
	cJSON *res, *req, *make;
	int r, len;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((st = uk_enroll_state(call->ctx)) == NULL ||
	    (u = calloc(1, sizeof(*u))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	snprintf(u->token, sizeof(u->token), "%s", token);
	if ((r = uk_token_info(call->ctx, token, &slot, &ti)) != 0 ||
	    (r = uk_token_raw_session(call->ctx, token, &p.fn, &p.s)) != 0) {
		r = uk_call_fail(call, r, "token");
		goto out;
	}
	trim_serial(&ti, u->serial);
	if ((r = uk_p11_random(&p, u->challenge,
	    sizeof(u->challenge))) != 0 ||
	    (r = uk_unlock_keygen(&u->key)) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((len = i2d_PUBKEY(u->key, &spki)) <= 0 ||
	    (res = uk_call_result(call)) == NULL ||
	    (req = cJSON_AddObjectToObject(res, "request")) == NULL ||
	    cJSON_AddNumberToObject(req, "version", 1) == NULL ||
	    cJSON_AddStringToObject(req, "tokenSerial", u->serial) == NULL ||
	    (make = cJSON_AddObjectToObject(req, "make")) == NULL ||
	    add_padded(make, "manufacturer", ti.manufacturerID,
	    sizeof(ti.manufacturerID)) != 0 ||
	    add_padded(make, "model", ti.model, sizeof(ti.model)) != 0 ||
	    add_padded(req, "label", ti.label, sizeof(ti.label)) != 0 ||
	    uk_json_add_base64(req, "challenge", u->challenge,
	    sizeof(u->challenge)) != 0 ||
	    uk_json_add_base64(req, "ephemeralKey", spki, (size_t)len) != 0)
		goto out;
	if ((r = cert_summary(&p, req)) != 0)
		goto out;
	/* success: replaces an earlier request for the same token */
	if ((old = pending_take(st, token)) != NULL)
		pending_free1(old);
	u->next = st->unlock;
	st->unlock = u;
	u = NULL;
	r = 0;
 out:
	OPENSSL_free(spki);
	pending_free1(u);
	return r;
}

/* Parses {"soPin": "...", "newPin"?: "digits"}. */
static int
parse_secret(struct uk_call *call, const unsigned char *pt, size_t len,
    char *so, size_t solen, char *pin, size_t pinlen)
{
	static const char *const keys[] = { "soPin", "newPin", NULL };
	cJSON *o = NULL;
	const char *s = NULL, *n = NULL;
	size_t i;
	int r = UK_ERR_UNLOCK_INVALID;

	so[0] = pin[0] = '\0';
	if (uk_json_parse((const char *)pt, len, &o) != 0 ||
	    !cJSON_IsObject(o) ||
	    uk_json_only_members(o, keys, WHY) != 0 ||
	    uk_param_string(o, "soPin", 1, solen - 1, &s, WHY) != 0 ||
	    uk_param_string(o, "newPin", 0, 16, &n, WHY) != 0 ||
	    s[0] == '\0')
		goto out;
	if (n != NULL) {
		for (i = 0; n[i] != '\0'; i++)
			if (n[i] < '0' || n[i] > '9')
				goto out;
		if (i < 6 || i >= pinlen)
			goto out;
		memcpy(pin, n, i + 1);
	}
	memcpy(so, s, strlen(s) + 1);
	r = 0;
 out:
	cJSON_Delete(o);	/* the host's cJSON hooks wipe freed blocks */
	return r;
}

/* Marker for "the user must change the PIN" (host/doc/enroll.md). */
static int
flag_pin_change(struct uk_call *call, const char *token)
{
	struct uk_p11 p;
	CK_OBJECT_HANDLE h;
	size_t n;
	int r;

	if ((r = uk_token_raw(call->ctx, token, &p.fn, &p.s)) != 0 ||
	    (r = uk_p11_find(&p, CKO_DATA, NULL, 0, UK_PINFLAG_APP, &h, 1,
	    &n)) != 0)
		return r;
	if (n > 0)
		return 0;
	return uk_p11_create_data(&p, UK_PINFLAG_APP,
	    "UKeyLink PIN to be changed", (const unsigned char *)"1", 1, 0,
	    &h);
}

struct envelope {
	unsigned char *epk, *iv, *ct, *tag;
	size_t epklen, ivlen, ctlen, taglen;
};

static int
parse_envelope(struct uk_call *call, const cJSON *resp, struct envelope *e)
{
	static const char *const keys[] = { "version", "ephemeralKey", "iv",
	    "ciphertext", "tag", NULL };
	int64_t v;

	memset(e, 0, sizeof(*e));
	if (!cJSON_IsObject(resp) ||
	    uk_json_only_members(resp, keys, WHY) != 0 ||
	    uk_param_int(resp, "version", 1, 1, 1, 1, &v, WHY) != 0 ||
	    uk_param_base64(resp, "ephemeralKey", 1, 512, &e->epk, &e->epklen,
	    WHY) != 0 ||
	    uk_param_base64(resp, "iv", 1, 64, &e->iv, &e->ivlen, WHY) != 0 ||
	    uk_param_base64(resp, "ciphertext", 1, UK_UNLOCK_CT_MAX, &e->ct,
	    &e->ctlen, WHY) != 0 ||
	    uk_param_base64(resp, "tag", 1, 64, &e->tag, &e->taglen,
	    WHY) != 0)
		return uk_call_bad_param(call);
	return 0;
}

static void
envelope_free(struct envelope *e)
{
	free(e->epk);
	free(e->iv);
	free(e->ct);
	free(e->tag);
}

static int
unlock_apply(struct uk_call *call)
{
	static const char *const keys[] = { "token", "response", NULL };
	struct uk_enroll_state *st;
	struct uk_unlock_pending *u = NULL;
	struct envelope e;
	struct uk_p11 p;
	const char *token;
	unsigned char *pt = NULL;
	size_t ptlen = 0;
	char so[UK_PIN_MAX + 1], pin[UK_PIN_MAX + 1];
	cJSON *res;
	int r;

	memset(&e, 0, sizeof(e));
	so[0] = pin[0] = '\0';
	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = parse_envelope(call, cJSON_GetObjectItemCaseSensitive(
	    call->params, "response"), &e)) != 0)
		goto out;
	if ((st = uk_enroll_state(call->ctx)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	/* Single use: consumed whatever happens next. */
	if ((u = pending_take(st, token)) == NULL) {
		r = uk_call_fail(call, UK_ERR_UNLOCK_INVALID,
		    "no pending unlock request for this token");
		goto out;
	}
	if ((r = uk_unlock_open(u->key, e.epk, e.epklen, u->challenge,
	    sizeof(u->challenge), u->serial, e.iv, e.ivlen, e.ct, e.ctlen,
	    e.tag, e.taglen, &pt, &ptlen)) != 0 ||
	    (r = parse_secret(call, pt, ptlen, so, sizeof(so), pin,
	    sizeof(pin))) != 0) {
		r = uk_call_fail(call, UK_ERR_UNLOCK_INVALID,
		    "the answer does not open with this request's key");
		goto out;
	}
	uk_freezero(pt, ptlen + 1);
	pt = NULL;
	if (pin[0] == '\0' &&
	    (r = uk_unlock_random_pin(pin, UK_UNLOCK_PIN_LEN)) != 0)
		goto out;
	/* A user login in the way of the SO login ends first. */
	if ((r = uk_token_logout(call->ctx, token)) != 0 ||
	    (r = uk_token_raw_session(call->ctx, token, &p.fn, &p.s)) != 0)
		goto out;
	r = uk_p11_init_pin(&p, so, pin);
	uk_wipe(so, sizeof(so));
	if (r != 0) {
		r = uk_call_fail(call, r, "C_InitPIN with the CA's SO "
		    "credential");
		goto out;
	}
	if ((r = uk_token_login(call->ctx, token, pin, NULL)) != 0) {
		r = uk_call_fail(call, r, "the new PIN does not log in");
		goto out;
	}
	if ((r = flag_pin_change(call, token)) != 0)
		uk_warn_r(r, "PIN-change marker not written");
	uk_token_changed(call->ctx, token);
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "newPin", pin) == NULL ||
	    cJSON_AddBoolToObject(res, "pinToBeChanged", 1) == NULL)
		goto out;
	r = 0;
 out:
	uk_wipe(so, sizeof(so));
	uk_wipe(pin, sizeof(pin));
	uk_freezero(pt, ptlen + 1);
	pending_free1(u);
	envelope_free(&e);
	return r;
}

static int
unlock_pin_changed(struct uk_call *call)
{
	static const char *const keys[] = { "token", NULL };
	struct uk_p11 p;
	CK_OBJECT_HANDLE hs[4];
	const char *token;
	size_t n, i;
	int r;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_token_raw(call->ctx, token, &p.fn, &p.s)) != 0 ||
	    (r = uk_p11_find(&p, CKO_DATA, NULL, 0, UK_PINFLAG_APP, hs,
	    UK_ARRAY_LEN(hs), &n)) != 0)
		return uk_call_fail(call, r, "token");
	for (i = 0; i < n; i++)
		if ((r = uk_p11_destroy(&p, hs[i])) != 0)
			return r;
	return 0;
}

static const struct uk_method unlock_methods[] = {
	{ "unlock.request", unlock_request, UK_CAP_UNLOCK,
	    "unlock request with a token challenge and ephemeral key" },
	{ "unlock.apply", unlock_apply, UK_CAP_UNLOCK,
	    "apply the CA's answer: new user PIN" },
	{ "unlock.pinChanged", unlock_pin_changed, UK_CAP_SIGN,
	    "clear the PIN-change flag after token.changePin" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_unlock_module = {
	.name = "unlock",
	.methods = unlock_methods,
};
