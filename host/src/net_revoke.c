/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Revocation: OCSP (responder from the AIA) first, CRL (distribution
 * points) as the fallback when OCSP is absent or unreachable.  A response
 * is used only after OpenSSL verified its signature (and, for OCSP, that
 * the signer is the issuer or a responder the issuer authorised), and its
 * freshness: thisUpdate not in the future, nextUpdate not past (5 minutes
 * of clock skew allowed), the nonce echoed or the response recent.
 *
 * Verified answers are kept in memory until their nextUpdate, and the raw
 * responses on disk (net_cache.c), so a second check within validity makes
 * no request at all.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "host.h"
#include "log.h"
#include "net_int.h"
#include "sign.h"
#include "x509.h"

#define UK_NET_SKEW		300	/* seconds of clock skew allowed */
#define UK_NET_OCSP_MAXAGE	86400	/* no nonce, no nextUpdate: age max */
#define UK_NET_URLS_MAX		4	/* URLs tried per kind */

/* One certificate being checked. */
struct rctx {
	struct uk_ctx *ctx;
	struct uk_net_state *ns;
	X509 *cert, *issuer;
	STACK_OF(X509) *chain;
	X509_STORE *store;
	time_t now;
	char *detail;
	size_t detlen;
	const char *source;
	time_t until;		/* answer valid until; 0: do not keep */
};

static time_t
asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static int
cmp_time(const ASN1_TIME *t, time_t when)
{
	return ASN1_TIME_cmp_time_t(t, when);
}

/* Key of the in-memory cache: SHA-256(issuer key digest || serial). */
static int
mem_key(X509 *cert, X509 *issuer, unsigned char key[32])
{
	unsigned char kd[EVP_MAX_MD_SIZE], *ser = NULL;
	unsigned int kdlen = 0, klen = 0;
	EVP_MD_CTX *md = NULL;
	int serlen, r = UK_ERR_LIBCRYPTO;

	if (X509_pubkey_digest(issuer, EVP_sha256(), kd, &kdlen) != 1 ||
	    (serlen = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert),
	    &ser)) <= 0 || (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, kd, kdlen) != 1 ||
	    EVP_DigestUpdate(md, ser, (size_t)serlen) != 1 ||
	    EVP_DigestFinal_ex(md, key, &klen) != 1)
		goto out;
	r = 0;
 out:
	OPENSSL_free(ser);
	EVP_MD_CTX_free(md);
	return r;
}

static struct uk_net_memcache *
mem_find(struct uk_net_state *ns, const unsigned char key[32], time_t now)
{
	size_t i;

	for (i = 0; i < UK_NET_MEMCACHE_MAX; i++)
		if (ns->mem[i].used && ns->mem[i].until > now &&
		    memcmp(ns->mem[i].key, key, 32) == 0)
			return &ns->mem[i];
	return NULL;
}

static void
mem_put(struct uk_net_state *ns, const unsigned char key[32], int status,
    time_t until, const char *source)
{
	struct uk_net_memcache *m = NULL;
	size_t i;

	for (i = 0; i < UK_NET_MEMCACHE_MAX && m == NULL; i++)
		if (ns->mem[i].used && memcmp(ns->mem[i].key, key, 32) == 0)
			m = &ns->mem[i];
	if (m == NULL) {
		m = &ns->mem[ns->mem_next];
		ns->mem_next = (ns->mem_next + 1) % UK_NET_MEMCACHE_MAX;
	}
	memcpy(m->key, key, 32);
	m->status = status;
	m->until = until;
	snprintf(m->source, sizeof(m->source), "%s", source);
	m->used = 1;
}

void
uk_net_forget(struct uk_ctx *ctx)
{
	if (ctx->net != NULL)
		memset(ctx->net->mem, 0, sizeof(ctx->net->mem));
}

static int
status_result(struct rctx *rc, int status, int reason, const ASN1_TIME *rev)
{
	switch (status) {
	case V_OCSP_CERTSTATUS_GOOD:
		return 0;
	case V_OCSP_CERTSTATUS_REVOKED:
		snprintf(rc->detail, rc->detlen, "revoked (%s, reason %s) at "
		    "%lld", rc->source, reason >= 0 ?
		    OCSP_crl_reason_str(reason) : "unspecified",
		    (long long)asn1_time_t(rev));
		return UK_ERR_CERT_REVOKED;
	default:
		snprintf(rc->detail, rc->detlen, "the OCSP responder does not "
		    "know the certificate");
		return UK_ERR_CERT_STATUS_UNKNOWN;
	}
}

/*
 * OCSP_basic_verify (> 0: good).  An SM2-signed response that fails it is
 * checked with the GM/T 0009 default signer ID here (OpenSSL 3.0 uses an
 * empty one), then by OpenSSL for everything but the signature: the
 * signer's chain and its authority for the certificate (OCSP_NOSIGS).
 */
static int
ocsp_verified(OCSP_BASICRESP *bs, STACK_OF(X509) *chain, X509_STORE *st)
{
	const ASN1_OBJECT *oid;
	const ASN1_OCTET_STRING *sig;
	unsigned char *tbs = NULL;
	X509 *signer = NULL;
	EVP_PKEY *pk;
	int n, ok;

	if (OCSP_basic_verify(bs, chain, st, 0) > 0)
		return 1;
	X509_ALGOR_get0(&oid, NULL, NULL, OCSP_resp_get0_tbs_sigalg(bs));
	if (OBJ_obj2nid(oid) != NID_SM2_with_SM3 ||
	    OCSP_resp_get0_signer(bs, &signer, chain) != 1 || signer == NULL ||
	    (pk = X509_get0_pubkey(signer)) == NULL || !uk_pkey_is_sm2(pk))
		return 0;
	sig = OCSP_resp_get0_signature(bs);
	if ((n = i2d_OCSP_RESPDATA(OCSP_resp_get0_respdata(bs), &tbs)) <= 0)
		return 0;
	ok = uk_verify_sm2(pk, tbs, (size_t)n, ASN1_STRING_get0_data(sig),
	    (size_t)ASN1_STRING_length(sig)) == 0;
	OPENSSL_free(tbs);
	if (!ok)
		return 0;
	ERR_clear_error();
	return OCSP_basic_verify(bs, chain, st, OCSP_NOSIGS) > 0;
}

/*
 * Checks an OCSP response (DER) for id.  oreq: the request when fresh (for
 * the nonce), NULL for a cached response.
 */
static int
ocsp_use(struct rctx *rc, OCSP_REQUEST *oreq, OCSP_CERTID *id,
    const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int st, status, reason = -1, nonce = 2, r = UK_ERR_INTERNAL;

	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		snprintf(rc->detail, rc->detlen, "not a DER OCSP response "
		    "(%zu bytes)", len);
		r = UK_ERR_OCSP_FORMAT;
		goto out;
	}
	if ((st = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(rc->detail, rc->detlen, "responder status %d (%s)",
		    st, OCSP_response_status_str(st));
		r = UK_ERR_OCSP_RESPONSE;
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		snprintf(rc->detail, rc->detlen, "no basic OCSP response");
		r = UK_ERR_OCSP_FORMAT;
		goto out;
	}
	if (oreq != NULL && (nonce = OCSP_check_nonce(oreq, bs)) == 0) {
		snprintf(rc->detail, rc->detlen, "OCSP nonce mismatch "
		    "(replayed response)");
		r = UK_ERR_OCSP_RESPONSE;
		goto out;
	}
	ERR_clear_error();
	if (!ocsp_verified(bs, rc->chain, rc->store)) {
		snprintf(rc->detail, rc->detlen, "OCSP signature or signer "
		    "not valid: %s", ERR_reason_error_string(ERR_peek_last_error())
		    ? ERR_reason_error_string(ERR_peek_last_error()) : "?");
		ERR_clear_error();
		r = UK_ERR_OCSP_SIGNATURE;
		goto out;
	}
	if (!OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd,
	    &nextupd)) {
		snprintf(rc->detail, rc->detlen, "OCSP response does not "
		    "cover the certificate");
		r = UK_ERR_OCSP_FORMAT;
		goto out;
	}
	if (cmp_time(thisupd, rc->now + UK_NET_SKEW) > 0 ||
	    (nextupd != NULL && cmp_time(nextupd, rc->now - UK_NET_SKEW) < 0)
	    || (nextupd == NULL && nonce != 1 &&
	    cmp_time(thisupd, rc->now - UK_NET_OCSP_MAXAGE) < 0)) {
		snprintf(rc->detail, rc->detlen, "OCSP response not current "
		    "(thisUpdate %lld, nextUpdate %lld, now %lld)",
		    (long long)asn1_time_t(thisupd),
		    (long long)asn1_time_t(nextupd), (long long)rc->now);
		r = UK_ERR_OCSP_EXPIRED;
		goto out;
	}
	rc->until = nextupd != NULL ? asn1_time_t(nextupd) : 0;
	r = status_result(rc, status, reason, rev);
 out:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return r;
}

static char *
certid_key(OCSP_CERTID *id)
{
	unsigned char *der = NULL;
	char *hex = NULL;
	int len, i;

	if ((len = i2d_OCSP_CERTID(id, &der)) <= 0)
		return NULL;
	if ((hex = malloc((size_t)len * 2 + 1)) != NULL)
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", der[i]);
	OPENSSL_free(der);
	return hex;
}

/* Is this transfer error "could not reach" (try the CRL instead)? */
static int
unreachable(int r)
{
	return r == UK_ERR_NETWORK || r == UK_ERR_TIMEOUT ||
	    r == UK_ERR_TLS_VERIFY || r == UK_ERR_HTTP_STATUS ||
	    r == UK_ERR_DOWNLOAD_TRUNCATED || r == UK_ERR_HOST_NOT_ALLOWED ||
	    r == UK_ERR_INSECURE_URL || r == UK_ERR_INVALID_PARAM;
}

/* Asks one responder.  *reachp = 0 when it could not be reached. */
static int
ocsp_ask(struct rctx *rc, const char *url, OCSP_CERTID *id,
    const char *key, int *reachp)
{
	struct uk_net_req req;
	OCSP_REQUEST *oreq = NULL;
	unsigned char *der = NULL, *body = NULL;
	size_t len = 0;
	int blen, r = UK_ERR_INTERNAL;

	*reachp = 1;
	memset(&req, 0, sizeof(req));
	if ((oreq = OCSP_REQUEST_new()) == NULL ||
	    OCSP_request_add0_id(oreq, OCSP_CERTID_dup(id)) == NULL ||
	    OCSP_request_add1_nonce(oreq, NULL, -1) != 1 ||
	    (blen = i2d_OCSP_REQUEST(oreq, &body)) <= 0) {
		snprintf(rc->detail, rc->detlen, "cannot encode the OCSP "
		    "request");
		r = UK_ERR_OCSP_REQUEST;
		goto out;
	}
	req.url = url;
	req.purpose = UK_NET_OCSP;
	req.body = body;
	req.bodylen = (size_t)blen;
	req.body_type = "application/ocsp-request";
	if ((r = uk_net_request(rc->ctx, &req, &der, &len)) != 0) {
		snprintf(rc->detail, rc->detlen, "OCSP %.80s: %s", url,
		    req.detail);
		if (r == UK_ERR_DOWNLOAD_TOO_LARGE)
			r = UK_ERR_OCSP_FORMAT;
		else if (unreachable(r))
			*reachp = 0;
		goto out;
	}
	rc->source = "ocsp";
	if ((r = ocsp_use(rc, oreq, id, der, len)) == 0 ||
	    r == UK_ERR_CERT_REVOKED || r == UK_ERR_CERT_STATUS_UNKNOWN) {
		if (rc->until > rc->now)
			uk_net_cache_put(rc->ns, "ocsp", key, der, len);
	}
 out:
	free(der);
	OPENSSL_free(body);
	OCSP_REQUEST_free(oreq);
	return r;
}

static int
is_answer(int r)
{
	return r == 0 || r == UK_ERR_CERT_REVOKED ||
	    r == UK_ERR_CERT_STATUS_UNKNOWN;
}

/* OCSP over the AIA URLs.  *reachp = 0 when no responder answered. */
static int
ocsp_check(struct rctx *rc, STACK_OF(OPENSSL_STRING) *urls, int *reachp)
{
	OCSP_CERTID *id = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	char *key = NULL;
	int i, r = UK_ERR_INTERNAL;

	*reachp = 1;
	if ((id = OCSP_cert_to_id(EVP_sha1(), rc->cert, rc->issuer)) == NULL
	    || (key = certid_key(id)) == NULL) {
		snprintf(rc->detail, rc->detlen, "cannot build the OCSP "
		    "certificate id");
		r = UK_ERR_OCSP_REQUEST;
		goto out;
	}
	if (uk_net_cache_get(rc->ns, "ocsp", key, &der, &len) == 0) {
		rc->source = "cache";
		if (is_answer(r = ocsp_use(rc, NULL, id, der, len))) {
			rc->ns->stats.cache_disk_hits++;
			goto out;
		}
		uk_debug_r(r, "cached OCSP response dropped: %s", rc->detail);
		uk_net_cache_drop(rc->ns, "ocsp", key);
	}
	for (i = 0; i < sk_OPENSSL_STRING_num(urls) && i < UK_NET_URLS_MAX;
	    i++) {
		r = ocsp_ask(rc, sk_OPENSSL_STRING_value(urls, i), id, key,
		    reachp);
		if (*reachp)
			break;
	}
 out:
	free(der);
	free(key);
	OCSP_CERTID_free(id);
	return r;
}

/*
 * 1 when pk signed crl.  An SM2 CRL is also checked with the GM/T 0009
 * default signer ID: OpenSSL 3.0 checks with an empty one, GM/T 0015 CAs
 * sign with the default (as for certificates, uk_x509_verify_cb).
 */
static int
crl_signed_by(X509_CRL *crl, EVP_PKEY *pk)
{
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;
	unsigned char *tbs = NULL;
	int n, ok;

	if (X509_CRL_verify(crl, pk) == 1)
		return 1;
	ERR_clear_error();
	if (X509_CRL_get_signature_nid(crl) != NID_SM2_with_SM3 ||
	    !uk_pkey_is_sm2(pk))
		return 0;
	X509_CRL_get0_signature(crl, &sig, &alg);
	if ((n = i2d_re_X509_CRL_tbs(crl, &tbs)) <= 0)
		return 0;
	ok = uk_verify_sm2(pk, tbs, (size_t)n, ASN1_STRING_get0_data(sig),
	    (size_t)ASN1_STRING_length(sig)) == 0;
	OPENSSL_free(tbs);
	ERR_clear_error();
	return ok;
}

/* Verifies a CRL (DER or PEM) for rc->cert. */
static int
crl_use(struct rctx *rc, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl = NULL;
	X509_REVOKED *rev = NULL;
	const ASN1_TIME *last, *next;
	BIO *bio = NULL;
	int r = UK_ERR_INTERNAL;

	if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		X509_CRL_free(crl);
		crl = NULL;
		if ((bio = BIO_new_mem_buf(der, (int)len)) != NULL)
			crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	}
	ERR_clear_error();
	if (crl == NULL) {
		snprintf(rc->detail, rc->detlen, "not a CRL (%zu bytes)", len);
		r = UK_ERR_CRL_FORMAT;
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(rc->issuer)) != 0 ||
	    !crl_signed_by(crl, X509_get0_pubkey(rc->issuer))) {
		ERR_clear_error();
		snprintf(rc->detail, rc->detlen, "CRL not signed by the "
		    "certificate's issuer");
		r = UK_ERR_CRL_SIGNATURE;
		goto out;
	}
	last = X509_CRL_get0_lastUpdate(crl);
	next = X509_CRL_get0_nextUpdate(crl);
	if (cmp_time(last, rc->now + UK_NET_SKEW) > 0 ||
	    (next != NULL && cmp_time(next, rc->now - UK_NET_SKEW) < 0)) {
		snprintf(rc->detail, rc->detlen, "CRL not current "
		    "(lastUpdate %lld, nextUpdate %lld)",
		    (long long)asn1_time_t(last), (long long)asn1_time_t(next));
		r = UK_ERR_CRL_EXPIRED;
		goto out;
	}
	rc->until = next != NULL ? asn1_time_t(next) : 0;
	if (X509_CRL_get0_by_cert(crl, &rev, rc->cert) == 1) {
		r = status_result(rc, V_OCSP_CERTSTATUS_REVOKED, -1,
		    X509_REVOKED_get0_revocationDate(rev));
		goto out;
	}
	r = 0;
 out:
	BIO_free(bio);
	X509_CRL_free(crl);
	return r;
}

/* URLs (http/https) of the CRL distribution points. */
static STACK_OF(OPENSSL_STRING) *
crl_urls(X509 *cert)
{
	STACK_OF(DIST_POINT) *dps;
	STACK_OF(OPENSSL_STRING) *urls;
	DIST_POINT *dp;
	GENERAL_NAME *gn;
	const char *s;
	char *dup;
	int i, j;

	if ((urls = sk_OPENSSL_STRING_new_null()) == NULL)
		return NULL;
	dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
		dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
		    j++) {
			gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname,
			    j);
			if (gn->type != GEN_URI)
				continue;
			s = (const char *)ASN1_STRING_get0_data(
			    gn->d.uniformResourceIdentifier);
			if ((strncmp(s, "http://", 7) != 0 &&
			    strncmp(s, "https://", 8) != 0) ||
			    (size_t)ASN1_STRING_length(
			    gn->d.uniformResourceIdentifier) != strlen(s))
				continue;
			if ((dup = OPENSSL_strdup(s)) == NULL ||
			    !sk_OPENSSL_STRING_push(urls, dup))
				OPENSSL_free(dup);
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return urls;
}

static int
crl_check(struct rctx *rc, STACK_OF(OPENSSL_STRING) *urls, int *reachp)
{
	struct uk_net_req req;
	unsigned char *der = NULL;
	size_t len = 0;
	const char *url;
	int i, r = UK_ERR_NETWORK;

	*reachp = 0;
	for (i = 0; i < sk_OPENSSL_STRING_num(urls) && i < UK_NET_URLS_MAX;
	    i++) {
		url = sk_OPENSSL_STRING_value(urls, i);
		free(der);
		der = NULL;
		if (uk_net_cache_get(rc->ns, "crl", url, &der, &len) == 0) {
			rc->source = "cache";
			*reachp = 1;
			if (is_answer(r = crl_use(rc, der, len))) {
				rc->ns->stats.cache_disk_hits++;
				break;
			}
			uk_net_cache_drop(rc->ns, "crl", url);
			free(der);
			der = NULL;
		}
		rc->source = "crl";
		memset(&req, 0, sizeof(req));
		req.url = url;
		req.purpose = UK_NET_CRL;
		if ((r = uk_net_request(rc->ctx, &req, &der, &len)) != 0) {
			snprintf(rc->detail, rc->detlen, "CRL %.80s: %s", url,
			    req.detail);
			if (r == UK_ERR_DOWNLOAD_TOO_LARGE) {
				r = UK_ERR_CRL_FORMAT;
				*reachp = 1;
				break;
			}
			continue;
		}
		*reachp = 1;
		if (is_answer(r = crl_use(rc, der, len)) && rc->until > rc->now)
			uk_net_cache_put(rc->ns, "crl", url, der, len);
		break;
	}
	free(der);
	return r;
}

static void
free_str(char *s)
{
	OPENSSL_free(s);
}

/* Checks one certificate against its issuer. */
static int
check_one(struct rctx *rc, int required)
{
	STACK_OF(OPENSSL_STRING) *ocsp = NULL, *crl = NULL;
	struct uk_net_memcache *m;
	unsigned char key[32];
	int ocsp_r = 0, reach = 1, r = UK_ERR_INTERNAL;
	int have_key;

	have_key = mem_key(rc->cert, rc->issuer, key) == 0;
	if (have_key && (m = mem_find(rc->ns, key, rc->now)) != NULL) {
		rc->ns->stats.cache_mem_hits++;
		rc->source = "cache";
		if (m->status != 0)
			snprintf(rc->detail, rc->detlen, "%s (cached)",
			    uk_err_en(m->status));
		return m->status;
	}
	ocsp = X509_get1_ocsp(rc->cert);
	if ((crl = crl_urls(rc->cert)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (sk_OPENSSL_STRING_num(ocsp) <= 0 && sk_OPENSSL_STRING_num(crl)
	    <= 0) {
		snprintf(rc->detail, rc->detlen, "no OCSP responder and no "
		    "CRL distribution point in the certificate");
		r = required ? UK_ERR_NO_REVOCATION_SOURCE : 0;
		goto out;
	}
	rc->until = 0;
	if (sk_OPENSSL_STRING_num(ocsp) > 0) {
		r = ocsp_r = ocsp_check(rc, ocsp, &reach);
		if (reach || sk_OPENSSL_STRING_num(crl) <= 0) {
			if (!reach && r != UK_ERR_HOST_NOT_ALLOWED)
				r = UK_ERR_OCSP_CONNECT;
			goto out;
		}
		uk_info("OCSP unreachable (%s); trying the CRL", rc->detail);
	}
	r = crl_check(rc, crl, &reach);
	if (!reach && ocsp_r != 0)
		r = ocsp_r == UK_ERR_HOST_NOT_ALLOWED ? ocsp_r :
		    UK_ERR_OCSP_CONNECT;
 out:
	if (have_key && is_answer(r) && rc->until > rc->now)
		mem_put(rc->ns, key, r, rc->until, rc->source);
	X509_email_free(ocsp);
	sk_OPENSSL_STRING_pop_free(crl, free_str);
	return r;
}

int
uk_net_check_response(const char *kind, const unsigned char *p, size_t len,
    X509 *cert, X509 *issuer, STACK_OF(X509) *chain, X509_STORE *store,
    time_t now, char *detail, size_t detlen)
{
	struct rctx rc;
	OCSP_CERTID *id = NULL;
	int r;

	memset(&rc, 0, sizeof(rc));
	rc.cert = cert;
	rc.issuer = issuer;
	rc.chain = chain;
	rc.store = store;
	rc.now = now;
	rc.detail = detail;
	rc.detlen = detlen;
	detail[0] = '\0';
	if (strcmp(kind, "crl") == 0) {
		rc.source = "crl";
		return crl_use(&rc, p, len);
	}
	rc.source = "ocsp";
	if ((id = OCSP_cert_to_id(EVP_sha1(), cert, issuer)) == NULL)
		return UK_ERR_OCSP_REQUEST;
	r = ocsp_use(&rc, NULL, id, p, len);
	OCSP_CERTID_free(id);
	return r;
}

int
uk_net_revocation_check(struct uk_ctx *ctx, STACK_OF(X509) *chain,
    X509_STORE *store, time_t now, const char **sourcep, char *detail,
    size_t detlen)
{
	struct rctx rc;
	char dummy[8];
	int i, n, r = UK_ERR_INTERNAL;

	if (sourcep != NULL)
		*sourcep = NULL;
	if (detail == NULL) {
		detail = dummy;
		detlen = sizeof(dummy);
	}
	detail[0] = '\0';
	memset(&rc, 0, sizeof(rc));
	if ((r = uk_net_state(ctx, &rc.ns)) != 0)
		return r;
	rc.ctx = ctx;
	rc.chain = chain;
	rc.store = store;
	rc.now = now ? now : time(NULL);
	rc.detail = detail;
	rc.detlen = detlen;
	n = sk_X509_num(chain);
	/* The anchor (last) is trusted as configured; no status for it. */
	for (i = 0; i + 1 < n; i++) {
		rc.cert = sk_X509_value(chain, i);
		rc.issuer = sk_X509_value(chain, i + 1);
		rc.source = NULL;
		if ((r = check_one(&rc, i == 0)) != 0) {
			uk_debug_r(r, "certificate %d of the chain: %s", i,
			    detail);
			if (sourcep != NULL)
				*sourcep = rc.source;
			return r;
		}
		if (i == 0 && sourcep != NULL)
			*sourcep = rc.source;
	}
	return 0;
}

/*
 * The x509 module's revocation hook (x509.h).  The path has already been
 * verified up to a trusted anchor; OCSP responders and CRL issuers must
 * chain to that same anchor, so the store holds just it.
 */
int
uk_revocation_check(struct uk_ctx *ctx, X509 *leaf, X509 *issuer,
    STACK_OF(X509) *chain, time_t now, char *detail, size_t detaillen)
{
	X509_STORE *store = NULL;
	int n = sk_X509_num(chain), r;

	(void)leaf;
	(void)issuer;
	if (n < 1)
		return UK_ERR_VERIFY_CHAIN;
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, sk_X509_value(chain, n - 1)) != 1) {
		X509_STORE_free(store);
		return UK_ERR_ALLOC_FAIL;
	}
	X509_STORE_set_verify_cb(store, uk_x509_verify_cb);	/* SM2 IDs */
	r = uk_net_revocation_check(ctx, chain, store, now, NULL, detail,
	    detaillen);
	X509_STORE_free(store);
	return r;
}
