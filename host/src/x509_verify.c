/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * SEH_VerifyCertificate: path to a trust anchor, validity dates, key usage,
 * and revocation through uk_revocation_check().
 *
 * The trust anchors (the shipped roots in UK_TRUST_DIR plus the
 * configuration's trustAnchors files) are read into one X509_STORE that is
 * kept between calls: reading and parsing them cost ~20 times the path
 * verification itself.  A host lives as long as its browser tab, and IT may
 * replace anchor files meanwhile, so every call first compares the files'
 * stat (device, inode, size, mtime, ctime), the trust directory's, and the
 * configured list of paths with what the store was built from; any
 * difference rebuilds it.  A file changed within UK_ANCHOR_RACY_NS of the
 * build could change again within the same timestamp tick, so such a store
 * is rebuilt on the next call too (git's "racy" rule).
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "x509.h"
#include "x509_int.h"

#ifndef UK_TRUST_DIR
#define UK_TRUST_DIR "/usr/share/ukeylink/trust"
#endif

#define UK_ANCHOR_FILE_MAX	(1024 * 1024)	/* bytes of one anchor file */
#define UK_ISSUER_FETCH_MAX	4	/* missing issuers fetched per path */
#define UK_ANCHOR_SOURCES_MAX	1024	/* files tracked; more: no caching */
/* Files changed this close to a build do not let the store be reused:
 * nanosecond timestamps tick with the kernel's coarse clock (<= 10 ms);
 * file systems with whole-second timestamps get 2 s. */
#define UK_ANCHOR_RACY_NS	(50 * 1000 * 1000LL)
#define UK_ANCHOR_RACY_COARSE_NS (2 * 1000 * 1000 * 1000LL)

/* One file or directory the store was built from, as stat() saw it. */
struct anchor_src {
	char *path;
	int present;			/* stat() succeeded */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

/* What build_store() read, in order: the trust directory's files, then
 * the trustAnchors entries (one each, present or not). */
struct anchor_set {
	struct anchor_src dir;		/* UK_TRUST_DIR itself */
	struct anchor_src *src;
	size_t n, ndir, cap;
	int untracked;			/* more than UK_ANCHOR_SOURCES_MAX */
};

/* The process's store, shared by every call (and thread) that sees the
 * same anchors.  Callers take their own reference under mu. */
static struct {
	pthread_mutex_t mu;
	X509_STORE *store;		/* NULL: nothing cached */
	int count;			/* certificates in store */
	int racy;			/* rebuild on the next call */
	struct anchor_set set;
	unsigned long builds;
} cache = { .mu = PTHREAD_MUTEX_INITIALIZER };

const char *
uk_x509_trust_dir(void)
{
	return UK_TRUST_DIR;
}

/* Reads a whole (small) file. */
static int
slurp(const char *path, unsigned char **bufp, size_t *lenp)
{
	FILE *fp;
	struct stat st;
	unsigned char *buf;
	size_t n;

	*bufp = NULL;
	*lenp = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return UK_ERR_SYSTEM;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > UK_ANCHOR_FILE_MAX) {
		fclose(fp);
		return UK_ERR_CERT_FORMAT;
	}
	if ((buf = malloc((size_t)st.st_size)) == NULL) {
		fclose(fp);
		return UK_ERR_ALLOC_FAIL;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	*bufp = buf;
	*lenp = n;
	return 0;
}

int
uk_x509_load_anchors(X509_STORE *st, const char *path, int *countp)
{
	unsigned char *buf = NULL;
	const unsigned char *p;
	size_t len;
	BIO *bio = NULL;
	X509 *x;
	int r, n = 0;

	*countp = 0;
	if ((r = slurp(path, &buf, &len)) != 0)
		return r;
	ERR_clear_error();
	if (len > 0 && buf[0] == 0x30) {
		p = buf;
		if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
			if (st == NULL || X509_STORE_add_cert(st, x) == 1)
				n++;
			X509_free(x);
		}
	} else if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if (st == NULL || X509_STORE_add_cert(st, x) == 1)
				n++;
			X509_free(x);
		}
		BIO_free(bio);
	}
	ERR_clear_error();
	free(buf);
	*countp = n;
	return n > 0 ? 0 : UK_ERR_CERT_FORMAT;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void
src_stat(struct anchor_src *s)
{
	struct stat st;

	s->present = stat(s->path, &st) == 0;
	if (!s->present)
		return;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtim = st.st_mtim;
	s->ctim = st.st_ctim;
}

static int
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* 1 when path still looks as it did when s was taken. */
static int
src_unchanged(const struct anchor_src *s)
{
	struct anchor_src now = { .path = s->path };

	src_stat(&now);
	if (now.present != s->present)
		return 0;
	return !now.present || (now.dev == s->dev && now.ino == s->ino &&
	    now.size == s->size && ts_eq(&now.mtim, &s->mtim) &&
	    ts_eq(&now.ctim, &s->ctim));
}

static long long
ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* 1 when s changed too close to built for its stat to be trusted. */
static int
src_racy(const struct anchor_src *s, const struct timespec *built)
{
	long long window;

	if (!s->present)
		return 0;
	window = s->ctim.tv_nsec == 0 && s->mtim.tv_nsec == 0 ?
	    UK_ANCHOR_RACY_COARSE_NS : UK_ANCHOR_RACY_NS;
	return ts_ns(&s->ctim) > ts_ns(built) - window ||
	    ts_ns(&s->mtim) > ts_ns(built) - window;
}

static void
set_free(struct anchor_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->src[i].path);
	free(set->src);
	free(set->dir.path);
	memset(set, 0, sizeof(*set));
}

/* Records path (stat before reading, so that a change while it is read
 * shows at the next call).  Past the cap, or out of memory, the set is
 * marked untracked and the store is not kept. */
static void
set_add(struct anchor_set *set, const char *path)
{
	struct anchor_src *n;
	size_t cap;

	if (set == NULL || set->untracked)
		return;
	if (set->n == set->cap) {
		cap = set->cap ? set->cap * 2 : 8;
		/* cap <= UK_ANCHOR_SOURCES_MAX: the product cannot wrap */
		if (cap > UK_ANCHOR_SOURCES_MAX ||
		    (n = realloc(set->src, cap * sizeof(*n))) == NULL) {
			set->untracked = 1;
			return;
		}
		set->src = n;
		set->cap = cap;
	}
	memset(&set->src[set->n], 0, sizeof(set->src[set->n]));
	if ((set->src[set->n].path = strdup(path)) == NULL) {
		set->untracked = 1;
		return;
	}
	src_stat(&set->src[set->n]);
	set->n++;
}

/* Loads every *.pem, *.crt, *.cer, *.der of dir; a missing dir is fine.
 * set (may be NULL) records what was read. */
static int
load_dir(X509_STORE *st, const char *dir, int *countp,
    struct anchor_set *set)
{
	DIR *d;
	struct dirent *de;
	char path[PATH_MAX];
	int n;

	*countp = 0;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".pem") &&
		    !has_suffix(de->d_name, ".crt") &&
		    !has_suffix(de->d_name, ".cer") &&
		    !has_suffix(de->d_name, ".der"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		set_add(set, path);
		if (uk_x509_load_anchors(st, path, &n) != 0)
			uk_warn("trust anchor %s: not a certificate", path);
		*countp += n;
	}
	closedir(d);
	return 0;
}

/* The shipped roots plus the configuration's trustAnchors; set records
 * the files read. */
static int
build_store(const struct uk_config *cfg, X509_STORE **stp, int *countp,
    struct anchor_set *set)
{
	X509_STORE *st;
	const cJSON *anchors, *a;
	int n, total = 0;

	*stp = NULL;
	*countp = 0;
	if ((set->dir.path = strdup(UK_TRUST_DIR)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	src_stat(&set->dir);
	if ((st = X509_STORE_new()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	X509_STORE_set_verify_cb(st, uk_x509_verify_cb);
	(void)load_dir(st, UK_TRUST_DIR, &n, set);
	total += n;
	set->ndir = set->n;
	anchors = cfg ? uk_config_section(cfg, "trustAnchors") : NULL;
	cJSON_ArrayForEach(a, anchors) {
		if (!cJSON_IsString(a))
			continue;
		set_add(set, a->valuestring);
		if (uk_x509_load_anchors(st, a->valuestring, &n) != 0)
			uk_warn("trustAnchors: %s cannot be read as "
			    "certificates", a->valuestring);
		total += n;
	}
	*stp = st;
	*countp = total;
	return 0;
}

/* 1 when the cached store was built from exactly cfg's anchors as they
 * are now on disk.  Called with cache.mu held. */
static int
cache_valid(const struct uk_config *cfg)
{
	const struct anchor_set *set = &cache.set;
	const cJSON *anchors, *a;
	size_t i, k;

	if (cache.store == NULL || cache.racy || set->untracked)
		return 0;
	anchors = cfg ? uk_config_section(cfg, "trustAnchors") : NULL;
	k = set->ndir;
	cJSON_ArrayForEach(a, anchors) {
		if (!cJSON_IsString(a))
			continue;
		if (k == set->n || strcmp(set->src[k].path,
		    a->valuestring) != 0)
			return 0;
		k++;
	}
	if (k != set->n || !src_unchanged(&set->dir))
		return 0;
	for (i = 0; i < set->n; i++)
		if (!src_unchanged(&set->src[i]))
			return 0;
	return 1;
}

/* Replaces the cached store with one built now.  cache.mu held. */
static int
cache_rebuild(const struct uk_config *cfg)
{
	struct anchor_set set = { 0 };
	struct timespec built;
	X509_STORE *st = NULL;
	size_t i;
	int count, racy, r;

	(void)clock_gettime(CLOCK_REALTIME, &built);
	if ((r = build_store(cfg, &st, &count, &set)) != 0) {
		set_free(&set);
		return r;
	}
	racy = src_racy(&set.dir, &built);
	for (i = 0; i < set.n && !racy; i++)
		racy = src_racy(&set.src[i], &built);
	X509_STORE_free(cache.store);
	set_free(&cache.set);
	/* success */
	cache.store = st;		/* transferred */
	cache.set = set;		/* transferred */
	cache.count = count;
	cache.racy = racy;
	cache.builds++;
	return 0;
}

/* A reference to the store of cfg's anchors (caller X509_STORE_free()s
 * it) and the number of certificates in it. */
static int
anchor_store(const struct uk_config *cfg, X509_STORE **stp, int *countp)
{
	int r = 0;

	*stp = NULL;
	*countp = 0;
	pthread_mutex_lock(&cache.mu);
	if (!cache_valid(cfg))
		r = cache_rebuild(cfg);
	if (r == 0 && X509_STORE_up_ref(cache.store) != 1)
		r = UK_ERR_ALLOC_FAIL;
	if (r == 0) {
		*stp = cache.store;
		*countp = cache.count;
	}
	pthread_mutex_unlock(&cache.mu);
	return r;
}

void
uk_x509_anchor_cache_free(void)
{
	pthread_mutex_lock(&cache.mu);
	X509_STORE_free(cache.store);
	cache.store = NULL;
	set_free(&cache.set);
	cache.count = cache.racy = 0;
	pthread_mutex_unlock(&cache.mu);
}

unsigned long
uk_x509_anchor_builds(void)
{
	unsigned long n;

	pthread_mutex_lock(&cache.mu);
	n = cache.builds;
	pthread_mutex_unlock(&cache.mu);
	return n;
}

/* The SafeEngine code for an OpenSSL verification error. */
static int
map_verify_error(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return UK_ERR_CERT_EXPIRED;
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return UK_ERR_CERT_FORMAT;
	case X509_V_ERR_OUT_OF_MEM:
		return UK_ERR_ALLOC_FAIL;
	case X509_V_ERR_CERT_REVOKED:
		return UK_ERR_CERT_REVOKED;
	}
	return UK_ERR_VERIFY_CHAIN;
}

/* The leaf's own dates, checked first as SafeEngine does. */
static int
check_dates(const struct uk_x509 *cert, time_t now, char *detail,
    size_t detaillen)
{
	X509 *x = uk_x509_get0(cert);
	int64_t nb, na;
	char buf[32];

	if (uk_asn1_time_epoch(X509_get0_notBefore(x), &nb) != 0 ||
	    uk_asn1_time_epoch(X509_get0_notAfter(x), &na) != 0) {
		snprintf(detail, detaillen, "unreadable validity dates");
		return UK_ERR_CERT_FORMAT;
	}
	if (na < (int64_t)now) {
		uk_asn1_time_iso(X509_get0_notAfter(x), buf, sizeof(buf));
		snprintf(detail, detaillen, "expired on %s", buf);
		return UK_ERR_CERT_EXPIRED;
	}
	if (nb > (int64_t)now) {
		uk_asn1_time_iso(X509_get0_notBefore(x), buf, sizeof(buf));
		snprintf(detail, detaillen, "not valid before %s", buf);
		return UK_ERR_CERT_EXPIRED;
	}
	return 0;
}

int
uk_x509_verify_cb(int ok, X509_STORE_CTX *xc)
{
	static const unsigned char gmt_id[] = "1234567812345678";
	X509 *x, *issuer, *copy;
	ASN1_OCTET_STRING *id;
	EVP_PKEY *pk;
	int good;

	if (ok || X509_STORE_CTX_get_error(xc) !=
	    X509_V_ERR_CERT_SIGNATURE_FAILURE ||
	    (x = X509_STORE_CTX_get_current_cert(xc)) == NULL ||
	    (issuer = X509_STORE_CTX_get0_current_issuer(xc)) == NULL ||
	    X509_get_signature_nid(x) != NID_SM2_with_SM3 ||
	    (pk = X509_get0_pubkey(issuer)) == NULL)
		return ok;
	/* On a copy: the certificate may be shared, and its own ID stays
	 * what its owner set. */
	if ((copy = X509_dup(x)) == NULL)
		return ok;
	if ((id = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(id, gmt_id, (int)sizeof(gmt_id) - 1)) {
		ASN1_OCTET_STRING_free(id);
		X509_free(copy);
		return ok;
	}
	X509_set0_distinguishing_id(copy, id);
	good = X509_verify(copy, pk) == 1;
	X509_free(copy);
	ERR_clear_error();
	if (!good)
		return ok;
	X509_STORE_CTX_set_error(xc, X509_V_OK);
	return 1;
}

static int
check_chain(X509_STORE_CTX *xc, char *detail, size_t detaillen)
{
	int err, depth;
	X509 *bad;
	char name[256];

	if (X509_verify_cert(xc) == 1)
		return 0;
	err = X509_STORE_CTX_get_error(xc);
	depth = X509_STORE_CTX_get_error_depth(xc);
	name[0] = '\0';
	if ((bad = X509_STORE_CTX_get_current_cert(xc)) != NULL)
		X509_NAME_oneline(X509_get_subject_name(bad), name,
		    sizeof(name));
	snprintf(detail, detaillen, "depth %d (%.120s): %s", depth, name,
	    X509_verify_cert_error_string(err));
	return map_verify_error(err);
}

static int
missing_issuer(int err)
{
	return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
}

/* Appends the issuer(s) of cert fetched by uk_issuer_fetch to untrusted. */
static int
add_fetched(struct uk_ctx *ctx, X509 *cert, STACK_OF(X509) *untrusted)
{
	STACK_OF(X509) *got = NULL;
	X509 *x;
	int r;

	if (cert == NULL || (r = uk_issuer_fetch(ctx, cert, &got)) != 0)
		return -1;
	r = 0;
	while ((x = sk_X509_shift(got)) != NULL)
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			r = -1;
		}
	sk_X509_free(got);
	return r;
}

static int
check_revocation(struct uk_ctx *ctx, X509_STORE_CTX *xc, time_t now,
    char *detail, size_t detaillen)
{
	STACK_OF(X509) *path;
	X509 *leaf, *issuer;
	int r;

	if ((path = X509_STORE_CTX_get1_chain(xc)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	leaf = sk_X509_value(path, 0);
	issuer = sk_X509_num(path) > 1 ? sk_X509_value(path, 1) : NULL;
	r = uk_revocation_check(ctx, leaf, issuer, path, now, detail,
	    detaillen);
	sk_X509_pop_free(path, X509_free);
	return r;
}

int
uk_x509_verify(struct uk_ctx *ctx, const struct uk_config *cfg,
    const struct uk_x509 *cert, struct uk_x509 *const *chain,
    size_t nchain, int revocation, time_t now, char *detail,
    size_t detaillen)
{
	X509_STORE *st = NULL;
	X509_STORE_CTX *xc = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509 *leaf = uk_x509_get0(cert);
	uint32_t ku;
	size_t i;
	int anchors, tries, r = UK_ERR_INTERNAL;

	if (detaillen > 0)
		detail[0] = '\0';
	if (nchain > UK_X509_MAX_CHAIN) {
		snprintf(detail, detaillen, "more than %d chain certificates",
		    UK_X509_MAX_CHAIN);
		return UK_ERR_CHAIN_FORMAT;
	}
	if ((r = check_dates(cert, now, detail, detaillen)) != 0)
		return r;
	ERR_clear_error();
	if ((r = anchor_store(cfg, &st, &anchors)) != 0)
		goto out;
	if (anchors == 0) {
		snprintf(detail, detaillen, "no trust anchors (%s, "
		    "trustAnchors)", UK_TRUST_DIR);
		r = UK_ERR_VERIFY_CHAIN;
		goto out;
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((untrusted = sk_X509_new_null()) == NULL ||
	    (xc = X509_STORE_CTX_new()) == NULL)
		goto out;
	for (i = 0; i < nchain; i++)
		if (!X509_add_cert(untrusted, uk_x509_get0(chain[i]),
		    X509_ADD_FLAG_UP_REF))
			goto out;
	for (tries = 0;; tries++) {
		r = UK_ERR_ALLOC_FAIL;
		if (X509_STORE_CTX_init(xc, st, leaf, untrusted) != 1)
			goto out;
		X509_STORE_CTX_set_time(xc, 0, now);
		/* A configured intermediate is trusted as it is. */
		X509_STORE_CTX_set_flags(xc, X509_V_FLAG_PARTIAL_CHAIN);
		if ((r = check_chain(xc, detail, detaillen)) == 0)
			break;
		/* An issuer missing from chain: ask its AIA caIssuers. */
		if (ctx == NULL || tries >= UK_ISSUER_FETCH_MAX ||
		    !missing_issuer(X509_STORE_CTX_get_error(xc)) ||
		    add_fetched(ctx, X509_STORE_CTX_get_current_cert(xc),
		    untrusted) != 0)
			goto out;
	}
	ku = X509_get_key_usage(leaf);
	if (ku != UINT32_MAX && (ku & KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(detail, detaillen, "key usage does not allow "
		    "digitalSignature");
		r = UK_ERR_VERIFY_CHAIN;
		goto out;
	}
	/* The network module needs the host's context (configuration,
	 * cache); library callers without one get a clear answer. */
	if (revocation && ctx == NULL) {
		snprintf(detail, detaillen, "revocation check needs the host "
		    "context");
		r = UK_ERR_NOT_SUPPORTED;
		goto out;
	}
	if (revocation &&
	    (r = check_revocation(ctx, xc, now, detail, detaillen)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	ERR_clear_error();
	X509_STORE_CTX_free(xc);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_free(st);
	return r;
}

int
uk_x509_diagnose_anchors(const struct uk_config *cfg, FILE *fp)
{
	const cJSON *anchors, *a;
	int n = 0, problems = 0;

	(void)load_dir(NULL, UK_TRUST_DIR, &n, NULL);
	fprintf(fp, "  shipped roots: %d in %s\n", n, UK_TRUST_DIR);
	if (n == 0) {
		fprintf(fp, "  ! no shipped roots: reinstall the host\n");
		problems++;
	}
	anchors = cfg ? uk_config_section(cfg, "trustAnchors") : NULL;
	cJSON_ArrayForEach(a, anchors) {
		if (!cJSON_IsString(a))
			continue;
		if (uk_x509_load_anchors(NULL, a->valuestring, &n) != 0) {
			fprintf(fp, "  ! trustAnchors: %s cannot be read as "
			    "certificates\n", a->valuestring);
			problems++;
		} else
			fprintf(fp, "  trustAnchors: %s (%d)\n",
			    a->valuestring, n);
	}
	return problems;
}
