/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The on-disk cache of revocation data: one file per entry named
 * "<kind>-<sha256(key)>", written atomically, the directory kept under
 * network.cacheMaxBytes by removing the least recently written files.
 * Entries are raw DER as fetched; the reader verifies them again before
 * use (signature and nextUpdate), so a stale or tampered file is simply
 * refetched.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "log.h"
#include "net_int.h"
#include "platform.h"

#define UK_NET_CACHE_FILES_MAX	4096	/* entries considered for eviction */

static int
entry_path(struct uk_net_state *ns, const char *kind, const char *key,
    char *path, size_t size)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65];
	int i, n;

	if (ns->conf.cachedir[0] == '\0')
		return UK_ERR_NOT_SUPPORTED;
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1)
		return UK_ERR_LIBCRYPTO;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	n = snprintf(path, size, "%s/%s-%s", ns->conf.cachedir, kind, hex);
	return n < 0 || (size_t)n >= size ? UK_ERR_SYSTEM : 0;
}

int
uk_net_cache_get(struct uk_net_state *ns, const char *kind, const char *key,
    unsigned char **bufp, size_t *lenp)
{
	char path[PATH_MAX];
	unsigned char *buf = NULL;
	struct stat st;
	FILE *fp = NULL;
	int r = UK_ERR_INTERNAL;

	*bufp = NULL;
	*lenp = 0;
	if ((r = entry_path(ns, kind, key, path, sizeof(path))) != 0)
		return UK_ERR_CERT_NOT_FOUND;
	if ((fp = fopen(path, "rb")) == NULL)
		return UK_ERR_CERT_NOT_FOUND;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uint64_t)st.st_size > UK_NET_MAX_HARD) {
		r = UK_ERR_CERT_NOT_FOUND;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = UK_ERR_ALLOC_FAIL;
		goto out;
	}
	if (fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
		r = UK_ERR_CERT_NOT_FOUND;
		goto out;
	}
	buf[st.st_size] = '\0';
	/* success */
	*bufp = buf;
	*lenp = (size_t)st.st_size;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	fclose(fp);
	return r;
}

struct entry {
	char name[NAME_MAX + 1];
	time_t mtime;
	off_t size;
};

static int
cmp_mtime(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static int
path_of(struct uk_net_state *ns, const char *name, char *path, size_t size)
{
	size_t dl = strlen(ns->conf.cachedir), nl = strlen(name);

	if (dl + 1 + nl + 1 > size)
		return UK_ERR_SYSTEM;
	memcpy(path, ns->conf.cachedir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, name, nl + 1);
	return 0;
}

/* Removes the oldest entries until the directory fits the cap. */
static void
evict(struct uk_net_state *ns)
{
	struct entry *ents = NULL;
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	uint64_t total = 0;
	size_t n = 0, i;
	DIR *d;

	if ((d = opendir(ns->conf.cachedir)) == NULL)
		return;
	if ((ents = calloc(UK_NET_CACHE_FILES_MAX, sizeof(*ents))) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL && n < UK_NET_CACHE_FILES_MAX) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '-') == NULL)
			continue;
		if (strlen(de->d_name) >= sizeof(ents[n].name) ||
		    path_of(ns, de->d_name, path, sizeof(path)) != 0 ||
		    lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		memcpy(ents[n].name, de->d_name, strlen(de->d_name) + 1);
		ents[n].mtime = st.st_mtime;
		ents[n].size = st.st_size;
		total += (uint64_t)st.st_size;
		n++;
	}
	if (total <= ns->conf.cache_max)
		goto out;
	qsort(ents, n, sizeof(*ents), cmp_mtime);
	for (i = 0; i < n && total > ns->conf.cache_max; i++) {
		if (path_of(ns, ents[i].name, path, sizeof(path)) == 0 &&
		    unlink(path) == 0)
			total -= (uint64_t)ents[i].size;
		uk_debug("evicted %s", ents[i].name);
	}
 out:
	free(ents);
	closedir(d);
}

void
uk_net_cache_put(struct uk_net_state *ns, const char *kind, const char *key,
    const unsigned char *p, size_t len)
{
	char path[PATH_MAX];

	if (len > ns->conf.cache_max ||
	    entry_path(ns, kind, key, path, sizeof(path)) != 0)
		return;
	if (uk_platform_mkdirs(ns->conf.cachedir) != 0 ||
	    uk_net_write_atomic(path, p, len) != 0) {
		uk_warn("cannot write the cache entry %s", path);
		return;
	}
	evict(ns);
}

void
uk_net_cache_drop(struct uk_net_state *ns, const char *kind, const char *key)
{
	char path[PATH_MAX];

	if (entry_path(ns, kind, key, path, sizeof(path)) == 0)
		(void)unlink(path);
}
