/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Chains: the trust anchors of the configuration, missing issuers fetched
 * from AIA caIssuers (cached on disk), and chain verification followed by
 * the revocation check.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "log.h"
#include "net_int.h"
#include "x509.h"

#define UK_NET_ISSUER_TRIES	4	/* missing issuers fetched per chain */

int
uk_net_trust_store(struct uk_ctx *ctx, X509_STORE **storep)
{
	const cJSON *paths, *e;
	X509_STORE *st = NULL;
	int r = UK_ERR_INTERNAL;

	*storep = NULL;
	if ((st = X509_STORE_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	X509_STORE_set_verify_cb(st, uk_x509_verify_cb);	/* SM2 IDs */
	paths = ctx->cfg ? uk_config_section(ctx->cfg, "trustAnchors") : NULL;
	if (cJSON_GetArraySize(paths) == 0 &&
	    X509_STORE_set_default_paths(st) != 1) {
		r = UK_ERR_CONFIG;
		goto out;
	}
	cJSON_ArrayForEach(e, paths) {
		ERR_clear_error();
		if (!cJSON_IsString(e) ||
		    X509_STORE_load_file(st, e->valuestring) != 1) {
			uk_error("cannot load trust anchors from %s",
			    cJSON_IsString(e) ? e->valuestring : "?");
			ERR_clear_error();
			r = UK_ERR_CONFIG;
			goto out;
		}
	}
	/* success */
	*storep = st;
	st = NULL;
	r = 0;
 out:
	X509_STORE_free(st);
	return r;
}

/* Certificates from a caIssuers body: DER or PEM, certificate or PKCS#7. */
STACK_OF(X509) *
uk_net_parse_certs(const unsigned char *buf, size_t len)
{
	STACK_OF(X509) *sk = NULL, *src = NULL;
	const unsigned char *p = buf;
	PKCS7 *p7 = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	int i;

	if ((sk = sk_X509_new_null()) == NULL)
		return NULL;
	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL && p == buf + len) {
		if (!sk_X509_push(sk, x))
			X509_free(x);
		return sk;
	}
	X509_free(x);
	p = buf;
	if ((p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL &&
	    (bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		if ((p7 = PEM_read_bio_PKCS7(bio, NULL, NULL, NULL)) == NULL) {
			(void)BIO_reset(bio);
			while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
				if (!sk_X509_push(sk, x))
					X509_free(x);
		}
	}
	if (p7 != NULL && PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		src = p7->d.sign->cert;
	for (i = 0; i < sk_X509_num(src); i++)
		if (sk_X509_push(sk, X509_dup(sk_X509_value(src, i))) <= 0)
			break;
	ERR_clear_error();
	PKCS7_free(p7);
	BIO_free(bio);
	return sk;
}

static int
keep_issuers(X509 *cert, STACK_OF(X509) *sk)
{
	int i, n = 0;

	for (i = 0; i < sk_X509_num(sk); i++)
		if (sk_X509_value(sk, i) != NULL &&
		    X509_check_issued(sk_X509_value(sk, i), cert) == X509_V_OK)
			n++;
	return n;
}

int
uk_net_fetch_issuer(struct uk_ctx *ctx, X509 *cert, STACK_OF(X509) **certsp)
{
	struct uk_net_state *ns;
	AUTHORITY_INFO_ACCESS *aia = NULL;
	ACCESS_DESCRIPTION *ad;
	STACK_OF(X509) *sk = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	const char *url;
	int i, tried = 0, cached, r = UK_ERR_INTERNAL;

	*certsp = NULL;
	if ((r = uk_net_state(ctx, &ns)) != 0)
		return r;
	aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
	r = UK_ERR_NO_REVOCATION_SOURCE;
	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia) && tried < 4; i++) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers ||
		    ad->location->type != GEN_URI)
			continue;
		url = (const char *)ASN1_STRING_get0_data(
		    ad->location->d.uniformResourceIdentifier);
		tried++;
		free(buf);
		buf = NULL;
		cached = uk_net_cache_get(ns, "issuer", url, &buf, &len) == 0;
		if (!cached && (r = uk_net_fetch(ctx, url, UK_NET_ISSUER, 0,
		    &buf, &len)) != 0)
			continue;
		sk_X509_pop_free(sk, X509_free);
		if ((sk = uk_net_parse_certs(buf, len)) == NULL) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		if (keep_issuers(cert, sk) == 0) {
			uk_warn("caIssuers %s gave no issuer of the "
			    "certificate", url);
			if (cached)
				uk_net_cache_drop(ns, "issuer", url);
			r = UK_ERR_GET_CHAIN;
			continue;
		}
		if (cached)
			ns->stats.cache_disk_hits++;
		else
			uk_net_cache_put(ns, "issuer", url, buf, len);
		/* success */
		*certsp = sk;
		sk = NULL;
		r = 0;
		goto out;
	}
 out:
	free(buf);
	sk_X509_pop_free(sk, X509_free);
	AUTHORITY_INFO_ACCESS_free(aia);
	return r;
}

/* x509's missing-issuer hook (x509.h). */
int
uk_issuer_fetch(struct uk_ctx *ctx, X509 *cert, STACK_OF(X509) **certsp)
{
	return uk_net_fetch_issuer(ctx, cert, certsp);
}

static int
map_verify_error(int err, char *detail, size_t detlen)
{
	snprintf(detail, detlen, "%s", X509_verify_cert_error_string(err));
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return UK_ERR_CERT_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		return UK_ERR_GET_CHAIN;
	default:
		return UK_ERR_VERIFY_CHAIN;
	}
}

int
uk_net_verify(struct uk_ctx *ctx, X509 *leaf, STACK_OF(X509) *extra,
    X509_STORE *store, int revocation, const char **sourcep, char *detail,
    size_t detlen)
{
	X509_STORE_CTX *sc = NULL;
	STACK_OF(X509) *untrusted = NULL, *fetched = NULL, *chain = NULL;
	X509 *cur;
	int tries, err, r = UK_ERR_INTERNAL;

	if (sourcep != NULL)
		*sourcep = NULL;
	detail[0] = '\0';
	if ((untrusted = extra ? sk_X509_dup(extra) : sk_X509_new_null()) ==
	    NULL || (sc = X509_STORE_CTX_new()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	for (tries = 0;; tries++) {
		ERR_clear_error();
		if (X509_STORE_CTX_init(sc, store, leaf, untrusted) != 1) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		if (X509_verify_cert(sc) == 1)
			break;
		err = X509_STORE_CTX_get_error(sc);
		r = map_verify_error(err, detail, detlen);
		cur = X509_STORE_CTX_get_current_cert(sc);
		if (r != UK_ERR_GET_CHAIN || cur == NULL ||
		    tries >= UK_NET_ISSUER_TRIES)
			goto out;
		sk_X509_pop_free(fetched, X509_free);
		fetched = NULL;
		if ((r = uk_net_fetch_issuer(ctx, cur, &fetched)) != 0) {
			snprintf(detail, detlen, "issuer missing and not "
			    "available from caIssuers (%s)", uk_err_en(r));
			if (r != UK_ERR_ALLOC_FAIL)
				r = UK_ERR_GET_CHAIN;
			goto out;
		}
		/* Fetched certificates go after extra's (borrowed) ones
		 * and are freed at out. */
		while (sk_X509_num(fetched) > 0) {
			cur = sk_X509_shift(fetched);
			if (!sk_X509_push(untrusted, cur)) {
				X509_free(cur);
				r = UK_ERR_ALLOC_FAIL;
				goto out;
			}
		}
		X509_STORE_CTX_cleanup(sc);
	}
	if ((chain = X509_STORE_CTX_get1_chain(sc)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	r = revocation ? uk_net_revocation_check(ctx, chain, store, 0, sourcep,
	    detail, detlen) : 0;
 out:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(fetched, X509_free);
	if (untrusted != NULL) {
		/* Free what was fetched (pushed after extra's entries). */
		while (sk_X509_num(untrusted) > (extra ? sk_X509_num(extra) : 0))
			X509_free(sk_X509_pop(untrusted));
		sk_X509_free(untrusted);
	}
	X509_STORE_CTX_free(sc);
	return r;
}
