/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * libcurl, loaded on first use.  libcurl pulls in some thirty libraries
 * (GnuTLS for RTMP, Kerberos, LDAP, SSH, …): linking it directly made every
 * host start pay 30–60 ms of dynamic loading and several MiB of RSS, while
 * most hosts never touch the network.  This file defines the libcurl
 * functions net.c uses; each one loads libcurl with dlopen() the first time
 * and calls the real function.  When libcurl cannot be loaded they fail the
 * way libcurl fails (NULL handle, CURLE_FAILED_INIT), so the network module
 * reports a clear error and the rest of the host keeps working.
 *
 * The same goes for libssl: its one function the host calls,
 * SSL_CTX_get_cert_store() (net.c, adding network.caFile to a TLS
 * context), runs only inside a libcurl callback, so it is looked up in the
 * libraries libcurl brought in.  Not linking libssl saves every host start
 * one more library and its relocations.
 *
 * Only POSIX builds use it; a Windows build links libcurl and libssl as
 * usual.
 */
#include "uk_setup.h"

#define CURL_DISABLE_TYPECHECK 1	/* we define the functions themselves */

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "log.h"

#ifdef __APPLE__
#define UK_LIBCURL_NAME	"libcurl.4.dylib"
#else
#define UK_LIBCURL_NAME	"libcurl.so.4"
#endif

static struct {
	void *lib;
	CURLcode (*global_init)(long);
	char *(*version)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
	CURLSHcode (*share_cleanup)(CURLSH *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	/* From libcurl's TLS library, when it is OpenSSL's libssl. */
	X509_STORE *(*ssl_ctx_get_cert_store)(const SSL_CTX *);
} lc;

static pthread_once_t lc_once = PTHREAD_ONCE_INIT;

/* POSIX allows converting dlsym's object pointer to a function pointer. */
#define LC_SYM(field, name) \
	(*(void **)(&lc.field) = dlsym(lc.lib, (name)))

static void
lc_load(void)
{
	if ((lc.lib = dlopen(UK_LIBCURL_NAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		uk_error("cannot load %s: %s", UK_LIBCURL_NAME, dlerror());
		return;
	}
	if (LC_SYM(global_init, "curl_global_init") == NULL ||
	    LC_SYM(version, "curl_version") == NULL ||
	    LC_SYM(easy_init, "curl_easy_init") == NULL ||
	    LC_SYM(easy_cleanup, "curl_easy_cleanup") == NULL ||
	    LC_SYM(easy_reset, "curl_easy_reset") == NULL ||
	    LC_SYM(easy_perform, "curl_easy_perform") == NULL ||
	    LC_SYM(easy_setopt, "curl_easy_setopt") == NULL ||
	    LC_SYM(easy_getinfo, "curl_easy_getinfo") == NULL ||
	    LC_SYM(easy_strerror, "curl_easy_strerror") == NULL ||
	    LC_SYM(share_init, "curl_share_init") == NULL ||
	    LC_SYM(share_setopt, "curl_share_setopt") == NULL ||
	    LC_SYM(share_cleanup, "curl_share_cleanup") == NULL ||
	    LC_SYM(slist_append, "curl_slist_append") == NULL ||
	    LC_SYM(slist_free_all, "curl_slist_free_all") == NULL ||
	    LC_SYM(free, "curl_free") == NULL ||
	    LC_SYM(url, "curl_url") == NULL ||
	    LC_SYM(url_cleanup, "curl_url_cleanup") == NULL ||
	    LC_SYM(url_get, "curl_url_get") == NULL ||
	    LC_SYM(url_set, "curl_url_set") == NULL) {
		uk_error("%s lacks a function the host needs", UK_LIBCURL_NAME);
		dlclose(lc.lib);
		lc.lib = NULL;
		return;
	}
	/* dlsym() on a handle also searches the libraries it depends on.
	 * Absent when libcurl uses another TLS library: libcurl then never
	 * calls CURLOPT_SSL_CTX_FUNCTION either. */
	(void)LC_SYM(ssl_ctx_get_cert_store, "SSL_CTX_get_cert_store");
}

/* 1 when libcurl is loaded and complete. */
static int
lc_ready(void)
{
	pthread_once(&lc_once, lc_load);
	return lc.lib != NULL;
}

CURLcode
curl_global_init(long flags)
{
	return lc_ready() ? lc.global_init(flags) : CURLE_FAILED_INIT;
}

char *
curl_version(void)
{
	static char none[] = "libcurl not available";

	return lc_ready() ? lc.version() : none;
}

CURL *
curl_easy_init(void)
{
	return lc_ready() ? lc.easy_init() : NULL;
}

void
curl_easy_cleanup(CURL *h)
{
	if (h != NULL && lc_ready())
		lc.easy_cleanup(h);
}

void
curl_easy_reset(CURL *h)
{
	if (lc_ready())
		lc.easy_reset(h);
}

CURLcode
curl_easy_perform(CURL *h)
{
	return lc_ready() ? lc.easy_perform(h) : CURLE_FAILED_INIT;
}

/*
 * The option number says what the variadic argument is (curl.h:
 * CURLOPTTYPE_*): a long, an object or function pointer, or a curl_off_t.
 */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode r;

	if (!lc_ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		r = lc.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
		r = lc.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else if (opt >= CURLOPTTYPE_FUNCTIONPOINT && opt < CURLOPTTYPE_OFF_T)
		r = lc.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else
		r = lc.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO_* takes a pointer to the result. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	CURLcode r;

	if (!lc_ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	r = lc.easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}

const char *
curl_easy_strerror(CURLcode code)
{
	return lc_ready() ? lc.easy_strerror(code) :
	    "libcurl could not be loaded";
}

CURLSH *
curl_share_init(void)
{
	return lc_ready() ? lc.share_init() : NULL;
}

/* SHARE/UNSHARE take an int, the lock functions function pointers,
 * USERDATA a pointer. */
CURLSHcode
curl_share_setopt(CURLSH *sh, CURLSHoption opt, ...)
{
	va_list ap;
	CURLSHcode r;

	if (!lc_ready())
		return CURLSHE_NOT_BUILT_IN;
	va_start(ap, opt);
	if (opt == CURLSHOPT_SHARE || opt == CURLSHOPT_UNSHARE)
		r = lc.share_setopt(sh, opt, va_arg(ap, int));
	else if (opt == CURLSHOPT_LOCKFUNC || opt == CURLSHOPT_UNLOCKFUNC)
		r = lc.share_setopt(sh, opt, va_arg(ap, void (*)(void)));
	else
		r = lc.share_setopt(sh, opt, va_arg(ap, void *));
	va_end(ap);
	return r;
}

CURLSHcode
curl_share_cleanup(CURLSH *sh)
{
	return lc_ready() ? lc.share_cleanup(sh) : CURLSHE_INVALID;
}

struct curl_slist *
curl_slist_append(struct curl_slist *list, const char *s)
{
	return lc_ready() ? lc.slist_append(list, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *list)
{
	if (list != NULL && lc_ready())
		lc.slist_free_all(list);
}

void
curl_free(void *p)
{
	if (p != NULL && lc_ready())
		lc.free(p);
}

CURLU *
curl_url(void)
{
	return lc_ready() ? lc.url() : NULL;
}

void
curl_url_cleanup(CURLU *u)
{
	if (u != NULL && lc_ready())
		lc.url_cleanup(u);
}

CURLUcode
curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return lc_ready() ? lc.url_get(u, what, part, flags) :
	    CURLUE_OUT_OF_MEMORY;
}

CURLUcode
curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return lc_ready() ? lc.url_set(u, what, part, flags) :
	    CURLUE_OUT_OF_MEMORY;
}

/*
 * Called only from libcurl's CURLOPT_SSL_CTX_FUNCTION, so libcurl (and with
 * it libssl) is loaded.  NULL when it is not OpenSSL's: the caller refuses
 * the transfer.
 */
X509_STORE *
SSL_CTX_get_cert_store(const SSL_CTX *ctx)
{
	return lc_ready() && lc.ssl_ctx_get_cert_store != NULL ?
	    lc.ssl_ctx_get_cert_store(ctx) : NULL;
}
