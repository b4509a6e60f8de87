/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Transfers: the one place where libcurl is set up and called.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "log.h"
#include "net_int.h"

#define UK_NET_PROGRESS_STEP	(256 * 1024)	/* bytes between events */

/* One transfer in progress. */
struct xfer {
	struct uk_ctx *ctx;
	unsigned char *buf;
	size_t len, cap, max;
	int too_large;
	curl_off_t last_progress;
	int progress_started;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 :
	    UK_ERR_INIT_ENV;
}

static void
share_lock(CURL *h, curl_lock_data data, curl_lock_access acc, void *arg)
{
	struct uk_net_state *ns = arg;

	(void)h;
	(void)acc;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&ns->share_mu[data]);
}

static void
share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct uk_net_state *ns = arg;

	(void)h;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&ns->share_mu[data]);
}

/* Loads every certificate of a PEM file (network.caFile). */
static int
load_extra_ca(const char *path, STACK_OF(X509) **skp)
{
	STACK_OF(X509_INFO) *infos = NULL;
	STACK_OF(X509) *sk = NULL;
	X509_INFO *xi;
	BIO *bio = NULL;
	int i, r = UK_ERR_INTERNAL;

	*skp = NULL;
	if ((bio = BIO_new_file(path, "r")) == NULL ||
	    (infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL)) == NULL) {
		uk_error("cannot read network.caFile %s", path);
		r = UK_ERR_CONFIG;
		goto out;
	}
	if ((sk = sk_X509_new_null()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		xi = sk_X509_INFO_value(infos, i);
		if (xi->x509 == NULL)
			continue;
		if (!sk_X509_push(sk, xi->x509)) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
		xi->x509 = NULL;	/* transferred */
	}
	/* success */
	*skp = sk;
	sk = NULL;
	r = 0;
 out:
	sk_X509_pop_free(sk, X509_free);
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	return r;
}

static void
net_fini(struct uk_ctx *ctx)
{
	struct uk_net_state *ns = ctx->net;
	int i;

	if (ns == NULL)
		return;
	if (ns->share != NULL)
		curl_share_cleanup(ns->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&ns->share_mu[i]);
	sk_X509_pop_free(ns->extra_ca, X509_free);
	free(ns);
	ctx->net = NULL;
}

int
uk_net_state(struct uk_ctx *ctx, struct uk_net_state **nsp)
{
	struct uk_net_state *ns = NULL;
	int i, r = UK_ERR_INTERNAL;

	*nsp = NULL;
	if (ctx->net != NULL) {
		*nsp = ctx->net;
		return 0;
	}
	if (pthread_once(&global_once, global_init) != 0 ||
	    (r = global_rc) != 0)
		return UK_ERR_INIT_ENV;
	if ((ns = calloc(1, sizeof(*ns))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&ns->share_mu[i], NULL);
	ctx->net = ns;	/* net_fini releases it from here on */
	if ((r = uk_net_conf_parse(ctx->cfg ? uk_config_section(ctx->cfg,
	    "network") : NULL, &ns->conf)) != 0)
		goto out;
	if (ns->conf.cafile[0] != '\0' &&
	    (r = load_extra_ca(ns->conf.cafile, &ns->extra_ca)) != 0)
		goto out;
	if ((ns->share = curl_share_init()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (curl_share_setopt(ns->share, CURLSHOPT_LOCKFUNC, share_lock) ||
	    curl_share_setopt(ns->share, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
	    curl_share_setopt(ns->share, CURLSHOPT_USERDATA, ns) ||
	    curl_share_setopt(ns->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_CONNECT) ||
	    curl_share_setopt(ns->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
	    curl_share_setopt(ns->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION)) {
		r = UK_ERR_INIT_ENV;
		goto out;
	}
	/* success */
	*nsp = ns;
	r = 0;
 out:
	if (r != 0)
		net_fini(ctx);
	return r;
}

static int
is_revocation(enum uk_net_purpose purpose)
{
	return purpose == UK_NET_OCSP || purpose == UK_NET_CRL ||
	    purpose == UK_NET_ISSUER;
}

/* host matches "name" exactly or "*.domain" for any subdomain. */
static int
host_matches(const char *host, const char *pat)
{
	size_t hl = strlen(host), pl;

	if (pat[0] != '*')
		return strcmp(host, pat) == 0;
	pat++;		/* ".domain" */
	pl = strlen(pat);
	return hl > pl && strcmp(host + hl - pl, pat) == 0;
}

static int
check_url(struct uk_net_state *ns, const char *url,
    enum uk_net_purpose purpose, char *detail, size_t detlen)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *user = NULL, *p;
	const struct uk_net_conf *c = &ns->conf;
	size_t i, n;
	int r = UK_ERR_INTERNAL;

	if (strlen(url) >= UK_NET_URL_MAX) {
		snprintf(detail, detlen, "URL longer than %d bytes",
		    UK_NET_URL_MAX);
		return UK_ERR_INVALID_PARAM;
	}
	if ((u = curl_url()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		snprintf(detail, detlen, "not an absolute URL");
		r = UK_ERR_INVALID_PARAM;
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		snprintf(detail, detlen, "%.16s:// refused: only https:// is "
		    "allowed", scheme);
		r = UK_ERR_INSECURE_URL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(detail, detlen, "URL without a host");
		r = UK_ERR_INVALID_PARAM;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		snprintf(detail, detlen, "URL must not carry a user name");
		r = UK_ERR_INVALID_PARAM;
		goto out;
	}
	for (p = host; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 &&
	    (is_revocation(purpose) ||
	    (c->plain_loopback && strcmp(host, "127.0.0.1") == 0)))) {
		snprintf(detail, detlen, "%.16s:// refused for %.64s: only "
		    "https:// is allowed", scheme, host);
		r = UK_ERR_INSECURE_URL;
		goto out;
	}
	n = is_revocation(purpose) ? c->nrevoc : c->nallow;
	for (i = 0; i < n; i++)
		if (host_matches(host, is_revocation(purpose) ?
		    c->revoc[i] : c->allow[i]))
			break;
	if (i == n) {
		snprintf(detail, detlen, "host %.100s is not in network.%s",
		    host, is_revocation(purpose) ? "revocationHosts" :
		    "allowHosts");
		r = UK_ERR_HOST_NOT_ALLOWED;
		goto out;
	}
	/* success */
	r = 0;
 out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return r;
}

int
uk_net_url_allowed(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, char *detail, size_t detlen)
{
	struct uk_net_state *ns;
	int r;

	if ((r = uk_net_state(ctx, &ns)) != 0)
		return r;
	return check_url(ns, url, purpose, detail, detlen);
}

static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb, ncap;
	unsigned char *nb;

	/* Checked before growing, so a huge body never gets allocated. */
	if (len > x->max - x->len) {
		x->too_large = 1;
		return 0;
	}
	if (x->len + len + 1 > x->cap) {
		ncap = x->cap ? x->cap : 16384;
		while (ncap < x->len + len + 1)
			ncap *= 2;
		if (ncap > x->max + 1)
			ncap = x->max + 1;
		if ((nb = realloc(x->buf, ncap)) == NULL)
			return 0;
		x->buf = nb;
		x->cap = ncap;
	}
	memcpy(x->buf + x->len, p, len);
	x->len += len;
	x->buf[x->len] = '\0';
	return len;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)ultotal;
	(void)ulnow;
	if (x->ctx == NULL || (dltotal <= UK_NET_PROGRESS_MIN &&
	    dlnow <= UK_NET_PROGRESS_MIN))
		return 0;
	if (x->progress_started && dlnow - x->last_progress <
	    UK_NET_PROGRESS_STEP && dlnow != dltotal)
		return 0;
	if (x->progress_started && dlnow == x->last_progress)
		return 0;
	x->progress_started = 1;
	x->last_progress = dlnow;
	/* A browser that went away is not the transfer's problem. */
	(void)uk_host_progress(x->ctx, (uint64_t)dlnow,
	    (uint64_t)(dltotal > 0 ? dltotal : 0), "download");
	return 0;
}

/* Adds network.caFile's certificates to what curl loaded from the system. */
static CURLcode
on_ssl_ctx(CURL *h, void *sslctx, void *arg)
{
	struct uk_net_state *ns = arg;
	X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
	int i;

	(void)h;
	if (st == NULL)		/* not OpenSSL (net_curl_lazy.c) */
		return CURLE_SSL_CERTPROBLEM;
	for (i = 0; i < sk_X509_num(ns->extra_ca); i++)
		(void)X509_STORE_add_cert(st, sk_X509_value(ns->extra_ca, i));
	ERR_clear_error();	/* duplicates are fine */
	return CURLE_OK;
}

/*
 * The one handle setup: every transfer gets the same protections.
 */
static int
setup_handle(struct uk_net_state *ns, CURL *h, const char *url,
    struct xfer *x, const struct uk_net_req *req, struct curl_slist *hdrs,
    char *errbuf)
{
	const struct uk_net_conf *c = &ns->conf;
	CURLcode e = CURLE_OK;

#define SET(opt, val) do { if (e == CURLE_OK) \
	e = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_SHARE, ns->share);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);	/* each hop is checked here */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (ns->extra_ca != NULL) {
		SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		SET(CURLOPT_SSL_CTX_DATA, ns);
	}
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	/* Revocation blocks a page's verification: a shorter bound. */
	SET(CURLOPT_TIMEOUT_MS, is_revocation(req->purpose) &&
	    c->revoc_total_ms < c->total_ms ? c->revoc_total_ms : c->total_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, c->low_speed_bytes);
	SET(CURLOPT_LOW_SPEED_TIME, c->low_speed_s);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_USERAGENT, "ukeylink-host/" UK_VERSION);
	if (c->proxy_set)
		SET(CURLOPT_PROXY, c->proxy);	/* "" disables the env */
	if (c->noproxy_set)
		SET(CURLOPT_NOPROXY, c->noproxy);
	if (req->body != NULL) {
		SET(CURLOPT_POSTFIELDS, req->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->bodylen);
		SET(CURLOPT_HTTPHEADER, hdrs);
	}
#undef SET
	if (e != CURLE_OK) {
		uk_error("curl_easy_setopt: %s", curl_easy_strerror(e));
		return UK_ERR_INIT_ENV;
	}
	return 0;
}

static int
map_curl(CURLcode e, const struct xfer *x, const char *errbuf,
    char *detail, size_t detlen)
{
	snprintf(detail, detlen, "%s%s%.120s", curl_easy_strerror(e),
	    errbuf[0] ? ": " : "", errbuf);
	switch (e) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (x->too_large || e == CURLE_FILESIZE_EXCEEDED) {
			snprintf(detail, detlen, "body larger than %zu "
			    "bytes", x->max);
			return UK_ERR_DOWNLOAD_TOO_LARGE;
		}
		return UK_ERR_ALLOC_FAIL;
	case CURLE_OPERATION_TIMEDOUT:
		return UK_ERR_TIMEOUT;
	case CURLE_PARTIAL_FILE:
		return UK_ERR_DOWNLOAD_TRUNCATED;
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return x->len > 0 ? UK_ERR_DOWNLOAD_TRUNCATED :
		    UK_ERR_NETWORK;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return UK_ERR_TLS_VERIFY;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return UK_ERR_INSECURE_URL;
	case CURLE_OUT_OF_MEMORY:
		return UK_ERR_ALLOC_FAIL;
	default:
		return UK_ERR_NETWORK;
	}
}

/* One hop: perform and classify.  *redirp gets a malloc'd Location. */
static int
perform_hop(struct uk_net_state *ns, CURL *h, const char *url,
    struct xfer *x, struct uk_net_req *req, struct curl_slist *hdrs,
    char **redirp)
{
	char errbuf[CURL_ERROR_SIZE] = "", *loc = NULL, *ct = NULL;
	curl_off_t clen = -1;
	CURLcode e;
	int r;

	*redirp = NULL;
	curl_easy_reset(h);
	if ((r = setup_handle(ns, h, url, x, req, hdrs, errbuf)) != 0)
		return r;
	ns->stats.transfers++;
	if ((e = curl_easy_perform(h)) != CURLE_OK)
		return map_curl(e, x, errbuf, req->detail,
		    sizeof(req->detail));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &req->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(req->ctype, sizeof(req->ctype), "%s", ct);
	if (req->status >= 300 && req->status < 400 &&
	    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL) {
		if ((*redirp = strdup(loc)) == NULL)
			return UK_ERR_ALLOC_FAIL;
		return 0;
	}
	if (req->status < 200 || req->status >= 300) {
		snprintf(req->detail, sizeof(req->detail), "HTTP status %ld "
		    "from %.100s", req->status, url);
		return UK_ERR_HTTP_STATUS;
	}
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
	    &clen) == CURLE_OK && clen >= 0 && (size_t)clen != x->len) {
		snprintf(req->detail, sizeof(req->detail), "got %zu of "
		    "%lld bytes", x->len, (long long)clen);
		return UK_ERR_DOWNLOAD_TRUNCATED;
	}
	return 0;
}

int
uk_net_request(struct uk_ctx *ctx, struct uk_net_req *req,
    unsigned char **bufp, size_t *lenp)
{
	struct uk_net_state *ns;
	struct xfer x;
	struct curl_slist *hdrs = NULL;
	char *url = NULL, *next = NULL, ctline[UK_NET_CTYPE_MAX + 16];
	CURL *h = NULL;
	int hop, r = UK_ERR_INTERNAL;

	*bufp = NULL;
	*lenp = 0;
	memset(&x, 0, sizeof(x));
	req->ctype[0] = req->detail[0] = '\0';
	req->status = 0;
	if ((r = uk_net_state(ctx, &ns)) != 0)
		return r;
	x.ctx = ctx;
	x.max = req->max ? req->max : ns->conf.max[req->purpose];
	if (x.max > UK_NET_MAX_HARD)
		x.max = UK_NET_MAX_HARD;
	if ((url = strdup(req->url)) == NULL || (h = curl_easy_init()) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (req->body != NULL) {
		snprintf(ctline, sizeof(ctline), "Content-Type: %s",
		    req->body_type ? req->body_type :
		    "application/octet-stream");
		if ((hdrs = curl_slist_append(NULL, ctline)) == NULL) {
			r = UK_ERR_ALLOC_FAIL;
			goto out;
		}
	}
	for (hop = 0;; hop++) {
		if ((r = check_url(ns, url, req->purpose, req->detail,
		    sizeof(req->detail))) != 0)
			goto out;
		free(x.buf);
		x.buf = NULL;
		x.len = x.cap = 0;
		x.too_large = 0;
		if ((r = perform_hop(ns, h, url, &x, req, hdrs, &next)) != 0)
			goto out;
		if (next == NULL)
			break;
		if (req->body != NULL || hop >= ns->conf.max_redirects) {
			snprintf(req->detail, sizeof(req->detail), "%s",
			    req->body ? "redirect of a POST refused" :
			    "too many redirects");
			r = UK_ERR_HTTP_STATUS;
			goto out;
		}
		uk_debug("redirect %d to %.200s", hop + 1, next);
		free(url);
		url = next;
		next = NULL;
	}
	/* success */
	if (x.buf == NULL && (x.buf = calloc(1, 1)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	*bufp = x.buf;
	*lenp = x.len;
	x.buf = NULL;	/* transferred */
	r = 0;
 out:
	if (r != 0)
		uk_debug_r(r, "%.200s: %s", url ? url : req->url, req->detail);
	free(x.buf);
	free(url);
	free(next);
	curl_slist_free_all(hdrs);
	if (h != NULL)
		curl_easy_cleanup(h);
	return r;
}

int
uk_net_fetch(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, size_t max, unsigned char **bufp,
    size_t *lenp)
{
	struct uk_net_req req;

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.purpose = purpose;
	req.max = max;
	return uk_net_request(ctx, &req, bufp, lenp);
}

int
uk_net_write_atomic(const char *path, const void *p, size_t len)
{
	char tmp[PATH_MAX];
	const unsigned char *q = p;
	ssize_t n;
	size_t off = 0;
	int fd = -1, r = UK_ERR_SYSTEM;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp))
		return UK_ERR_SYSTEM;
	if ((fd = mkstemp(tmp)) < 0)
		return UK_ERR_SYSTEM;
	if (fchmod(fd, 0600) != 0)
		goto out;
	while (off < len) {
		if ((n = write(fd, q + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	if (fd >= 0)
		close(fd);
	if (r != 0)
		unlink(tmp);
	return r;
}

int
uk_net_fetch_file(struct uk_ctx *ctx, const char *url,
    enum uk_net_purpose purpose, size_t max, const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = uk_net_fetch(ctx, url, purpose, max, &buf, &len)) == 0)
		r = uk_net_write_atomic(path, buf, len);
	free(buf);
	return r;
}

void
uk_net_stats(struct uk_ctx *ctx, struct uk_net_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ctx->net != NULL)
		*st = ctx->net->stats;
}

void
uk_net_fini(struct uk_ctx *ctx)
{
	net_fini(ctx);
}
