/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Internals shared by net*.c only: the per-process state, the parsed
 * "network" configuration and the cache.  Nothing outside net*.c includes
 * this.
 */
#ifndef UK_NET_INT_H
#define UK_NET_INT_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "net.h"

#define UK_NET_HOSTS_MAX	64
#define UK_NET_HOST_LEN		256
#define UK_NET_MEMCACHE_MAX	256	/* verified answers kept in memory */

struct uk_net_conf {
	char allow[UK_NET_HOSTS_MAX][UK_NET_HOST_LEN];
	size_t nallow;
	char revoc[UK_NET_HOSTS_MAX][UK_NET_HOST_LEN];
	size_t nrevoc;
	char proxy[UK_NET_URL_MAX];
	int proxy_set;			/* 0: environment */
	char noproxy[1024];
	int noproxy_set;
	char cafile[PATH_MAX];
	long connect_ms, total_ms, low_speed_bytes, low_speed_s;
	long revoc_total_ms;		/* total for OCSP, CRL, caIssuers */
	size_t max[UK_NET_PURPOSE_COUNT];
	char cachedir[PATH_MAX];
	uint64_t cache_max;
	int plain_loopback;
	int max_redirects;
};

/* One verified revocation answer for (issuer key hash, serial). */
struct uk_net_memcache {
	unsigned char key[32];		/* SHA-256 of issuer SPKI + serial */
	int status;			/* 0 or CERT_REVOKED/STATUS_UNKNOWN */
	time_t until;			/* nextUpdate */
	char source[8];
	int used;
};

struct uk_net_state {
	struct uk_net_conf conf;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
	STACK_OF(X509) *extra_ca;	/* network.caFile */
	struct uk_net_stats stats;
	struct uk_net_memcache mem[UK_NET_MEMCACHE_MAX];
	size_t mem_next;
};

/* The state of ctx, created on first use.  0, ALLOC_FAIL or CONFIG. */
int uk_net_state(struct uk_ctx *ctx, struct uk_net_state **nsp) UK_WUR;

/* Releases the state of ctx (module fini). */
void uk_net_fini(struct uk_ctx *ctx);

/* Parses the section (already validated) into conf, defaults first. */
int uk_net_conf_parse(const cJSON *sec, struct uk_net_conf *conf) UK_WUR;

/* Disk cache (net_cache.c).  kind: "ocsp", "crl", "issuer"; key: text
 * (URL or id).  get: 0 and a malloc'd copy, or UK_ERR_CERT_NOT_FOUND when
 * absent.  put: best effort; evicts the oldest entries over the cap. */
int uk_net_cache_get(struct uk_net_state *ns, const char *kind,
    const char *key, unsigned char **bufp, size_t *lenp) UK_WUR;
void uk_net_cache_put(struct uk_net_state *ns, const char *kind,
    const char *key, const unsigned char *p, size_t len);
void uk_net_cache_drop(struct uk_net_state *ns, const char *kind,
    const char *key);

/*
 * The parsers of fetched bodies, reachable without a network (fuzzing):
 * uk_net_check_response checks a raw OCSP response (kind "ocsp") or CRL
 * ("crl") for cert issued by issuer at now, exactly as a fetched one
 * (chain/store for the OCSP signer); returns the codes of
 * uk_net_revocation_check.  uk_net_parse_certs: the certificates of a
 * caIssuers body (DER or PEM, certificate or PKCS#7); NULL when out of
 * memory, caller frees with sk_X509_pop_free.
 */
int uk_net_check_response(const char *kind, const unsigned char *p,
    size_t len, X509 *cert, X509 *issuer, STACK_OF(X509) *chain,
    X509_STORE *store, time_t now, char *detail, size_t detlen) UK_WUR;
STACK_OF(X509) *uk_net_parse_certs(const unsigned char *buf, size_t len);

#endif /* UK_NET_INT_H */
