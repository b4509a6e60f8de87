/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Protocol methods of the token module: token.*, cert.list, sign.*,
 * crypto.* (host/doc/protocol.md).  Parameters are checked here; the work
 * is done through token.h and sign.h.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "err.h"
#include "frame.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"
#include "sign.h"
#include "token-int.h"
#include "token.h"
#include "wipe.h"

#define DATA_MAX	UK_FRAME_IN_HARD_MAX	/* decoded bytes */
#define CERT_MAX	(64 * 1024)
#define CERTID_MAX	(2 * TK_ID_MAX)
#define RANDOM_MAX	4096

#define WHY	call->why, sizeof(call->why)

static int
only(struct uk_call *call, const char *const *allowed)
{
	return uk_json_only_members(call->params, allowed, WHY);
}

static int
get_token(struct uk_call *call, int required, const char **tokp)
{
	return uk_param_string(call->params, "token", required,
	    UK_TOKEN_HANDLE_MAX - 1, tokp, WHY);
}

static int
get_cert_id(struct uk_call *call, const char **idp)
{
	return uk_param_string(call->params, "certId", 0, CERTID_MAX, idp,
	    WHY);
}

static int
get_hash(struct uk_call *call, const char *key, int required,
    enum uk_hash def, enum uk_hash *hp)
{
	const char *name = NULL;

	*hp = def;
	if (uk_param_string(call->params, key, required, 16, &name, WHY) != 0)
		return UK_ERR_INVALID_PARAM;
	if (name == NULL)
		return 0;
	if ((*hp = uk_hash_parse(name)) == UK_HASH_NONE) {
		snprintf(call->why, sizeof(call->why), "'%s' must be sha1, "
		    "sha256, sha384, sha512 or sm3", key);
		return UK_ERR_INVALID_PARAM;
	}
	return 0;
}

static int
get_scheme(struct uk_call *call, enum uk_sig_scheme *sp)
{
	const char *name = NULL;
	int s;

	*sp = UK_SCHEME_AUTO;
	if (uk_param_string(call->params, "scheme", 0, 16, &name, WHY) != 0)
		return UK_ERR_INVALID_PARAM;
	if (name == NULL)
		return 0;
	if ((s = uk_scheme_parse(name)) < 0) {
		snprintf(call->why, sizeof(call->why), "'scheme' must be "
		    "pkcs1, pss, ecdsa, ecdsa-raw or sm2");
		return UK_ERR_INVALID_PARAM;
	}
	*sp = (enum uk_sig_scheme)s;
	return 0;
}

static int
get_cert(struct uk_call *call, X509 **certp)
{
	unsigned char *der = NULL;
	size_t len = 0;
	int r;

	*certp = NULL;
	if (uk_param_base64(call->params, "cert", 1, CERT_MAX, &der, &len,
	    WHY) != 0)
		return uk_call_bad_param(call);
	r = uk_cert_from_der(der, len, certp);
	free(der);
	if (r != 0)
		return uk_call_fail(call, r, "'cert' is not a DER certificate");
	return 0;
}

/* Adds the PIN state to the error (or result) object. */
static int
pin_info(cJSON *obj, const struct uk_pin_state *ps)
{
	cJSON *pin;

	if (obj == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (ps->retries_left >= 0 && cJSON_AddNumberToObject(obj,
	    "retriesLeft", ps->retries_left) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if ((pin = cJSON_AddObjectToObject(obj, "pin")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return uk_pin_state_to_json(ps, pin);
}

static int
m_token_list(struct uk_call *call)
{
	static const char *const allowed[] = { NULL };
	cJSON *res, *toks = NULL, *probs = NULL;
	int r;

	if (only(call, allowed) != 0)
		return uk_call_bad_param(call);
	r = uk_token_list(call->ctx, &toks);
	if (uk_token_module_problems(call->ctx, &probs) != 0) {
		cJSON_Delete(toks);
		return UK_ERR_ALLOC_FAIL;
	}
	if (r != 0) {
		cJSON *first = cJSON_GetArrayItem(probs, 0);
		const cJSON *msg = cJSON_GetObjectItem(first, "message");

		r = uk_call_fail(call, r, "%s", cJSON_IsString(msg) ?
		    msg->valuestring : "no PKCS#11 module");
		cJSON_Delete(probs);
		return r;
	}
	if ((res = uk_call_result(call)) == NULL) {
		cJSON_Delete(toks);
		cJSON_Delete(probs);
		return UK_ERR_ALLOC_FAIL;
	}
	cJSON_AddItemToObject(res, "tokens", toks);
	if (cJSON_GetArraySize(probs) > 0)
		cJSON_AddItemToObject(res, "moduleErrors", probs);
	else
		cJSON_Delete(probs);
	return 0;
}

static int
m_token_login(struct uk_call *call)
{
	static const char *const allowed[] = { "token", "pin", NULL };
	struct uk_pin_state ps;
	const char *token, *pin = NULL;
	int r;

	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0 ||
	    uk_param_string(call->params, "pin", 0, UK_PIN_MAX, &pin,
	    WHY) != 0)
		return uk_call_bad_param(call);
	/* The PIN lives in the request's cJSON tree, which the host's
	 * hooks wipe when it is freed right after this handler. */
	r = uk_token_login(call->ctx, token, pin, &ps);
	if (r == UK_ERR_TOKEN_NOT_FOUND || r == UK_ERR_TOKEN_REMOVED ||
	    r == UK_ERR_LOAD_LIBRARY)
		return r;
	if (pin_info(r == 0 ? uk_call_result(call) : uk_call_errinfo(call),
	    &ps) != 0)
		return UK_ERR_ALLOC_FAIL;
	return r;
}

static int
m_token_logout(struct uk_call *call)
{
	static const char *const allowed[] = { "token", NULL };
	const char *token;

	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0)
		return uk_call_bad_param(call);
	return uk_token_logout(call->ctx, token);
}

static int
m_token_change_pin(struct uk_call *call)
{
	static const char *const allowed[] = { "token", "oldPin", "newPin",
	    NULL };
	struct uk_pin_state ps;
	const char *token, *oldpin = NULL, *newpin = NULL;
	int r;

	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0 ||
	    uk_param_string(call->params, "oldPin", 0, UK_PIN_MAX, &oldpin,
	    WHY) != 0 ||
	    uk_param_string(call->params, "newPin", 0, UK_PIN_MAX, &newpin,
	    WHY) != 0)
		return uk_call_bad_param(call);
	r = uk_token_change_pin(call->ctx, token, oldpin, newpin, &ps);
	if (r == 0 || r == UK_ERR_TOKEN_NOT_FOUND || r == UK_ERR_TOKEN_REMOVED)
		return r;
	if (pin_info(uk_call_errinfo(call), &ps) != 0)
		return UK_ERR_ALLOC_FAIL;
	return r;
}

static int
m_token_pin_state(struct uk_call *call)
{
	static const char *const allowed[] = { "token", NULL };
	struct uk_pin_state ps;
	const char *token;
	int r;

	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_token_pin_state(call->ctx, token, &ps)) != 0)
		return r;
	return pin_info(uk_call_result(call), &ps);
}

static int
m_cert_list(struct uk_call *call)
{
	static const char *const allowed[] = { "token", NULL };
	const char *token = NULL;
	cJSON *res, *certs = NULL;
	int r;

	if (only(call, allowed) != 0 || get_token(call, 0, &token) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_token_cert_list(call->ctx, token, &certs)) != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL) {
		cJSON_Delete(certs);
		return UK_ERR_ALLOC_FAIL;
	}
	cJSON_AddItemToObject(res, "certs", certs);
	return 0;
}

static int
add_b64(struct uk_call *call, const char *key, const unsigned char *p,
    size_t len)
{
	cJSON *res = uk_call_result(call);

	if (res == NULL || uk_json_add_base64(res, key, p, len) != 0)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

/* sign.data and sign.digest share everything but the input member. */
static int
sign_common(struct uk_call *call, int is_digest)
{
	static const char *const allowed_data[] = { "token", "certId", "data",
	    "hash", "scheme", NULL };
	static const char *const allowed_digest[] = { "token", "certId",
	    "digest", "hash", "scheme", NULL };
	struct uk_sign_req req;
	const unsigned char *in = NULL;
	unsigned char *sig = NULL;
	size_t inlen = 0, siglen = 0;
	int r;

	memset(&req, 0, sizeof(req));
	if (only(call, is_digest ? allowed_digest : allowed_data) != 0 ||
	    get_token(call, 1, &req.token) != 0 ||
	    get_cert_id(call, &req.cert_id) != 0 ||
	    get_hash(call, "hash", 0, UK_HASH_SHA256, &req.hash) != 0 ||
	    get_scheme(call, &req.scheme) != 0 ||
	    uk_param_base64_take(call->params, is_digest ? "digest" : "data",
	    1, is_digest ? UK_HASH_MAX_LEN : DATA_MAX, &in, &inlen, WHY) != 0)
		return uk_call_bad_param(call);
	if (is_digest && inlen != uk_hash_len(req.hash)) {
		return uk_call_fail(call, UK_ERR_INVALID_PARAM, "'digest' must "
		    "be %zu bytes for %s", uk_hash_len(req.hash),
		    uk_hash_name(req.hash));
	}
	req.data = in;
	req.len = inlen;
	req.hash_strict = cJSON_HasObjectItem(call->params, "hash");
	req.is_digest = is_digest;
	r = uk_token_sign(call->ctx, &req, &sig, &siglen);
	if (r == UK_ERR_MECHANISM)
		return uk_call_fail(call, r, "the key cannot sign this way "
		    "(scheme %s, hash %s; SM2 keys: scheme sm2, hash sm3, "
		    "data not digest)", req.scheme == UK_SCHEME_AUTO ? "auto" :
		    "as given", uk_hash_name(req.hash));
	if (r == 0)
		r = add_b64(call, "signature", sig, siglen);
	free(sig);
	return r;
}

static int
m_sign_data(struct uk_call *call)
{
	return sign_common(call, 0);
}

static int
m_sign_digest(struct uk_call *call)
{
	return sign_common(call, 1);
}

static int
m_sign_cms(struct uk_call *call)
{
	static const char *const allowed[] = { "token", "certId", "data",
	    "detached", "hash", NULL };
	const char *token, *cert_id = NULL;
	const unsigned char *in = NULL;
	struct uk_cms_parts cms;
	struct uk_span spans[3];
	size_t inlen = 0;
	enum uk_hash h;
	cJSON *res;
	int detached = 0, r;

	/* The data is decoded where it arrived and an attached result is
	 * sent from there: a 20 MiB document costs its request text once. */
	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0 ||
	    get_cert_id(call, &cert_id) != 0 ||
	    get_hash(call, "hash", 0, UK_HASH_SHA256, &h) != 0 ||
	    uk_param_bool(call->params, "detached", 0, 0, &detached,
	    WHY) != 0 ||
	    uk_param_base64_take(call->params, "data", 1, DATA_MAX, &in,
	    &inlen, WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_token_sign_cms_parts(call->ctx, token, cert_id, in, inlen,
	    detached, h, cJSON_HasObjectItem(call->params, "hash"),
	    &cms)) != 0)
		return uk_call_fail(call, r, "%s", r == UK_ERR_MECHANISM &&
		    cJSON_HasObjectItem(call->params, "hash") ?
		    "the key cannot sign with this hash (SM2: sm3)" : "");
	spans[0] = (struct uk_span){ cms.buf, cms.head };
	spans[1] = (struct uk_span){ cms.content, cms.contentlen };
	spans[2] = (struct uk_span){ cms.buf + cms.head, cms.tail };
	if ((res = uk_call_result(call)) == NULL) {
		free(cms.buf);
		return UK_ERR_ALLOC_FAIL;
	}
	return uk_call_add_base64(call, res, "cms", spans, 3, cms.buf);
}

static int
m_sign_verify(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", "data", "digest",
	    "hash", "scheme", "signature", NULL };
	const unsigned char *in = NULL, *sig = NULL;
	size_t inlen = 0, siglen = 0;
	enum uk_sig_scheme scheme;
	enum uk_hash h;
	X509 *cert = NULL;
	int r, is_digest;

	if (only(call, allowed) != 0 ||
	    get_hash(call, "hash", 0, UK_HASH_SHA256, &h) != 0 ||
	    get_scheme(call, &scheme) != 0)
		return uk_call_bad_param(call);
	is_digest = cJSON_HasObjectItem(call->params, "digest");
	if (is_digest == cJSON_HasObjectItem(call->params, "data"))
		return uk_call_fail(call, UK_ERR_INVALID_PARAM, "give exactly "
		    "one of 'data' and 'digest'");
	if ((r = get_cert(call, &cert)) != 0)
		return r;
	if (uk_param_base64_take(call->params, is_digest ? "digest" : "data",
	    1, DATA_MAX, &in, &inlen, WHY) != 0 ||
	    uk_param_base64_take(call->params, "signature", 1, 4096, &sig,
	    &siglen, WHY) != 0) {
		r = uk_call_bad_param(call);
		goto out;
	}
	if ((r = uk_verify(cert, in, inlen, is_digest, h, scheme, sig,
	    siglen)) != 0)
		goto out;
	r = cJSON_AddTrueToObject(uk_call_result(call), "ok") ? 0 :
	    UK_ERR_ALLOC_FAIL;
 out:
	X509_free(cert);
	return r;
}

static int
m_sign_verify_cms(struct uk_call *call)
{
	static const char *const allowed[] = { "cms", "data", NULL };
	const unsigned char *cms = NULL, *data = NULL;
	unsigned char *content = NULL, *der = NULL;
	size_t cmslen = 0, datalen = 0, contentlen = 0;
	X509 *signer = NULL;
	cJSON *res;
	int r, n;

	if (only(call, allowed) != 0 ||
	    uk_param_base64_take(call->params, "cms", 1, DATA_MAX, &cms,
	    &cmslen, WHY) != 0 ||
	    uk_param_base64_take(call->params, "data", 0, DATA_MAX, &data,
	    &datalen, WHY) != 0) {
		r = uk_call_bad_param(call);
		goto out;
	}
	if ((r = uk_verify_cms(cms, cmslen, data, datalen, &content,
	    &contentlen, &signer)) != 0)
		goto out;
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddTrueToObject(res, "ok") == NULL)
		goto out;
	if (content != NULL) {
		struct uk_span sp = { content, contentlen };

		/* The content goes out from its buffer, which the reply
		 * frees. */
		r = uk_call_add_base64(call, res, "content", &sp, 1, content);
		content = NULL;
		if (r != 0)
			goto out;
		r = UK_ERR_ALLOC_FAIL;
	}
	if (signer != NULL && ((n = i2d_X509(signer, &der)) <= 0 ||
	    uk_json_add_base64(res, "signer", der, (size_t)n) != 0))
		goto out;
	/* success */
	r = 0;
 out:
	OPENSSL_free(der);
	X509_free(signer);
	free(content);
	return r;
}

static int
m_crypto_digest(struct uk_call *call)
{
	static const char *const allowed[] = { "data", "hash", NULL };
	const unsigned char *in = NULL;
	unsigned char md[UK_HASH_MAX_LEN];
	size_t inlen = 0, mdlen = 0;
	enum uk_hash h;
	int r;

	if (only(call, allowed) != 0 ||
	    get_hash(call, "hash", 1, UK_HASH_NONE, &h) != 0 ||
	    uk_param_base64_take(call->params, "data", 1, DATA_MAX, &in,
	    &inlen, WHY) != 0)
		return uk_call_bad_param(call);
	r = uk_digest(h, in, inlen, md, &mdlen);
	return r != 0 ? r : add_b64(call, "digest", md, mdlen);
}

static int
m_crypto_random(struct uk_call *call)
{
	static const char *const allowed[] = { "length", "token", NULL };
	unsigned char buf[RANDOM_MAX];
	const char *token = NULL;
	int64_t len;
	int r;

	if (only(call, allowed) != 0 || get_token(call, 0, &token) != 0 ||
	    uk_param_int(call->params, "length", 1, 1, RANDOM_MAX, 0, &len,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_token_random(call->ctx, token, buf, (size_t)len)) == 0)
		r = add_b64(call, "random", buf, (size_t)len);
	uk_wipe(buf, sizeof(buf));
	return r;
}

static int
m_crypto_envelope(struct uk_call *call)
{
	static const char *const allowed[] = { "cert", "data", NULL };
	const unsigned char *in = NULL;
	unsigned char *env = NULL;
	size_t inlen = 0, envlen = 0;
	X509 *cert = NULL;
	struct uk_span sp;
	cJSON *res;
	int r;

	if (only(call, allowed) != 0)
		return uk_call_bad_param(call);
	if ((r = get_cert(call, &cert)) != 0)
		return r;
	if (uk_param_base64_take(call->params, "data", 1, DATA_MAX, &in,
	    &inlen, WHY) != 0) {
		X509_free(cert);
		return uk_call_bad_param(call);
	}
	r = uk_envelope(cert, in, inlen, &env, &envlen);
	X509_free(cert);
	if (r != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL) {
		free(env);
		return UK_ERR_ALLOC_FAIL;
	}
	/* Sent from the DER buffer, which the reply frees. */
	sp = (struct uk_span){ env, envlen };
	return uk_call_add_base64(call, res, "envelope", &sp, 1, env);
}

static int
m_crypto_decrypt(struct uk_call *call)
{
	static const char *const allowed[] = { "token", "certId", "envelope",
	    NULL };
	const char *token, *cert_id = NULL;
	const unsigned char *in = NULL;
	unsigned char *out = NULL;
	size_t inlen = 0, outlen = 0;
	char why[UK_DETAIL_MAX];
	int r;

	if (only(call, allowed) != 0 || get_token(call, 1, &token) != 0 ||
	    get_cert_id(call, &cert_id) != 0 ||
	    uk_param_base64_take(call->params, "envelope", 1, DATA_MAX, &in,
	    &inlen, WHY) != 0)
		return uk_call_bad_param(call);
	r = uk_token_decrypt_cms(call->ctx, token, cert_id, in, inlen, &out,
	    &outlen, why, sizeof(why));
	if (r != 0)
		return uk_call_fail(call, r, "%s", why);
	r = add_b64(call, "data", out, outlen);
	uk_freezero(out, outlen);
	return r;
}

static const struct uk_method token_methods[] = {
	{ "token.list", m_token_list, UK_CAP_READ,
	    "tokens present, with PIN state" },
	{ "token.pinState", m_token_pin_state, UK_CAP_READ,
	    "PIN state of one token" },
	{ "token.login", m_token_login, UK_CAP_SIGN,
	    "log in to a token (PIN, or the pinpad)" },
	{ "token.logout", m_token_logout, UK_CAP_SIGN,
	    "log out and end the token session" },
	{ "token.changePin", m_token_change_pin, UK_CAP_SIGN,
	    "change the user PIN" },
	{ "cert.list", m_cert_list, UK_CAP_READ,
	    "certificates on the tokens, with parsed fields" },
	{ "sign.data", m_sign_data, UK_CAP_SIGN,
	    "hash and sign data with a token key" },
	{ "sign.digest", m_sign_digest, UK_CAP_SIGN,
	    "sign a digest with a token key" },
	{ "sign.cms", m_sign_cms, UK_CAP_SIGN,
	    "CMS/PKCS#7 SignedData with a token key" },
	{ "sign.verify", m_sign_verify, UK_CAP_SIGN,
	    "verify a raw signature against a certificate" },
	{ "sign.verifyCms", m_sign_verify_cms, UK_CAP_SIGN,
	    "verify a CMS/PKCS#7 SignedData" },
	{ "crypto.digest", m_crypto_digest, UK_CAP_SIGN,
	    "digest of data" },
	{ "crypto.random", m_crypto_random, UK_CAP_SIGN,
	    "random bytes (token or host)" },
	{ "crypto.envelope", m_crypto_envelope, UK_CAP_SIGN,
	    "PKCS#7 EnvelopedData to a certificate" },
	{ "crypto.decrypt", m_crypto_decrypt, UK_CAP_SIGN,
	    "open a PKCS#7 EnvelopedData with a token key" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_token_module = {
	.name = "token",
	.methods = token_methods,
	.tick = tk_tick,
	.fini = tk_fini,
	.diagnose = tk_diagnose,
};
