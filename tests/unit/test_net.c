/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The network module against a local PKI and a local HTTP/HTTPS server
 * (tests/support/netfix.h) on 127.0.0.1: revocation (OCSP, CRL fallback,
 * SM2, cache), caIssuers, downloads and every misbehaving-server case, in
 * process and through the real host binary.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "frame.h"
#include "host.h"
#include "hostproc.h"
#include "net.h"
#include "netfix.h"
#include "softhsm.h"

static struct uk_netfix nf;
static int nf_ok;

static void
fix_up(void)
{
	nf_ok = uk_netfix_start(&nf) == 0;
}

static void
fix_down(void)
{
	uk_netfix_stop(&nf);
}

/* A context around a configuration text (out_fd: where events go). */
struct env {
	struct uk_config *cfg;
	struct uk_ctx ctx;
	X509_STORE *store;
	char *cfgpath;
};

static void
env_open_text(struct env *e, const char *text, int out_fd)
{
	ck_assert_msg(nf_ok, "test PKI or server did not start");
	memset(e, 0, sizeof(*e));
	ck_assert_ptr_nonnull(e->cfgpath = uk_test_write_temp("c.json", text));
	ck_assert_int_eq(uk_config_load("/nonexistent", e->cfgpath, &e->cfg),
	    0);
	ck_assert_int_eq(uk_config_files(e->cfg, &(size_t){0})[1].used, 1);
	ck_assert_int_eq(uk_ctx_init(&e->ctx, e->cfg, out_fd), 0);
	ck_assert_int_eq(uk_net_trust_store(&e->ctx, &e->store), 0);
}

static void
env_open(struct env *e, const char *extra)
{
	char *text = uk_netfix_config(&nf, extra);

	ck_assert_ptr_nonnull(text);
	env_open_text(e, text, -1);
	free(text);
}

static void
env_close(struct env *e)
{
	X509_STORE_free(e->store);
	uk_ctx_fini(&e->ctx);
	uk_config_free(e->cfg);
	uk_netfix_remove_temp(e->cfgpath);
}

/* Verifies static/<name>.pem with revocation; chain: the intermediate. */
static int
verify(struct env *e, const char *name, int with_inter, const char **srcp,
    char *detail, size_t detlen)
{
	STACK_OF(X509) *extra = sk_X509_new_null();
	X509 *leaf = uk_netfix_cert(&nf, name), *inter = NULL;
	int r;

	ck_assert_ptr_nonnull(leaf);
	if (with_inter) {
		ck_assert_ptr_nonnull(inter = uk_netfix_cert(&nf, "inter"));
		sk_X509_push(extra, inter);
	}
	r = uk_net_verify(&e->ctx, leaf, extra, e->store, 1, srcp, detail,
	    detlen);
	sk_X509_pop_free(extra, X509_free);
	X509_free(leaf);
	return r;
}

/* Revocation cases: certificate, expected code, expected source. */
static const struct {
	const char *name;
	int code;
	const char *source;
	const char *detail;	/* substring of the detail, or NULL */
} rev_cases[] = {
	{ "good", 0, "ocsp", NULL },
	{ "revoked", UK_ERR_CERT_REVOKED, "ocsp", "keyCompromise" },
	{ "unknown", UK_ERR_CERT_STATUS_UNKNOWN, "ocsp", "does not know" },
	{ "expiredresp", UK_ERR_OCSP_EXPIRED, "ocsp", "not current" },
	{ "wrongsigner", UK_ERR_OCSP_SIGNATURE, "ocsp", "signer" },
	{ "crlgood", 0, "crl", NULL },
	{ "crlrevoked", UK_ERR_CERT_REVOKED, "crl", "revoked" },
	{ "unreachable", UK_ERR_OCSP_CONNECT, NULL, "onnect" },
	{ "slow", UK_ERR_OCSP_CONNECT, NULL, "imeout" },
	{ "garbage", UK_ERR_OCSP_FORMAT, "ocsp", "not a DER" },
	{ "truncated", UK_ERR_OCSP_CONNECT, NULL, "bytes" },
	{ "crlexpired", UK_ERR_CRL_EXPIRED, "crl", "not current" },
	{ "crlgarbage", UK_ERR_CRL_FORMAT, "crl", "not a CRL" },
	{ "crlwrongsig", UK_ERR_CRL_SIGNATURE, "crl", "not signed" },
	{ "norev", UK_ERR_NO_REVOCATION_SOURCE, NULL, "no OCSP" },
	{ "sm2good", 0, "ocsp", NULL },
	{ "sm2revoked", UK_ERR_CERT_REVOKED, "crl", "revoked" },
};

START_TEST(test_revocation_case)
{
	struct env e;
	const char *src = NULL;
	char detail[256] = "";
	time_t t0 = time(NULL);
	int r;

	nf.short_timeouts = rev_cases[_i].code == UK_ERR_OCSP_CONNECT;
	env_open(&e, NULL);
	r = verify(&e, rev_cases[_i].name, 0, &src, detail, sizeof(detail));
	ck_assert_msg(r == rev_cases[_i].code, "%s: got %s (%s), want %s",
	    rev_cases[_i].name, uk_err_name(r), detail,
	    uk_err_name(rev_cases[_i].code));
	if (rev_cases[_i].source != NULL)
		ck_assert_str_eq(src, rev_cases[_i].source);
	if (rev_cases[_i].detail != NULL)
		ck_assert_msg(strstr(detail, rev_cases[_i].detail) != NULL,
		    "%s: detail '%s'", rev_cases[_i].name, detail);
	/* Bounded: the slow-loris server is cut off by the timeouts. */
	if (nf.short_timeouts)
		ck_assert_int_le(time(NULL) - t0, 10);
	env_close(&e);
}
END_TEST

START_TEST(test_cache_no_second_request)
{
	struct env e, e2;
	struct uk_net_stats st;
	const char *src = NULL;
	char detail[256], *text;

	ck_assert_msg(nf_ok, "fixture");
	ck_assert_int_eq(uk_netfix_reset(&nf), 0);
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	env_open_text(&e, text, -1);
	ck_assert_int_eq(verify(&e, "good", 1, &src, detail, sizeof(detail)),
	    0);
	ck_assert_str_eq(src, "ocsp");
	ck_assert_int_eq(uk_netfix_hits(&nf, "/ocsp/inter"), 1);
	/* The intermediate's own status comes from root's CRL. */
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/root.crl"), 1);
	/* Second check: memory. */
	ck_assert_int_eq(verify(&e, "good", 1, &src, detail, sizeof(detail)),
	    0);
	ck_assert_str_eq(src, "cache");
	uk_net_stats(&e.ctx, &st);
	ck_assert_uint_eq(st.cache_mem_hits, 2);
	ck_assert_uint_eq(st.transfers, 2);
	env_close(&e);
	/* A new process with the same cache directory: disk, no request. */
	env_open_text(&e2, text, -1);
	ck_assert_int_eq(verify(&e2, "good", 1, &src, detail, sizeof(detail)),
	    0);
	ck_assert_str_eq(src, "cache");
	uk_net_stats(&e2.ctx, &st);
	ck_assert_uint_eq(st.transfers, 0);
	ck_assert_uint_eq(st.cache_disk_hits, 2);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/ocsp/inter"), 1);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/root.crl"), 1);
	/* CRL answers are cached the same way. */
	ck_assert_int_eq(verify(&e2, "crlrevoked", 1, &src, detail,
	    sizeof(detail)), UK_ERR_CERT_REVOKED);
	ck_assert_int_eq(verify(&e2, "crlgood", 1, &src, detail,
	    sizeof(detail)), 0);
	ck_assert_str_eq(src, "cache");
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.crl"), 1);
	env_close(&e2);
	free(text);
}
END_TEST

static void
cache_usage(const char *dir, size_t *filesp, long long *bytesp)
{
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX + 300];
	DIR *d = opendir(dir);

	*filesp = 0;
	*bytesp = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg(strstr(de->d_name, ".tmp.") == NULL,
		    "temporary file left: %s", de->d_name);
		(*filesp)++;
		*bytesp += st.st_size;
	}
	closedir(d);
}

START_TEST(test_cache_cap_evicts)
{
	static const char *const names[] = {
		"good", "revoked", "unknown", "p7", "sm2good"
	};
	struct env e;
	char detail[256];
	size_t files, i;
	long long bytes;

	env_open(&e, ",\"cacheMaxBytes\":4000");
	for (i = 0; i < UK_ARRAY_LEN(names); i++)
		(void)verify(&e, names[i], 1, NULL, detail, sizeof(detail));
	cache_usage(nf.cachedir, &files, &bytes);
	ck_assert_int_le(bytes, 4000);
	ck_assert_uint_ge(files, 1);
	env_close(&e);
}
END_TEST

START_TEST(test_issuer_from_aia)
{
	struct env e;
	const char *src;
	char detail[256];

	ck_assert_int_eq(uk_netfix_reset(&nf), 0);
	env_open(&e, NULL);
	/* DER caIssuers. */
	ck_assert_int_eq(verify(&e, "good", 0, &src, detail, sizeof(detail)),
	    0);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.der"), 1);
	/* PKCS#7 certs-only caIssuers. */
	ck_assert_int_eq(verify(&e, "p7", 0, &src, detail, sizeof(detail)),
	    0);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.p7c"), 1);
	/* Cached: no second fetch. */
	ck_assert_int_eq(verify(&e, "revoked", 0, &src, detail,
	    sizeof(detail)), UK_ERR_CERT_REVOKED);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.der"), 1);
	env_close(&e);
}
END_TEST

START_TEST(test_revocation_host_not_allowed)
{
	struct env e;
	char detail[256], *text, *p;

	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	p = strstr(text, "\"revocationHosts\":[\"127.0.0.1\"]");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"revocationHosts\":[\"x.example\"]", 31);
	env_open_text(&e, text, -1);
	ck_assert_int_eq(uk_netfix_reset(&nf), 0);
	ck_assert_int_eq(verify(&e, "good", 1, NULL, detail, sizeof(detail)),
	    UK_ERR_HOST_NOT_ALLOWED);
	ck_assert_ptr_nonnull(strstr(detail, "revocationHosts"));
	ck_assert_int_eq(uk_netfix_hits(&nf, "/ocsp/inter"), 0);
	env_close(&e);
	free(text);
}
END_TEST

/* Downloads: URL (relative to http/https base), purpose, max, code. */
static const struct {
	int https;
	const char *path;
	enum uk_net_purpose purpose;
	size_t max;
	int code;
} dl_cases[] = {
	{ 1, "/static/good.der", UK_NET_CERT, 0, 0 },
	{ 0, "/static/good.der", UK_NET_CERT, 0, 0 },	/* loopback test */
	{ 1, "/big?n=3000000", UK_NET_SEAL, 1048576, UK_ERR_DOWNLOAD_TOO_LARGE },
	{ 1, "/chunked?n=3000000", UK_NET_SEAL, 1048576,
	    UK_ERR_DOWNLOAD_TOO_LARGE },
	{ 1, "/truncated", UK_NET_SEAL, 0, UK_ERR_DOWNLOAD_TRUNCATED },
	{ 1, "/slow", UK_NET_SEAL, 0, UK_ERR_TIMEOUT },
	{ 1, "/hang", UK_NET_SEAL, 0, UK_ERR_TIMEOUT },
	{ 1, "/status/404", UK_NET_SEAL, 0, UK_ERR_HTTP_STATUS },
	{ 1, "/status/500", UK_NET_SEAL, 0, UK_ERR_HTTP_STATUS },
};

START_TEST(test_download_case)
{
	struct env e;
	unsigned char *buf = (unsigned char *)"x";
	size_t len = 99;
	char url[512];
	time_t t0 = time(NULL);
	int r;

	nf.short_timeouts = dl_cases[_i].code == UK_ERR_TIMEOUT;
	env_open(&e, NULL);
	snprintf(url, sizeof(url), "%s%s", dl_cases[_i].https ? nf.sbase :
	    nf.base, dl_cases[_i].path);
	r = uk_net_fetch(&e.ctx, url, dl_cases[_i].purpose, dl_cases[_i].max,
	    &buf, &len);
	ck_assert_msg(r == dl_cases[_i].code, "%s: got %s want %s", url,
	    uk_err_name(r), uk_err_name(dl_cases[_i].code));
	if (r == 0) {
		ck_assert_ptr_nonnull(buf);
		ck_assert_uint_gt(len, 100);
	} else {
		ck_assert_ptr_null(buf);
		ck_assert_uint_eq(len, 0);
	}
	free(buf);
	if (nf.short_timeouts)
		ck_assert_int_le(time(NULL) - t0, 10);
	env_close(&e);
}
END_TEST

START_TEST(test_download_refusals)
{
	struct env e, e2;
	unsigned char *buf;
	size_t len;
	char url[512], *text;

	ck_assert_int_eq(uk_netfix_reset(&nf), 0);
	env_open(&e, NULL);
	/* Redirect on the allowlist is followed. */
	snprintf(url, sizeof(url), "%s/redirect?to=%s/static/good.der",
	    nf.sbase, nf.sbase);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), 0);
	free(buf);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/good.der"), 1);
	/* Redirect off the allowlist (localhost is not listed): refused
	 * before any connection to it. */
	snprintf(url, sizeof(url), "%s/redirect?to=https://localhost:%d/"
	    "static/root.der", nf.sbase, nf.https_port);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_HOST_NOT_ALLOWED);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/root.der"), 0);
	/* Redirect to a non-http scheme. */
	snprintf(url, sizeof(url), "%s/redirect?to=file:///etc/passwd",
	    nf.sbase);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_INSECURE_URL);
	/* Host off the allowlist, and a user name in the URL. */
	snprintf(url, sizeof(url), "https://localhost:%d/static/root.der",
	    nf.https_port);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_HOST_NOT_ALLOWED);
	snprintf(url, sizeof(url), "https://u:p@127.0.0.1:%d/", nf.https_port);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_INVALID_PARAM);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, "not a url", UK_NET_CERT, 0,
	    &buf, &len), UK_ERR_INVALID_PARAM);
	/* Nothing listens on port 1. */
	ck_assert_int_eq(uk_net_fetch(&e.ctx, "https://127.0.0.1:1/x",
	    UK_NET_SEAL, 0, &buf, &len), UK_ERR_NETWORK);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/root.der"), 0);
	env_close(&e);

	/* Without the test switch, http:// is refused even to 127.0.0.1, and
	 * without network.caFile the test server's certificate fails. */
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	{
		/* Rebuild cleanly: drop caFile and the loopback switch. */
		char *q = strstr(text, "\"caFile\":\"");
		char *end = strchr(q + 10, '"');

		memset(q, ' ', (size_t)(end - q) + 2);
		q = strstr(text, "\"allowPlainHttpLoopback\":true,");
		memset(q, ' ', strlen("\"allowPlainHttpLoopback\":true,"));
	}
	env_open_text(&e2, text, -1);
	snprintf(url, sizeof(url), "%s/static/good.der", nf.base);
	ck_assert_int_eq(uk_net_fetch(&e2.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_INSECURE_URL);
	snprintf(url, sizeof(url), "%s/static/good.der", nf.sbase);
	ck_assert_int_eq(uk_net_fetch(&e2.ctx, url, UK_NET_CERT, 0, &buf,
	    &len), UK_ERR_TLS_VERIFY);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/good.der"), 1);
	env_close(&e2);
	free(text);
}
END_TEST

START_TEST(test_fetch_file_atomic)
{
	struct env e;
	char path[PATH_MAX + 64], url[512], buf[64];
	struct stat st;
	FILE *fp;
	size_t files;
	long long bytes;

	env_open(&e, NULL);
	snprintf(path, sizeof(path), "%s/dl", nf.dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/dl/seal.bin", nf.dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs("old", fp);
	fclose(fp);
	snprintf(url, sizeof(url), "%s/truncated", nf.sbase);
	ck_assert_int_eq(uk_net_fetch_file(&e.ctx, url, UK_NET_SEAL, 0, path),
	    UK_ERR_DOWNLOAD_TRUNCATED);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_str_eq(buf, "old");
	snprintf(url, sizeof(url), "%s/big?n=200000", nf.sbase);
	ck_assert_int_eq(uk_net_fetch_file(&e.ctx, url, UK_NET_SEAL, 0, path),
	    0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 200000);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/dl", nf.dir);
	cache_usage(path, &files, &bytes);
	ck_assert_uint_eq(files, 1);
	env_close(&e);
}
END_TEST

START_TEST(test_progress_events)
{
	struct env e;
	int fds[2], nprog = 0, last_done = 0;
	unsigned char *buf;
	size_t len;
	char url[512], *text;
	uint32_t hdr;
	char msg[512];
	cJSON *ev;

	ck_assert_int_eq(pipe(fds), 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	env_open_text(&e, text, fds[1]);
	free(text);
	e.ctx.current_id = 7;
	snprintf(url, sizeof(url), "%s/big?n=%d", nf.sbase, 2 * 1048576);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_SEAL, 0, &buf,
	    &len), 0);
	ck_assert_uint_eq(len, 2 * 1048576);
	free(buf);
	while (read(fds[0], &hdr, 4) == 4) {
		ck_assert_uint_lt(hdr, sizeof(msg));
		ck_assert_int_eq(read(fds[0], msg, hdr), (ssize_t)hdr);
		msg[hdr] = '\0';
		ck_assert_ptr_nonnull(ev = cJSON_Parse(msg));
		ck_assert_str_eq(cJSON_GetObjectItem(ev, "event")->valuestring,
		    "progress");
		ck_assert_int_eq(cJSON_GetObjectItem(ev, "id")->valueint, 7);
		ck_assert_int_eq(cJSON_GetObjectItem(ev, "total")->valueint,
		    2 * 1048576);
		ck_assert_int_ge(cJSON_GetObjectItem(ev, "done")->valueint,
		    last_done);
		last_done = cJSON_GetObjectItem(ev, "done")->valueint;
		cJSON_Delete(ev);
		nprog++;
	}
	ck_assert_int_ge(nprog, 2);
	ck_assert_int_eq(last_done, 2 * 1048576);
	/* Small bodies send none. */
	snprintf(url, sizeof(url), "%s/big?n=100000", nf.sbase);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_SEAL, 0, &buf,
	    &len), 0);
	free(buf);
	ck_assert_int_eq(read(fds[0], &hdr, 4), -1);
	env_close(&e);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* text with the first "old" replaced by "new" (malloc'd). */
static char *
replace(const char *text, const char *old, const char *new)
{
	const char *p = strstr(text, old);
	size_t n = strlen(text) - strlen(old) + strlen(new) + 1;
	char *out = malloc(n);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, (size_t)(p - text));
	memcpy(out + (p - text), new, strlen(new));
	memcpy(out + (p - text) + strlen(new), p + strlen(old),
	    strlen(p + strlen(old)) + 1);
	return out;
}

/* Proxies: from the configuration, bypassed by noProxy, and from the
 * environment.  The test server also works as a plain-HTTP forward proxy;
 * nothing listens on the target port 1, so success proves the proxy. */
START_TEST(test_proxy)
{
	struct env e;
	unsigned char *buf;
	size_t len;
	char *text, *t2, proxy[128];
	const char *url = "http://127.0.0.1:1/static/inter.crl";
	long before;

	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	snprintf(proxy, sizeof(proxy), "\"proxy\":\"%s\"", nf.base);
	t2 = replace(text, "\"proxy\":\"\"", proxy);
	before = uk_netfix_hits(&nf, "/static/inter.crl");
	env_open_text(&e, t2, -1);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CRL, 0, &buf, &len),
	    0);
	ck_assert_uint_gt(len, 100);
	free(buf);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.crl"), before + 1);
	env_close(&e);
	free(t2);

	snprintf(proxy, sizeof(proxy), "\"proxy\":\"%s\",\"noProxy\":"
	    "\"127.0.0.1\"", nf.base);
	t2 = replace(text, "\"proxy\":\"\"", proxy);
	env_open_text(&e, t2, -1);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CRL, 0, &buf, &len),
	    UK_ERR_NETWORK);
	env_close(&e);
	free(t2);

	t2 = replace(text, "\"proxy\":\"\",", "");
	ck_assert_int_eq(setenv("http_proxy", nf.base, 1), 0);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	env_open_text(&e, t2, -1);
	ck_assert_int_eq(uk_net_fetch(&e.ctx, url, UK_NET_CRL, 0, &buf, &len),
	    0);
	free(buf);
	ck_assert_int_eq(uk_netfix_hits(&nf, "/static/inter.crl"), before + 2);
	env_close(&e);
	unsetenv("http_proxy");
	free(t2);
	free(text);
}
END_TEST

/* Configuration section: accepted and rejected members. */
static const struct {
	const char *json;
	int ok;
} conf_cases[] = {
	{ "{}", 1 },
	{ "{\"allowHosts\":[\"issp.sheca.com\",\"*.sheca.com\","
	    "\"127.0.0.1\"]}", 1 },
	{ "{\"proxy\":\"http://proxy:3128\",\"noProxy\":\"localhost\"}", 1 },
	{ "{\"connectTimeoutMs\":100,\"totalTimeoutMs\":3600000}", 1 },
	{ "{\"revocationTimeoutMs\":5000}", 1 },
	{ "{\"revocationTimeoutMs\":600001}", 0 },
	{ "{\"allowPlainHttpLoopback\":false,\"cacheDir\":\"/tmp/x\"}", 1 },
	{ "[]", 0 },
	{ "{\"allowHost\":[]}", 0 },
	{ "{\"allowHosts\":\"issp.sheca.com\"}", 0 },
	{ "{\"allowHosts\":[\"ISSP.sheca.com\"]}", 0 },
	{ "{\"allowHosts\":[\"*\"]}", 0 },
	{ "{\"allowHosts\":[\"a..b\"]}", 0 },
	{ "{\"allowHosts\":[\"host/path\"]}", 0 },
	{ "{\"allowHosts\":[\"\"]}", 0 },
	{ "{\"connectTimeoutMs\":99}", 0 },
	{ "{\"connectTimeoutMs\":1.5}", 0 },
	{ "{\"totalTimeoutMs\":\"10\"}", 0 },
	{ "{\"maxSealBytes\":999999999999}", 0 },
	{ "{\"caFile\":\"relative.pem\"}", 0 },
	{ "{\"cacheDir\":7}", 0 },
	{ "{\"allowPlainHttpLoopback\":1}", 0 },
};

START_TEST(test_config_section)
{
	char why[256] = "";
	cJSON *v = cJSON_Parse(conf_cases[_i].json);
	int r;

	ck_assert_ptr_nonnull(v);
	r = uk_net_config_validate(v, why, sizeof(why));
	ck_assert_msg((r == 0) == conf_cases[_i].ok, "%s: %s",
	    conf_cases[_i].json, why);
	if (!conf_cases[_i].ok) {
		ck_assert_int_eq(r, UK_ERR_CONFIG);
		ck_assert_ptr_nonnull(strstr(why, "network"));
	}
	cJSON_Delete(v);
}
END_TEST

/* Through the real host: each case answers with its code, and the host
 * keeps serving. */
static const struct {
	const char *method;
	const char *params;	/* %s: base64 / base URL */
	const char *arg;	/* static file name, or URL path */
	int code;
} host_cases[] = {
	{ "net.verify", "{\"cert\":\"%s\"}", "good.der", 0 },
	{ "net.verify", "{\"cert\":\"%s\"}", "revoked.der",
	    UK_ERR_CERT_REVOKED },
	{ "net.verify", "{\"cert\":\"%s\"}", "unknown.der",
	    UK_ERR_CERT_STATUS_UNKNOWN },
	{ "net.verify", "{\"cert\":\"%s\"}", "wrongsigner.der",
	    UK_ERR_OCSP_SIGNATURE },
	{ "net.verify", "{\"cert\":\"%s\"}", "expiredresp.der",
	    UK_ERR_OCSP_EXPIRED },
	{ "net.verify", "{\"cert\":\"%s\"}", "crlgood.der", 0 },
	{ "net.verify", "{\"cert\":\"%s\"}", "slow.der", UK_ERR_OCSP_CONNECT },
	{ "net.verify", "{\"cert\":\"%s\"}", "garbage.der",
	    UK_ERR_OCSP_FORMAT },
	{ "net.verify", "{\"cert\":\"%s\"}", "sm2revoked.der",
	    UK_ERR_CERT_REVOKED },
	{ "net.verify", "{\"cert\":\"%s\"}", "foreign.der",
	    UK_ERR_VERIFY_CHAIN },
	{ "net.verify", "{\"cert\":\"bm90IGEgY2VydA==\"}", NULL,
	    UK_ERR_CERT_FORMAT },
	/* x509's cert.verify and the SafeEngine layer reach the same code
	 * through the hooks; the intermediate comes from caIssuers. */
	{ "cert.verify", "{\"cert\":\"%s\",\"revocation\":true}",
	    "good.der", 0 },
	{ "cert.verify", "{\"cert\":\"%s\",\"revocation\":true}",
	    "revoked.der", UK_ERR_CERT_REVOKED },
	{ "cert.verify", "{\"cert\":\"%s\",\"revocation\":true}",
	    "crlrevoked.der", UK_ERR_CERT_REVOKED },
	{ "cert.verify", "{\"cert\":\"%s\",\"revocation\":true}",
	    "sm2good.der", 0 },
	{ "cert.verify", "{\"cert\":\"%s\",\"revocation\":false}",
	    "revoked.der", 0 },
	{ "se.call", "{\"method\":\"SEH_SetConfiguration\",\"args\":[1]}",
	    NULL, 0 },
	{ "se.call", "{\"method\":\"SEH_VerifyCertificate\",\"args\":"
	    "[\"%s\"]}", "unknown.der", UK_ERR_CERT_STATUS_UNKNOWN },
	{ "se.call", "{\"method\":\"SEH_VerifyCertificate\",\"args\":"
	    "[\"%s\"]}", "expiredresp.der", UK_ERR_OCSP_EXPIRED },
	{ "se.call", "{\"method\":\"SEH_VerifyCertificate\",\"args\":"
	    "[\"%s\"]}", "good.der", 0 },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"cert\"}",
	    "/static/good.der", 0 },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"cert\"}",
	    "/garbage", UK_ERR_DOWNLOAD_CONTENT },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"seal\"}",
	    "/truncated", UK_ERR_DOWNLOAD_TRUNCATED },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"seal\"}",
	    "/hang", UK_ERR_TIMEOUT },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"seal\"}",
	    "/big?n=20000000", UK_ERR_DOWNLOAD_TOO_LARGE },
	{ "net.download", "{\"url\":\"https://127.0.0.1:1/\","
	    "\"purpose\":\"seal\"}", NULL, UK_ERR_NETWORK },
	{ "net.download", "{\"url\":\"https://issp.sheca.com.evil/\","
	    "\"purpose\":\"seal\"}", NULL, UK_ERR_HOST_NOT_ALLOWED },
	{ "net.download", "{\"url\":\"ftp://127.0.0.1/x\","
	    "\"purpose\":\"seal\"}", NULL, UK_ERR_INSECURE_URL },
	{ "net.download", "{\"url\":\"%s\",\"purpose\":\"other\"}",
	    "/static/good.der", UK_ERR_INVALID_PARAM },
};

/* fmt with its one "%s" replaced by arg (malloc'd). */
static char *
subst(const char *fmt, const char *arg)
{
	const char *p = strstr(fmt, "%s");
	size_t n = strlen(fmt) + strlen(arg) + 1;
	char *out = malloc(n);

	ck_assert_ptr_nonnull(out);
	if (p == NULL) {
		memcpy(out, fmt, strlen(fmt) + 1);
		return out;
	}
	memcpy(out, fmt, (size_t)(p - fmt));
	memcpy(out + (p - fmt), arg, strlen(arg));
	memcpy(out + (p - fmt) + strlen(arg), p + 2, strlen(p + 2) + 1);
	return out;
}

/* Runs the host cases of one pass in a fresh host process.  Pass 1: the
 * slow-loris cases, with short timeouts; pass 0: the rest. */
static void
host_pass(int pass)
{
	struct uk_hostproc hp;
	char *text, *params, *arg = NULL, url[512];
	const cJSON *err, *res;
	cJSON *resp;
	size_t i;

	nf.short_timeouts = pass;
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	ck_assert_int_eq(uk_hostproc_start_test(&hp, text), 0);
	free(text);
	for (i = 0; i < UK_ARRAY_LEN(host_cases); i++) {
		if (pass != (host_cases[i].code == UK_ERR_TIMEOUT ||
		    host_cases[i].code == UK_ERR_OCSP_CONNECT))
			continue;
		arg = NULL;
		if (host_cases[i].arg != NULL && host_cases[i].arg[0] == '/') {
			snprintf(url, sizeof(url), "%s%s", nf.sbase,
			    host_cases[i].arg);
			arg = strdup(url);
		} else if (host_cases[i].arg != NULL)
			arg = uk_netfix_b64(&nf, host_cases[i].arg);
		params = subst(host_cases[i].params, arg ? arg : "");
		resp = uk_hostproc_call(&hp, (int64_t)i + 1,
		    host_cases[i].method, params, UK_TEST_ORIGIN);
		ck_assert_msg(resp != NULL, "case %zu: no answer", i);
		err = cJSON_GetObjectItem(resp, "error");
		res = cJSON_GetObjectItem(resp, "result");
		if (host_cases[i].code == 0) {
			ck_assert_msg(res != NULL, "case %zu (%s): %s", i,
			    host_cases[i].arg, cJSON_PrintUnformatted(resp));
			ck_assert_ptr_null(err);
		} else {
			ck_assert_msg(err != NULL, "case %zu: no error", i);
			ck_assert_msg(cJSON_GetObjectItem(err, "code")->valueint
			    == host_cases[i].code, "case %zu (%s): %s", i,
			    host_cases[i].arg ? host_cases[i].arg : "",
			    cJSON_PrintUnformatted(err));
			ck_assert_str_eq(cJSON_GetObjectItem(err,
			    "name")->valuestring,
			    uk_err_name(host_cases[i].code));
		}
		cJSON_Delete(resp);
		free(params);
		free(arg);
		/* Still serving. */
		resp = uk_hostproc_call(&hp, 1000 + (int64_t)i, "host.ping",
		    "{\"data\":\"x\"}", UK_TEST_ORIGIN);
		ck_assert_ptr_nonnull(resp);
		ck_assert_ptr_nonnull(cJSON_GetObjectItem(resp, "result"));
		cJSON_Delete(resp);
	}
	/* A page origin without the seal capability cannot download. */
	resp = uk_hostproc_call(&hp, 2000, "net.download",
	    "{\"url\":\"https://127.0.0.1/\",\"purpose\":\"seal\"}",
	    "https://gov.example.cn");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(resp,
	    "error"), "code")->valueint, UK_ERR_ORIGIN_NOT_ALLOWED);
	cJSON_Delete(resp);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 20000), 0);
}

START_TEST(test_through_host)
{
	ck_assert_msg(nf_ok, "fixture");
	host_pass(0);
	host_pass(1);
}
END_TEST

/* net.verify reads the anchors for each call: an anchor file IT replaces
 * while the host runs takes effect at once. */
static int
net_verify_code(struct uk_hostproc *hp, int64_t id, const char *b64)
{
	char params[65536 + 64];
	const cJSON *err;
	cJSON *resp;
	int code;

	snprintf(params, sizeof(params), "{\"cert\":\"%s\","
	    "\"revocation\":false}", b64);
	resp = uk_hostproc_call(hp, id, "net.verify", params, UK_TEST_ORIGIN);
	ck_assert_ptr_nonnull(resp);
	err = cJSON_GetObjectItem(resp, "error");
	code = err ? cJSON_GetObjectItem(err, "code")->valueint : 0;
	cJSON_Delete(resp);
	return code;
}

START_TEST(test_net_verify_anchor_replaced)
{
	struct uk_hostproc hp;
	char *text, *good;

	ck_assert_msg(nf_ok, "fixture");
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	ck_assert_int_eq(uk_hostproc_start_test(&hp, text), 0);
	free(text);
	ck_assert_ptr_nonnull(good = uk_netfix_b64(&nf, "good.der"));
	ck_assert_int_eq(net_verify_code(&hp, 1, good), 0);
	/* another certificate as the only anchor: the chain no longer ends
	 * at one */
	ck_assert_int_eq(uk_test_sh("cd %s && cp anchors.pem anchors.keep && "
	    "openssl x509 -inform DER -in static/foreign.der -out anchors.new "
	    "&& mv anchors.new anchors.pem", nf.dir), 0);
	ck_assert_int_eq(net_verify_code(&hp, 2, good), UK_ERR_VERIFY_CHAIN);
	ck_assert_int_eq(uk_test_sh("cd %s && mv anchors.keep anchors.pem",
	    nf.dir), 0);
	ck_assert_int_eq(net_verify_code(&hp, 3, good), 0);
	free(good);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 20000), 0);
}
END_TEST

START_TEST(test_host_progress_and_result)
{
	struct uk_hostproc hp;
	char *text, params[256];
	cJSON *resp, *events = NULL, *res, *ev;
	int nprog = 0;

	ck_assert_msg(nf_ok, "fixture");
	ck_assert_ptr_nonnull(text = uk_netfix_config(&nf, NULL));
	ck_assert_int_eq(uk_hostproc_start_test(&hp, text), 0);
	free(text);
	snprintf(params, sizeof(params), "{\"id\":5,\"method\":"
	    "\"net.download\",\"params\":{\"url\":\"%s/big?n=%d\","
	    "\"purpose\":\"seal\"},\"origin\":\"" UK_TEST_ORIGIN "\"}",
	    nf.sbase, 3 * 1048576);
	ck_assert_int_eq(uk_hostproc_send(&hp, params), 0);
	events = cJSON_CreateArray();
	resp = uk_hostproc_response(&hp, 5, 20000, &events);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_nonnull(res = cJSON_GetObjectItem(resp, "result"));
	ck_assert_int_eq(cJSON_GetObjectItem(res, "size")->valueint,
	    3 * 1048576);
	ck_assert_str_eq(cJSON_GetObjectItem(res, "contentType")->valuestring,
	    "application/octet-stream");
	ck_assert_uint_eq(strlen(cJSON_GetObjectItem(res,
	    "data")->valuestring), 4 * 1048576);
	cJSON_ArrayForEach(ev, events)
		if (strcmp(cJSON_GetObjectItem(ev, "event")->valuestring,
		    "progress") == 0) {
			ck_assert_int_eq(cJSON_GetObjectItem(ev,
			    "id")->valueint, 5);
			nprog++;
		}
	ck_assert_int_ge(nprog, 2);
	cJSON_Delete(resp);
	cJSON_Delete(events);
	ck_assert_int_eq(uk_hostproc_finish(&hp, 20000), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_up, fix_down);
	tcase_set_timeout(tc, 300);	/* a loaded 2-core machine */
	tcase_add_loop_test(tc, test_revocation_case, 0,
	    UK_ARRAY_LEN(rev_cases));
	tcase_add_test(tc, test_cache_no_second_request);
	tcase_add_test(tc, test_cache_cap_evicts);
	tcase_add_test(tc, test_issuer_from_aia);
	tcase_add_test(tc, test_revocation_host_not_allowed);
	tcase_add_loop_test(tc, test_download_case, 0,
	    UK_ARRAY_LEN(dl_cases));
	tcase_add_test(tc, test_download_refusals);
	tcase_add_test(tc, test_fetch_file_atomic);
	tcase_add_test(tc, test_proxy);
	tcase_add_test(tc, test_progress_events);
	tcase_add_loop_test(tc, test_config_section, 0,
	    UK_ARRAY_LEN(conf_cases));
	tcase_add_test(tc, test_through_host);
	tcase_add_test(tc, test_host_progress_and_result);
	tcase_add_test(tc, test_net_verify_anchor_replaced);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
