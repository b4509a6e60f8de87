/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The network: the only module that calls libcurl (host/doc/config.md,
 * section "network"; host/doc/net.md).
 *
 * What it promises:
 *  - every transfer goes through one handle setup (net.c: setup_handle)
 *    sharing connections, DNS and TLS sessions through one share handle;
 *  - downloads (seal, cert) are HTTPS only, with peer and host verification
 *    always on (system CA bundle plus network.caFile); plain http:// only to
 *    127.0.0.1 when network.allowPlainHttpLoopback is set (tests);
 *  - revocation data (OCSP, CRL, caIssuers) may use http:// as RFC 5280 and
 *    RFC 6960 intend: it is signed and verified before use;
 *  - every host, including each redirect hop, must be on the allowlist of
 *    the purpose (network.allowHosts, network.revocationHosts);
 *  - every body has a maximum size (abort as soon as it is exceeded),
 *    every transfer a connect, total and low-speed timeout;
 *  - files are written atomically (temporary file + rename): a reader sees
 *    the old content or the new, never half of it;
 *  - bodies above UK_NET_PROGRESS_MIN send progress events.
 *
 * Revocation (net_revoke.c): OCSP from the AIA first, CRL distribution
 * points as the fallback, responses verified with OpenSSL (signature,
 * responder authorisation, nonce or freshness), results cached in memory
 * and on disk (net_cache.c) until their nextUpdate.
 */
#ifndef UK_NET_H
#define UK_NET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include <cjson/cJSON.h>

#include "uk_setup.h"

struct uk_ctx;

/* Size caps by purpose (defaults; network.max*Bytes override). */
#define UK_NET_MAX_SEAL_DEF	(16 * 1024 * 1024)
#define UK_NET_MAX_CERT_DEF	(256 * 1024)
#define UK_NET_MAX_OCSP_DEF	(256 * 1024)
#define UK_NET_MAX_CRL_DEF	(32 * 1024 * 1024)
#define UK_NET_MAX_HARD		(256 * 1024 * 1024)	/* any body */
#define UK_NET_PROGRESS_MIN	(1024 * 1024)	/* progress events above */
#define UK_NET_URL_MAX		2048
#define UK_NET_DETAIL_MAX	192
#define UK_NET_CTYPE_MAX	128

enum uk_net_purpose {
	UK_NET_SEAL = 0,	/* seal package (download allowlist, HTTPS) */
	UK_NET_CERT,		/* certificate (download allowlist, HTTPS) */
	UK_NET_OCSP,		/* OCSP (revocation allowlist, POST allowed) */
	UK_NET_CRL,		/* CRL (revocation allowlist) */
	UK_NET_ISSUER,		/* AIA caIssuers (revocation allowlist) */
	UK_NET_PURPOSE_COUNT
};

/* One transfer.  Inputs first; the rest is written by uk_net_request. */
struct uk_net_req {
	const char *url;
	enum uk_net_purpose purpose;
	size_t max;			/* 0: the purpose's configured cap */
	const unsigned char *body;	/* POST body; NULL for GET */
	size_t bodylen;
	const char *body_type;		/* Content-Type of body */
	char ctype[UK_NET_CTYPE_MAX];	/* out: response Content-Type */
	char detail[UK_NET_DETAIL_MAX];	/* out: technical detail */
	long status;			/* out: final HTTP status */
};

/*
 * Performs req.  Returns 0 with *bufp (malloc'd, caller frees; NUL after
 * the last byte, not counted) and *lenp; else outputs NULL/0 and one of:
 * INVALID_PARAM (not a URL), INSECURE_URL (not https, or http not allowed),
 * HOST_NOT_ALLOWED (host or a redirect hop off the allowlist), NETWORK
 * (cannot connect/resolve), TLS_VERIFY, TIMEOUT (connect, total or
 * low-speed), HTTP_STATUS (>= 400 or too many redirects),
 * DOWNLOAD_TOO_LARGE, DOWNLOAD_TRUNCATED, ALLOC_FAIL.  req->detail says
 * more (never a secret).
 */
int uk_net_request(struct uk_ctx *ctx, struct uk_net_req *req,
    unsigned char **bufp, size_t *lenp) UK_WUR;

/* GET url for purpose with cap max (0 = configured).  Same codes. */
int uk_net_fetch(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, size_t max, unsigned char **bufp,
    size_t *lenp) UK_WUR;

/* GET url into path atomically (temporary file in the same directory,
 * fsync, rename).  On failure path is untouched.  Same codes + SYSTEM. */
int uk_net_fetch_file(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, size_t max, const char *path) UK_WUR;

/* Writes p[0..len) to path atomically, mode 0600.  0 or UK_ERR_SYSTEM. */
int uk_net_write_atomic(const char *path, const void *p, size_t len) UK_WUR;

/* Checks url against the rules of purpose without any network access:
 * 0, INVALID_PARAM, INSECURE_URL or HOST_NOT_ALLOWED. */
int uk_net_url_allowed(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, char *detail, size_t detlen) UK_WUR;

/* Counters (for tests and --diagnose). */
struct uk_net_stats {
	uint64_t transfers;		/* HTTP requests sent */
	uint64_t cache_mem_hits;	/* answers from memory */
	uint64_t cache_disk_hits;	/* answers from the disk cache */
};
void uk_net_stats(struct uk_ctx *ctx, struct uk_net_stats *st);

/* Validates the "network" configuration section (config.c's table). */
int uk_net_config_validate(const cJSON *v, char *why, size_t whylen) UK_WUR;

/*
 * Revocation status of chain[0] (a verified chain: leaf first, the trust
 * anchor last) using store for the responders' chains.  Each certificate
 * below the anchor that names an OCSP responder or CRL is checked; the leaf
 * must name one.  OCSP first, CRL as fallback when OCSP is absent or cannot
 * be reached.  now = 0: the current time.
 *
 * Returns 0 when good, else CERT_REVOKED, CERT_STATUS_UNKNOWN,
 * OCSP_CONNECT, OCSP_REQUEST, OCSP_RESPONSE, OCSP_FORMAT, OCSP_EXPIRED,
 * OCSP_SIGNATURE, CRL_FORMAT, CRL_EXPIRED, CRL_SIGNATURE,
 * NO_REVOCATION_SOURCE, HOST_NOT_ALLOWED, ALLOC_FAIL.  detail (may be
 * NULL) says which source answered or why it failed; *sourcep (may be
 * NULL) gets "ocsp", "crl" or "cache".
 */
int uk_net_revocation_check(struct uk_ctx *ctx, STACK_OF(X509) *chain,
    X509_STORE *store, time_t now, const char **sourcep, char *detail,
    size_t detlen) UK_WUR;

/*
 * Fetches the issuer(s) of cert from its AIA caIssuers URLs (DER
 * certificate or PKCS#7 certs-only, DER or PEM), cached on disk.  Returns 0
 * and *certsp (caller frees with sk_X509_pop_free) holding at least one
 * certificate whose subject is cert's issuer; NO_REVOCATION_SOURCE when
 * cert has no caIssuers URL, GET_CHAIN when nothing usable was fetched, or
 * a code of uk_net_request.
 */
int uk_net_fetch_issuer(struct uk_ctx *ctx, X509 *cert,
    STACK_OF(X509) **certsp) UK_WUR;

/*
 * Builds and verifies the chain of leaf (extra: untrusted certificates,
 * may be NULL) against store, fetching a missing issuer through
 * uk_net_fetch_issuer, then checks revocation when revocation is set.
 * Returns 0 or VERIFY_CHAIN, CERT_EXPIRED, GET_CHAIN or a code of
 * uk_net_revocation_check.  This is what cert.verify with configuration 1
 * needs; x509's cert.verify reaches uk_net_revocation_check through
 * uk_revocation_check (x509.h), implemented in net_revoke.c.
 */
int uk_net_verify(struct uk_ctx *ctx, X509 *leaf, STACK_OF(X509) *extra,
    X509_STORE *store, int revocation, const char **sourcep, char *detail,
    size_t detlen) UK_WUR;

/* Store of the configured trust anchors (config "trustAnchors").  0 and
 * *storep (caller frees), CONFIG when a file cannot be read, ALLOC_FAIL. */
int uk_net_trust_store(struct uk_ctx *ctx, X509_STORE **storep) UK_WUR;

/* Drops the in-memory revocation cache (tests, benchmarks). */
void uk_net_forget(struct uk_ctx *ctx);

#endif /* UK_NET_H */
