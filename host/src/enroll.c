/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * enroll.*: the renewal / self-service change transaction as protocol
 * methods (host/doc/enroll.md).  No transaction state is kept in memory:
 * every call reads the journal from the token, so a restarted host (or a
 * second one) continues exactly where the last one stopped.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "enroll_int.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"
#include "token.h"
#include "wipe.h"

#define WHY		call->why, sizeof(call->why)
#define TOKEN_MAX	(UK_TOKEN_HANDLE_MAX - 1)
#define CERT_MAX	(64 * 1024)
#define CHAIN_MAX	8

/* --- State ------------------------------------------------------------- */

struct uk_enroll_state *
uk_enroll_state(struct uk_ctx *ctx)
{
	if (ctx->enroll == NULL)
		ctx->enroll = calloc(1, sizeof(*ctx->enroll));
	return ctx->enroll;
}

int
uk_enroll_settings(struct uk_call *call, const struct uk_enroll_cfg **ecp)
{
	struct uk_enroll_state *st;
	int r;

	*ecp = NULL;
	if ((st = uk_enroll_state(call->ctx)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (!st->cfg_loaded) {
		if ((r = uk_enroll_cfg_load(call->ctx->cfg, &st->cfg)) != 0)
			return uk_call_fail(call, r, "enroll settings: trust "
			    "anchors or seal CA unreadable (see the log)");
		st->cfg_loaded = 1;
	}
	*ecp = &st->cfg;
	return 0;
}

static int
seen(struct uk_enroll_state *st, const char *token, int add)
{
	char **n;
	size_t i;

	for (i = 0; i < st->nrecovered; i++)
		if (strcmp(st->recovered[i], token) == 0)
			return 1;
	if (!add || (n = realloc(st->recovered, (st->nrecovered + 1) *
	    sizeof(*n))) == NULL)
		return 0;
	st->recovered = n;
	if ((n[st->nrecovered] = strdup(token)) != NULL)
		st->nrecovered++;
	return 0;
}

static void
emit_recovered(struct uk_ctx *ctx, const char *token, cJSON *res)
{
	cJSON *ev;

	if ((ev = cJSON_Duplicate(res, 1)) == NULL ||
	    cJSON_AddStringToObject(ev, "event", "enroll.recovered") ==
	    NULL || cJSON_AddStringToObject(ev, "token", token) == NULL) {
		cJSON_Delete(ev);
		return;
	}
	(void)uk_host_emit(ctx, ev);
}

static int
open_session(struct uk_call *call, const char *token, struct uk_p11 *p,
    const struct uk_enroll_cfg **ecp, int autorecover)
{
	struct uk_enroll_state *st;
	cJSON *res = NULL;
	const cJSON *act;
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = uk_enroll_settings(call, ecp)) != 0)
		return r;
	st = call->ctx->enroll;
	if ((r = uk_token_raw(call->ctx, token, &p->fn, &p->s)) != 0)
		return uk_call_fail(call, r, "token session");
	if (!autorecover || seen(st, token, 0))
		return 0;
	if ((r = uk_enroll_recover(p, *ecp, &res)) != 0) {
		uk_warn_r(r, "automatic recovery");
		return uk_call_fail(call, r, "recovering an unfinished "
		    "transaction failed");
	}
	(void)seen(st, token, 1);
	act = cJSON_GetObjectItemCaseSensitive(res, "action");
	if (strcmp(act->valuestring, "none") != 0) {
		uk_info("recovered: %s", act->valuestring);
		uk_token_changed(call->ctx, token);
		emit_recovered(call->ctx, token, res);
	}
	cJSON_Delete(res);
	return 0;
}

int
uk_enroll_open(struct uk_call *call, const char *token, struct uk_p11 *p,
    const struct uk_enroll_cfg **ecp)
{
	return open_session(call, token, p, ecp, 1);
}

int
uk_enroll_open_ro(struct uk_call *call, const char *token, struct uk_p11 *p,
    const struct uk_enroll_cfg **ecp)
{
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = uk_enroll_settings(call, ecp)) != 0)
		return r;
	if ((r = uk_token_raw_session(call->ctx, token, &p->fn, &p->s)) != 0)
		return uk_call_fail(call, r, "token session");
	return 0;
}

int
uk_enroll_journal_for(struct uk_call *call, const struct uk_p11 *p,
    const char *txn, struct uk_journal *j)
{
	int r;

	if ((r = uk_journal_read(p, j)) != 0)
		return r;
	if (j->step == UK_STEP_NONE)
		return uk_call_fail(call, UK_ERR_TRANSACTION,
		    "no open transaction on this token");
	if (strlen(txn) != UK_TXN_HEX_LEN ||
	    uk_timingsafe_bcmp(txn, j->txn, UK_TXN_HEX_LEN) != 0)
		return uk_call_fail(call, UK_ERR_TRANSACTION,
		    "another transaction is open on this token");
	return 0;
}

static int
hex_decode(const char *s, unsigned char *buf, size_t max, size_t *lenp)
{
	size_t n = strlen(s), i;
	int hi, lo;

	*lenp = 0;
	if (n == 0 || n % 2 != 0 || n / 2 > max)
		return UK_ERR_INVALID_PARAM;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return UK_ERR_INVALID_PARAM;
	for (i = 0; i < n / 2; i++) {
		hi = s[2 * i] <= '9' ? s[2 * i] - '0' :
		    (s[2 * i] | 0x20) - 'a' + 10;
		lo = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' :
		    (s[2 * i + 1] | 0x20) - 'a' + 10;
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	*lenp = n / 2;
	return 0;
}

static int
add_time(cJSON *o, const char *key, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return UK_ERR_CERT_FORMAT;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cJSON_AddStringToObject(o, key, buf) == NULL ?
	    UK_ERR_ALLOC_FAIL : 0;
}

/* Common prologue: {token, transaction} (+ extra keys). */
static int
txn_call(struct uk_call *call, const char *const *keys, const char **tokp,
    struct uk_p11 *p, const struct uk_enroll_cfg **ecp, struct uk_journal *j)
{
	const char *txn;
	int r;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, tokp,
	    WHY) != 0 ||
	    uk_param_string(call->params, "transaction", 1, UK_TXN_HEX_LEN,
	    &txn, WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_open(call, *tokp, p, ecp)) != 0 ||
	    (r = uk_enroll_journal_for(call, p, txn, j)) != 0)
		return r;
	return 0;
}

/* --- Methods ----------------------------------------------------------- */

static int
enroll_begin(struct uk_call *call)
{
	static const char *const keys[] = { "token", "certId", "mode", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token, *cert_id, *mode;
	unsigned char id[UK_ID_MAX];
	size_t idlen;
	cJSON *res;
	int r;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0 ||
	    uk_param_string(call->params, "certId", 1, 2 * UK_ID_MAX,
	    &cert_id, WHY) != 0 ||
	    uk_param_string(call->params, "mode", 1, 8, &mode, WHY) != 0)
		return uk_call_bad_param(call);
	if (strcmp(mode, "renew") != 0 && strcmp(mode, "change") != 0)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'mode': must be renew or change");
	if (hex_decode(cert_id, id, sizeof(id), &idlen) != 0)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'certId': must be hex");
	if ((r = uk_enroll_open(call, token, &p, &ec)) != 0)
		return r;
	if ((r = uk_enroll_begin(&p, id, idlen, strcmp(mode, "change") == 0,
	    &j)) != 0)
		return uk_call_fail(call, r, r == UK_ERR_TRANSACTION ?
		    "a transaction is already open on this token" :
		    "cannot start");
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "transaction", j.txn) == NULL ||
	    cJSON_AddStringToObject(res, "step",
	    uk_step_name(j.step)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

static int
enroll_genkey(struct uk_call *call)
{
	static const char *const keys[] = { "token", "transaction",
	    "keyType", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token, *kts;
	enum uk_keytype kt;
	EVP_PKEY *pub = NULL;
	unsigned char *spki = NULL;
	char *hex = NULL;
	cJSON *res;
	int r, len;

	if ((r = txn_call(call, keys, &token, &p, &ec, &j)) != 0)
		return r;
	if (uk_param_string(call->params, "keyType", 1, 16, &kts, WHY) != 0)
		return uk_call_bad_param(call);
	if ((kt = uk_keytype_parse(kts)) == UK_KT_NONE)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM, "'keyType': "
		    "rsa2048, rsa3072, ec-p256 or sm2");
	r = uk_enroll_genkey(&p, ec, &j, kt, &pub);
	uk_token_changed(call->ctx, token);
	if (r != 0)
		return uk_call_fail(call, r, "key generation (%s)", kts);
	r = UK_ERR_ALLOC_FAIL;
	if ((len = i2d_PUBKEY(pub, &spki)) <= 0 ||
	    (hex = uk_hex_encode(j.new_id, j.new_idlen)) == NULL ||
	    (res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "keyId", hex) == NULL ||
	    cJSON_AddStringToObject(res, "label", j.new_label) == NULL ||
	    uk_json_add_base64(res, "publicKey", spki, (size_t)len) != 0)
		goto out;
	r = 0;
 out:
	OPENSSL_free(spki);
	EVP_PKEY_free(pub);
	free(hex);
	return r;
}

static int
enroll_request(struct uk_call *call)
{
	static const char *const keys[] = { "token", "transaction",
	    "subject", "countersign", "addRegistryNumbers", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token;
	const cJSON *subject, *add;
	unsigned char *der = NULL, *cms = NULL;
	size_t len, cmslen;
	char *oldhex = NULL;
	cJSON *res;
	int r, cs;

	if ((r = txn_call(call, keys, &token, &p, &ec, &j)) != 0)
		return r;
	if (uk_param_bool(call->params, "countersign", 0, 0, &cs, WHY) != 0)
		return uk_call_bad_param(call);
	subject = cJSON_GetObjectItemCaseSensitive(call->params, "subject");
	add = cJSON_GetObjectItemCaseSensitive(call->params,
	    "addRegistryNumbers");
	if ((subject != NULL && !cJSON_IsObject(subject)) ||
	    (add != NULL && !cJSON_IsObject(add)))
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'subject'/'addRegistryNumbers': must be objects");
	if ((r = uk_enroll_request(&p, ec, &j, subject, add, &der,
	    &len)) != 0) {
		r = uk_call_fail(call, r, "request");
		goto out;
	}
	if (cs) {
		if ((oldhex = uk_hex_encode(j.old_id, j.old_idlen)) == NULL) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		if ((r = uk_token_sign_cms(call->ctx, token, oldhex, der, len,
		    1, UK_HASH_SHA256, &cms, &cmslen)) != 0) {
			r = uk_call_fail(call, r, "countersignature by the "
			    "current key");
			goto out;
		}
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    uk_json_add_base64(res, "csr", der, len) != 0 ||
	    (cms != NULL && uk_json_add_base64(res, "countersignature", cms,
	    cmslen) != 0))
		goto out;
	r = 0;
 out:
	free(der);
	free(cms);
	free(oldhex);
	return r;
}

static int
parse_chain(struct uk_call *call, STACK_OF(X509) **chainp)
{
	const cJSON *arr, *e;
	unsigned char *der = NULL;
	const unsigned char *q;
	X509 *c;
	int r;

	*chainp = NULL;
	arr = cJSON_GetObjectItemCaseSensitive(call->params, "chain");
	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > CHAIN_MAX)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'chain': array of at most %d certificates", CHAIN_MAX);
	if ((*chainp = sk_X509_new_null()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	cJSON_ArrayForEach(e, arr) {
		size_t len;

		if (!cJSON_IsString(e) || (r = uk_base64_decode(e->valuestring,
		    CERT_MAX, &der, &len)) != 0)
			return uk_call_fail(call, UK_ERR_INVALID_PARAM,
			    "'chain[]': base64 certificates");
		q = der;
		c = d2i_X509(NULL, &q, (long)len);
		free(der);
		der = NULL;
		if (c == NULL)
			return uk_call_fail(call, UK_ERR_CHAIN_FORMAT,
			    "'chain[]': not a certificate");
		if (!sk_X509_push(*chainp, c)) {
			X509_free(c);
			return UK_ERR_ALLOC_FAIL;
		}
	}
	return 0;
}

static int
enroll_install(struct uk_call *call)
{
	static const char *const keys[] = { "token", "transaction", "cert",
	    "chain", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token, *reason = NULL;
	unsigned char *der = NULL;
	const unsigned char *q;
	size_t len;
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL;
	char *hex = NULL;
	cJSON *res, *ei;
	int r;

	if ((r = txn_call(call, keys, &token, &p, &ec, &j)) != 0)
		return r;
	if (uk_param_base64(call->params, "cert", 1, CERT_MAX, &der, &len,
	    WHY) != 0)
		return uk_call_bad_param(call);
	q = der;
	if ((cert = d2i_X509(NULL, &q, (long)len)) == NULL || q != der + len) {
		r = uk_call_fail(call, UK_ERR_CERT_FORMAT, "'cert'");
		goto out;
	}
	if ((r = parse_chain(call, &chain)) != 0)
		goto out;
	r = uk_enroll_install(&p, ec, &j, cert, chain, &reason);
	uk_token_changed(call->ctx, token);
	if (r != 0) {
		if (reason != NULL && (ei = uk_call_errinfo(call)) != NULL)
			(void)cJSON_AddStringToObject(ei, "reason", reason);
		r = uk_call_fail(call, r, "certificate refused: %s",
		    reason != NULL ? reason : "see the log");
		goto out;
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((hex = uk_hex_encode(j.new_id, j.new_idlen)) == NULL ||
	    (res = uk_call_result(call)) == NULL ||
	    cJSON_AddStringToObject(res, "certId", hex) == NULL ||
	    cJSON_AddStringToObject(res, "serial", j.new_serial) == NULL ||
	    (r = add_time(res, "notBefore", X509_get0_notBefore(cert))) != 0 ||
	    (r = add_time(res, "notAfter", X509_get0_notAfter(cert))) != 0)
		goto out;
	r = 0;
 out:
	sk_X509_pop_free(chain, X509_free);
	X509_free(cert);
	free(der);
	free(hex);
	return r;
}

static int
enroll_commit(struct uk_call *call)
{
	static const char *const keys[] = { "token", "transaction", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token;
	char *oldhex = NULL, *newhex = NULL;
	cJSON *res, *ret;
	int r, archived;

	if ((r = txn_call(call, keys, &token, &p, &ec, &j)) != 0)
		return r;
	if ((oldhex = uk_hex_encode(j.old_id, j.old_idlen)) == NULL ||
	    (newhex = uk_hex_encode(j.new_id, j.new_idlen)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	r = uk_enroll_commit(&p, ec, &j, &archived);
	uk_token_changed(call->ctx, token);
	if (r != 0) {
		r = uk_call_fail(call, r, "commit (the old pair is kept)");
		goto out;
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((res = uk_call_result(call)) == NULL ||
	    (ret = cJSON_AddObjectToObject(res, "retired")) == NULL ||
	    cJSON_AddStringToObject(ret, "certId", oldhex) == NULL ||
	    cJSON_AddStringToObject(ret, "serial", j.old_serial) == NULL ||
	    cJSON_AddBoolToObject(res, "archived", archived) == NULL ||
	    cJSON_AddStringToObject(res, "certId", newhex) == NULL)
		goto out;
	r = 0;
 out:
	free(oldhex);
	free(newhex);
	return r;
}

static int
enroll_abort(struct uk_call *call)
{
	static const char *const keys[] = { "token", "transaction", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token;
	int r;

	if ((r = txn_call(call, keys, &token, &p, &ec, &j)) != 0)
		return r;
	r = uk_enroll_rollback(&p, &j);
	uk_token_changed(call->ctx, token);
	if (r != 0)
		return uk_call_fail(call, r, r == UK_ERR_TRANSACTION ?
		    "the old pair is being retired: call enroll.recover" :
		    "rollback");
	return 0;
}

static int
enroll_recover(struct uk_call *call)
{
	static const char *const keys[] = { "token", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_p11 p;
	const char *token;
	cJSON *res = NULL;
	int r;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = open_session(call, token, &p, &ec, 0)) != 0)
		return r;
	(void)seen(call->ctx->enroll, token, 1);
	r = uk_enroll_recover(&p, ec, &res);
	uk_token_changed(call->ctx, token);
	if (r != 0)
		return uk_call_fail(call, r, "recovery");
	cJSON_Delete(call->result);
	call->result = res;
	return 0;
}

static int
enroll_status(struct uk_call *call)
{
	static const char *const keys[] = { "token", NULL };
	const struct uk_enroll_cfg *ec;
	struct uk_journal j;
	struct uk_p11 p;
	const char *token;
	CK_OBJECT_HANDLE h;
	size_t n;
	cJSON *res;
	int r;

	if (uk_json_only_members(call->params, keys, WHY) != 0 ||
	    uk_param_string(call->params, "token", 1, TOKEN_MAX, &token,
	    WHY) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_enroll_open_ro(call, token, &p, &ec)) != 0 ||
	    (r = uk_journal_read(&p, &j)) != 0 ||
	    (r = uk_p11_find(&p, CKO_DATA, NULL, 0, UK_PINFLAG_APP, &h, 1,
	    &n)) != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddBoolToObject(res, "pinToBeChanged", n > 0) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (j.step == UK_STEP_NONE)
		return 0;
	if (cJSON_AddStringToObject(res, "transaction", j.txn) == NULL ||
	    cJSON_AddStringToObject(res, "step", uk_step_name(j.step)) ==
	    NULL || cJSON_AddStringToObject(res, "mode",
	    j.change ? "change" : "renew") == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

static void
enroll_fini(struct uk_ctx *ctx)
{
	struct uk_enroll_state *st = ctx->enroll;
	size_t i;

	if (st == NULL)
		return;
	uk_unlock_pending_free(st->unlock);
	uk_enroll_cfg_clear(&st->cfg);
	for (i = 0; i < st->nrecovered; i++)
		free(st->recovered[i]);
	free(st->recovered);
	free(st);
	ctx->enroll = NULL;
}

static int
store_count(X509_STORE *st)
{
	return st == NULL ? 0 : sk_X509_OBJECT_num(X509_STORE_get0_objects(st));
}

/* The SM2 mechanisms in effect, and where the signing one comes from. */
static void
sm2_diagnose(const struct uk_config *cfg, const struct uk_enroll_cfg *ec,
    FILE *fp)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
	    uk_config_section(cfg, "enroll"), "sm2Mechanisms");
	const char *from = cJSON_GetObjectItemCaseSensitive(m, "sign") !=
	    NULL ? "enroll.sm2Mechanisms.sign" : "pkcs11.sm2Mechanism";

	if (ec->sm2.keygen != 0)
		fprintf(fp, "  sm2 key generation: 0x%lx "
		    "(enroll.sm2Mechanisms.keyGen)\n",
		    (unsigned long)ec->sm2.keygen);
	else
		fprintf(fp, "  sm2 key generation: none "
		    "(enroll.sm2Mechanisms.keyGen): sm2 renewals are "
		    "refused\n");
	if (ec->sm2.sign != 0)
		fprintf(fp, "  sm2 request signing: 0x%lx (%s)\n",
		    (unsigned long)ec->sm2.sign, from);
	else
		fprintf(fp, "  sm2 request signing: none (%s): sm2 renewals "
		    "are refused\n", from);
}

static int
enroll_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	struct uk_enroll_cfg ec;
	int r, kt;

	fprintf(fp, "enroll:\n");
	if ((r = uk_enroll_cfg_load(ctx->cfg, &ec)) != 0) {
		fprintf(fp, "  ! a trustAnchors or enroll.sealCA file cannot "
		    "be read: renewal and seals are refused\n");
		return 1;
	}
	fprintf(fp, "  old pair after renewal: %s\n",
	    ec.archive ? "archived" : "deleted");
	fprintf(fp, "  key types:");
	for (kt = UK_KT_RSA2048; kt <= UK_KT_SM2; kt++)
		if (ec.keytypes & (1u << kt))
			fprintf(fp, " %s",
			    uk_keytype_name((enum uk_keytype)kt));
	fprintf(fp, "\n");
	if (ec.keytypes & (1u << UK_KT_SM2))
		sm2_diagnose(ctx->cfg, &ec, fp);
	fprintf(fp, "  trust anchors for new certificates: %d%s\n",
	    store_count(ec.anchors), store_count(ec.anchors) == 0 ?
	    " (every certificate would be refused)" : "");
	fprintf(fp, "  seal CA certificates: %d%s\n", store_count(ec.seal_ca),
	    store_count(ec.seal_ca) == 0 ? " (every seal would be refused)" :
	    "");
	uk_enroll_cfg_clear(&ec);
	return 0;
}

static const struct uk_method enroll_methods[] = {
	{ "enroll.begin", enroll_begin, UK_CAP_ENROLL,
	    "start a renewal or change transaction" },
	{ "enroll.generateKeyPair", enroll_genkey, UK_CAP_ENROLL,
	    "new key pair on the token" },
	{ "enroll.createRequest", enroll_request, UK_CAP_ENROLL,
	    "PKCS#10 request signed by the new key" },
	{ "enroll.installCertificate", enroll_install, UK_CAP_ENROLL,
	    "check and write the new certificate" },
	{ "enroll.commit", enroll_commit, UK_CAP_ENROLL,
	    "test the new pair, then retire the old one" },
	{ "enroll.abort", enroll_abort, UK_CAP_ENROLL,
	    "roll back; the old pair stays" },
	{ "enroll.recover", enroll_recover, UK_CAP_ENROLL,
	    "finish or roll back an interrupted transaction" },
	{ "enroll.status", enroll_status, UK_CAP_READ,
	    "open transaction and PIN-change flag" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_enroll_module = {
	.name = "enroll",
	.methods = enroll_methods,
	.fini = enroll_fini,
	.diagnose = enroll_diagnose,
};
