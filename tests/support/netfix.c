/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hostproc.h"
#include "json.h"
#include "netfix.h"

#define NET_SCRIPTS	UK_TEST_SOURCE_DIR "/tests/support/net"

static int
run(const char *cmd)
{
	int st = system(cmd);

	if (st != 0)
		fprintf(stderr, "netfix: '%s' failed (%d)\n", cmd, st);
	return st == 0 ? 0 : -1;
}

static X509 *
load_pem_cert(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	if (fp == NULL)
		return NULL;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	return x;
}

/* An OCSP response for "expiredresp" whose nextUpdate is a day past. */
static int
make_expired_response(struct uk_netfix *nf)
{
	char path[PATH_MAX + 64];
	X509 *leaf = NULL, *inter = NULL;
	EVP_PKEY *key = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_CERTID *id = NULL;
	ASN1_TIME *thisu = NULL, *nextu = NULL;
	unsigned char *der = NULL;
	FILE *fp = NULL;
	int len, r = -1;

	snprintf(path, sizeof(path), "%s/expiredresp.pem", nf->dir);
	leaf = load_pem_cert(path);
	snprintf(path, sizeof(path), "%s/inter.pem", nf->dir);
	inter = load_pem_cert(path);
	snprintf(path, sizeof(path), "%s/inter.key", nf->dir);
	if ((fp = fopen(path, "r")) != NULL) {
		key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	if (leaf == NULL || inter == NULL || key == NULL ||
	    (bs = OCSP_BASICRESP_new()) == NULL ||
	    (id = OCSP_cert_to_id(EVP_sha1(), leaf, inter)) == NULL ||
	    (thisu = X509_gmtime_adj(NULL, -2 * 86400)) == NULL ||
	    (nextu = X509_gmtime_adj(NULL, -86400)) == NULL ||
	    OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL,
	    thisu, nextu) == NULL ||
	    OCSP_basic_sign(bs, inter, key, EVP_sha256(), NULL, 0) != 1 ||
	    (resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs)) == NULL || (len = i2d_OCSP_RESPONSE(resp, &der)) <= 0)
		goto out;
	snprintf(path, sizeof(path), "%s/static/expired.ocsp", nf->dir);
	if ((fp = fopen(path, "wb")) == NULL)
		goto out;
	r = fwrite(der, 1, (size_t)len, fp) == (size_t)len ? 0 : -1;
	fclose(fp);
 out:
	OPENSSL_free(der);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_TIME_free(thisu);
	ASN1_TIME_free(nextu);
	EVP_PKEY_free(key);
	X509_free(leaf);
	X509_free(inter);
	return r;
}

static int
start_server(struct uk_netfix *nf)
{
	int in[2], out[2];
	char line[256];
	struct pollfd pfd;
	size_t have = 0;
	ssize_t n;
	pid_t pid;
	cJSON *j;

	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("node", "node", NET_SCRIPTS "/netserver.mjs", nf->dir,
		    (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	nf->server = pid;
	nf->server_in = in[1];
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (have < sizeof(line) - 1 && memchr(line, '\n', have) == NULL) {
		if (poll(&pfd, 1, 15000) <= 0 ||
		    (n = read(out[0], line + have, sizeof(line) - 1 - have)) <= 0)
			break;
		have += (size_t)n;
	}
	close(out[0]);
	line[have] = '\0';
	if ((j = cJSON_Parse(line)) == NULL) {
		fprintf(stderr, "netfix: server did not start: '%s'\n", line);
		return -1;
	}
	nf->http_port = cJSON_GetObjectItem(j, "http")->valueint;
	nf->https_port = cJSON_GetObjectItem(j, "https")->valueint;
	cJSON_Delete(j);
	snprintf(nf->base, sizeof(nf->base), "http://127.0.0.1:%d",
	    nf->http_port);
	snprintf(nf->sbase, sizeof(nf->sbase), "https://127.0.0.1:%d",
	    nf->https_port);
	return 0;
}

int
uk_netfix_start(struct uk_netfix *nf)
{
	char cmd[PATH_MAX * 2 + 256];

	memset(nf, 0, sizeof(*nf));
	nf->server = -1;
	nf->server_in = -1;
	snprintf(nf->dir, sizeof(nf->dir), "/tmp/uknet.XXXXXX");
	if (mkdtemp(nf->dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "bash %s/netpki.sh tls %s >/dev/null",
	    NET_SCRIPTS, nf->dir);
	if (run(cmd) != 0 || start_server(nf) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "bash %s/netpki.sh ca %s %s >/dev/null",
	    NET_SCRIPTS, nf->dir, nf->base);
	if (run(cmd) != 0 || make_expired_response(nf) != 0)
		return -1;
	return 0;
}

int
uk_netfix_shared_pki(struct uk_netfix *nf)
{
	char cmd[PATH_MAX * 6 + 512];

	snprintf(cmd, sizeof(cmd), "UK_PKI_BASE_URL=%s/pki bash %s/tests/pki/"
	    "make-pki.sh %s/pki >/dev/null && cat %s/pki/root-ca.pem "
	    "%s/pki/sm2-ca.pem >>%s/anchors.pem", nf->base, UK_TEST_SOURCE_DIR,
	    nf->dir, nf->dir, nf->dir, nf->dir);
	return run(cmd);
}

void
uk_netfix_stop(struct uk_netfix *nf)
{
	char cmd[PATH_MAX + 32];
	int st;

	if (nf->server_in >= 0)
		close(nf->server_in);
	if (nf->server > 0) {
		kill(nf->server, SIGTERM);
		waitpid(nf->server, &st, 0);
	}
	if (nf->dir[0] != '\0' && strncmp(nf->dir, "/tmp/uknet.", 11) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", nf->dir);
		(void)run(cmd);
	}
	nf->server = -1;
	nf->server_in = -1;
}

/* A raw HTTP/1.0 request (tests must not depend on the code under test). */
static char *
http_raw(struct uk_netfix *nf, const char *method, const char *path)
{
	struct sockaddr_in sa;
	char req[512], *buf = NULL, *nb;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)nf->http_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n"
	    "Content-Length: 0\r\n\r\n", method, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	for (;;) {
		if ((nb = realloc(buf, len + 4097)) == NULL)
			break;
		buf = nb;
		if ((n = read(fd, buf + len, 4096)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

long
uk_netfix_hits(struct uk_netfix *nf, const char *path)
{
	char *resp = http_raw(nf, "GET", "/_hits"), *body;
	cJSON *j, *v;
	long n = -1;

	if (resp == NULL || (body = strstr(resp, "\r\n\r\n")) == NULL) {
		free(resp);
		return -1;
	}
	if ((j = cJSON_Parse(body + 4)) != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(j, path);
		n = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
		cJSON_Delete(j);
	}
	free(resp);
	return n;
}

int
uk_netfix_reset(struct uk_netfix *nf)
{
	char *resp = http_raw(nf, "POST", "/_reset");
	int ok = resp != NULL && strstr(resp, " 200 ") != NULL;

	free(resp);
	return ok ? 0 : -1;
}

char *
uk_netfix_config(struct uk_netfix *nf, const char *extra_network)
{
	size_t size = 4096 + strlen(extra_network ? extra_network : "");
	char *buf;
	int n;

	if ((buf = malloc(size)) == NULL)
		return NULL;
	nf->ncache++;
	snprintf(nf->cachedir, sizeof(nf->cachedir), "%s/cache-%ld-%d",
	    nf->dir, (long)getpid(), nf->ncache);
	n = snprintf(buf, size,
	    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"],"
	    "\"firefox\":[\"ukeylink@sheca.com\"]},"
	    "\"origins\":[{\"origin\":\"" UK_TEST_ORIGIN "\","
	    "\"capabilities\":[\"read\",\"sign\",\"enroll\",\"seal\","
	    "\"unlock\"]},{\"origin\":\"https://gov.example.cn\","
	    "\"capabilities\":[\"read\",\"sign\"]}],"
	    "\"log\":{\"level\":\"debug\",\"destination\":\"stderr\"},"
	    "\"trustAnchors\":[\"%s/anchors.pem\"],"
	    "\"network\":{\"allowHosts\":[\"127.0.0.1\"],"
	    "\"revocationHosts\":[\"127.0.0.1\"],"
	    "\"caFile\":\"%s/tlsca.pem\",\"proxy\":\"\","
	    "\"allowPlainHttpLoopback\":true,"
	    "\"connectTimeoutMs\":%d,\"totalTimeoutMs\":%d,"
	    "\"lowSpeedBytesPerSec\":100,\"lowSpeedSeconds\":%d,"
	    "\"cacheDir\":\"%s\"%s}}",
	    nf->dir, nf->dir, nf->short_timeouts ? 2000 : 20000,
	    nf->short_timeouts ? 4000 : 60000,
	    nf->short_timeouts ? 2 : 20, nf->cachedir,
	    extra_network ? extra_network : "");
	if (n < 0 || (size_t)n >= size) {
		free(buf);
		return NULL;
	}
	return buf;
}

X509 *
uk_netfix_cert(struct uk_netfix *nf, const char *name)
{
	char path[PATH_MAX + 64];

	/* "pki/NAME": the shared PKI's file. */
	if (strncmp(name, "pki/", 4) == 0)
		snprintf(path, sizeof(path), "%s/%s.pem", nf->dir, name);
	else
		snprintf(path, sizeof(path), "%s/static/%s.pem", nf->dir,
		    name);
	return load_pem_cert(path);
}

char *
uk_netfix_b64(struct uk_netfix *nf, const char *name)
{
	char path[PATH_MAX + 64];
	unsigned char buf[65536];
	size_t n;
	FILE *fp;

	if (strncmp(name, "pki/", 4) == 0)
		snprintf(path, sizeof(path), "%s/%s", nf->dir, name);
	else
		snprintf(path, sizeof(path), "%s/static/%s", nf->dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	return uk_base64_encode(buf, n);
}
