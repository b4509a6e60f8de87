/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "hostproc.h"
#include "softhsm.h"

int
uk_test_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 32, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 32)
		return -1;
	if (getenv("UK_TEST_VERBOSE") == NULL)
		strcat(cmd, " >/dev/null 2>&1");
	else
		fprintf(stderr, "+ %s\n", cmd);
	st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int
uk_softhsm_create(struct uk_softhsm *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/uksofthsm.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->pki, sizeof(f->pki), "%s/pki", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/softhsm2.conf", f->dir);
	if (uk_test_sh("bash %s/tests/support/softhsm-token.sh %s",
	    UK_TEST_SOURCE_DIR, f->dir) != 0)
		return -1;
	return setenv("SOFTHSM2_CONF", f->conf, 1);
}

void
uk_softhsm_destroy(struct uk_softhsm *f)
{
	if (f->dir[0] != '\0' && strncmp(f->dir, "/tmp/uksofthsm.", 15) == 0)
		(void)uk_test_sh("rm -rf %s", f->dir);
	f->dir[0] = '\0';
}

char *
uk_test_config(const char *pkcs11_json, const char *limits_json)
{
	return uk_test_config_more(pkcs11_json, limits_json, NULL);
}

char *
uk_test_config_more(const char *pkcs11_json, const char *limits_json,
    const char *more_json)
{
	static const char fmt[] =
	    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"],"
	    "\"firefox\":[\"ukeylink@sheca.com\"]},"
	    "\"origins\":[{\"origin\":\"" UK_TEST_ORIGIN "\","
	    "\"capabilities\":[\"read\",\"sign\",\"enroll\",\"seal\","
	    "\"unlock\"]},"
	    "{\"origin\":\"https://gov.example.cn\",\"capabilities\":"
	    "[\"read\"]}],"
	    "\"log\":{\"level\":\"%s\",\"destination\":\"stderr\"},"
	    "\"limits\":{%s},"
	    "\"pkcs11\":{%s}%s%s}";
	const char *level = getenv("UK_TEST_VERBOSE") ? "debug" : "error";
	char *s;
	size_t len;

	if (limits_json == NULL)
		limits_json = "";
	if (more_json == NULL)
		more_json = "";
	len = sizeof(fmt) + strlen(level) + strlen(pkcs11_json) +
	    strlen(limits_json) + 1 + strlen(more_json);
	if ((s = malloc(len)) == NULL)
		return NULL;
	snprintf(s, len, fmt, level, limits_json, pkcs11_json,
	    more_json[0] != '\0' ? "," : "", more_json);
	return s;
}

char *
uk_softhsm_config(const char *modules_json, const char *limits_json)
{
	char *pk, *s;
	size_t len;

	if (modules_json == NULL)
		modules_json = "\"" UK_SOFTHSM_MODULE "\"";
	len = strlen(modules_json) + 16;
	if ((pk = malloc(len)) == NULL)
		return NULL;
	snprintf(pk, len, "\"modules\":[%s]", modules_json);
	s = uk_test_config(pk, limits_json);
	free(pk);
	return s;
}

int
uk_test_write_file(const char *path, const void *p, size_t len)
{
	FILE *fp;
	int r = 0;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(p, 1, len, fp) != len)
		r = -1;
	if (fclose(fp) != 0)
		r = -1;
	return r;
}

unsigned char *
uk_test_b64(const char *s, size_t *lenp)
{
	unsigned char *out = NULL;

	*lenp = 0;
	if (s == NULL || uk_base64_decode(s, 256 * 1024 * 1024, &out,
	    lenp) != 0)
		return NULL;
	return out;
}

char *
uk_test_file_b64(const char *path)
{
	FILE *fp;
	unsigned char *buf;
	long n;
	char *s = NULL;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, fp) == (size_t)n)
		s = uk_base64_encode(buf, (size_t)n);
	free(buf);
	fclose(fp);
	return s;
}
