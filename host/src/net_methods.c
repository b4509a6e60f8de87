/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * net.*: downloads for the portal and a revocation check of a certificate
 * (host/doc/protocol.md), and the module's --diagnose section.
 */
#include "uk_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "err.h"
#include "host.h"
#include "json.h"
#include "net_int.h"
#include "policy.h"
#include "rpc.h"

#define UK_NET_CERT_B64_MAX	(64 * 1024)	/* one certificate, bytes */
#define UK_NET_CHAIN_MAX	8		/* certificates in chain[] */

/* A downloaded certificate must parse as one (DER or PEM). */
static int
cert_content_ok(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf;
	X509 *x;
	BIO *bio;

	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL && p == buf + len) {
		X509_free(x);
		return 1;
	}
	X509_free(x);
	x = NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	X509_free(x);
	return x != NULL;
}

static int
net_download(struct uk_call *call)
{
	static const char *const allowed[] = { "url", "purpose", NULL };
	struct uk_net_req req;
	const char *url, *purpose;
	unsigned char *buf = NULL;
	size_t len = 0;
	cJSON *res;
	int r = UK_ERR_INTERNAL;

	memset(&req, 0, sizeof(req));
	if (uk_json_only_members(call->params, allowed, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "url", 1, UK_NET_URL_MAX - 1, &url,
	    call->why, sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "purpose", 1, 16, &purpose,
	    call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if (strcmp(purpose, "seal") == 0)
		req.purpose = UK_NET_SEAL;
	else if (strcmp(purpose, "cert") == 0)
		req.purpose = UK_NET_CERT;
	else
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'purpose' must be \"seal\" or \"cert\"");
	req.url = url;
	if ((r = uk_net_request(call->ctx, &req, &buf, &len)) != 0) {
		r = uk_call_fail(call, r, "%s", req.detail);
		goto out;
	}
	if (len == 0 || (req.purpose == UK_NET_CERT &&
	    !cert_content_ok(buf, len))) {
		r = uk_call_fail(call, UK_ERR_DOWNLOAD_CONTENT, "%zu bytes "
		    "that are not a %s", len, len ? "certificate" : "package");
		goto out;
	}
	if ((res = uk_call_result(call)) == NULL ||
	    uk_json_add_base64(res, "data", buf, len) != 0 ||
	    cJSON_AddStringToObject(res, "contentType", req.ctype) == NULL ||
	    cJSON_AddNumberToObject(res, "size", (double)len) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	r = 0;
 out:
	free(buf);
	return r;
}

static int
decode_cert(const unsigned char *der, size_t len, X509 **xp)
{
	const unsigned char *p = der;

	*xp = d2i_X509(NULL, &p, (long)len);
	if (*xp == NULL || p != der + len) {
		X509_free(*xp);
		*xp = NULL;
		ERR_clear_error();
		return UK_ERR_CERT_FORMAT;
	}
	return 0;
}

/* params.chain: optional array of base64 DER certificates. */
static int
get_chain(struct uk_call *call, STACK_OF(X509) **skp)
{
	const cJSON *arr, *e;
	unsigned char *der = NULL;
	size_t len;
	X509 *x;
	int r;

	*skp = NULL;
	arr = cJSON_GetObjectItemCaseSensitive(call->params, "chain");
	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > UK_NET_CHAIN_MAX)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM, "'chain' must "
		    "be an array of at most %d certificates", UK_NET_CHAIN_MAX);
	if ((*skp = sk_X509_new_null()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsString(e) || uk_base64_decode(e->valuestring,
		    UK_NET_CERT_B64_MAX, &der, &len) != 0)
			return uk_call_fail(call, UK_ERR_INVALID_PARAM,
			    "'chain[]' must hold base64 certificates");
		r = decode_cert(der, len, &x);
		free(der);
		if (r != 0)
			return uk_call_fail(call, r, "'chain[]': not a DER "
			    "certificate");
		if (!sk_X509_push(*skp, x)) {
			X509_free(x);
			return UK_ERR_ALLOC_FAIL;
		}
	}
	return 0;
}

static int
net_verify(struct uk_call *call)
{
	static const char *const allowed[] = {
		"cert", "chain", "revocation", NULL
	};
	struct uk_net_state *ns;
	STACK_OF(X509) *chain = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	const char *source = NULL;
	char detail[UK_DETAIL_MAX];
	X509 *leaf = NULL;
	X509_STORE *anchors = NULL;
	cJSON *res;
	int revocation = 1, r = UK_ERR_INTERNAL;

	if (uk_json_only_members(call->params, allowed, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_base64(call->params, "cert", 1, UK_NET_CERT_B64_MAX, &der,
	    &len, call->why, sizeof(call->why)) != 0 ||
	    uk_param_bool(call->params, "revocation", 0, 1, &revocation,
	    call->why, sizeof(call->why)) != 0) {
		r = uk_call_bad_param(call);
		goto out;
	}
	if ((r = decode_cert(der, len, &leaf)) != 0) {
		r = uk_call_fail(call, r, "'cert': not a DER certificate");
		goto out;
	}
	if ((r = get_chain(call, &chain)) != 0 ||
	    (r = uk_net_state(call->ctx, &ns)) != 0)
		goto out;
	/* Built for each call: IT may replace an anchor file while the host
	 * runs, and the call goes to the network anyway (~1 ms is noise). */
	if ((r = uk_net_trust_store(call->ctx, &anchors)) != 0) {
		r = uk_call_fail(call, r, "cannot load trustAnchors");
		goto out;
	}
	if ((r = uk_net_verify(call->ctx, leaf, chain, anchors,
	    revocation, &source, detail, sizeof(detail))) != 0) {
		r = uk_call_fail(call, r, "%s", detail);
		goto out;
	}
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddTrueToObject(res, "ok") == NULL ||
	    cJSON_AddStringToObject(res, "revocation", revocation ? "good" :
	    "notChecked") == NULL ||
	    (source != NULL && cJSON_AddStringToObject(res, "source",
	    source) == NULL)) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	r = 0;
 out:
	X509_STORE_free(anchors);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	free(der);
	return r;
}

static int
net_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	struct uk_net_state *ns;
	const struct uk_net_conf *c;
	size_t i;
	int r;

	fprintf(fp, "network:\n");
	if ((r = uk_net_state(ctx, &ns)) != 0) {
		fprintf(fp, "  ! cannot set up the network: %s\n",
		    uk_err_en(r));
		return 1;
	}
	c = &ns->conf;
	fprintf(fp, "  %s\n", curl_version());
	fprintf(fp, "  download hosts:");
	for (i = 0; i < c->nallow; i++)
		fprintf(fp, " %s", c->allow[i]);
	fprintf(fp, "\n  revocation hosts:");
	for (i = 0; i < c->nrevoc; i++)
		fprintf(fp, " %s", c->revoc[i]);
	fprintf(fp, "\n  proxy: %s\n", c->proxy_set ? (c->proxy[0] ?
	    c->proxy : "none") : "from the environment");
	fprintf(fp, "  cache: %s (max %llu bytes)\n", c->cachedir[0] ?
	    c->cachedir : "none", (unsigned long long)c->cache_max);
	if (c->plain_loopback)
		fprintf(fp, "  ! allowPlainHttpLoopback is on (tests only)\n");
	return c->plain_loopback ? 1 : 0;
}

static const struct uk_method net_methods[] = {
	{ "net.download", net_download, UK_CAP_SEAL,
	    "downloads a seal package or certificate from an allowed host" },
	{ "net.verify", net_verify, UK_CAP_READ,
	    "verifies a certificate's chain and its revocation status" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_net_module = {
	.name = "net",
	.methods = net_methods,
	.fini = uk_net_fini,
	.diagnose = net_diagnose,
};
