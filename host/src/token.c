/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Token module core: PKCS#11 modules (load, initialise, finalise), slot
 * enumeration, sessions, login state and the PIN (token.h).
 *
 * libp11 is not used for this part: 0.4.12 crashes re-enumerating two or
 * more slots, keeps PIN flags only as an enumeration snapshot, and hides
 * the session and CKR values that enrolment and PIN handling need.  The
 * raw interface comes from p11-kit's pkcs11.h.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifndef _WIN32
#include <dlfcn.h>
#else
#include <windows.h>
#endif

#include <cjson/cJSON.h>
#include <p11-kit/pkcs11.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "log.h"
#include "token-int.h"
#include "token.h"
#include "wipe.h"

#define TK_IDLE_DEFAULT	900	/* seconds */

/* Default module paths: the first existing file of each group is used. */
#if defined(_WIN32)
static const char *const default_modules[][4] = {
	{ "C:\\Windows\\System32\\opensc-pkcs11.dll", NULL },
	{ "C:\\SoftHSM2\\lib\\softhsm2-x64.dll", NULL },
};
#elif defined(__APPLE__)
static const char *const default_modules[][4] = {
	{ "/Library/OpenSC/lib/opensc-pkcs11.so", NULL },
	{ "/usr/local/lib/softhsm/libsofthsm2.so",
	  "/opt/homebrew/lib/softhsm/libsofthsm2.so", NULL },
};
#else
static const char *const default_modules[][4] = {
	{ "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
	  "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
	  "/usr/lib64/opensc-pkcs11.so", "/usr/lib/opensc-pkcs11.so" },
	{ "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	  "/usr/lib64/softhsm/libsofthsm2.so",
	  "/usr/lib/softhsm/libsofthsm2.so" },
};
#endif

int
uk_token_ckr_err(CK_RV rv, int dflt)
{
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return UK_ERR_ALLOC_FAIL;
	case CKR_PIN_INCORRECT:
		return UK_ERR_PIN_INCORRECT;
	case CKR_PIN_LOCKED:
		return UK_ERR_PIN_LOCKED;
	case CKR_PIN_LEN_RANGE:
		return UK_ERR_PIN_LEN_RANGE;
	case CKR_PIN_INVALID:
		return UK_ERR_PIN_INVALID;
	case CKR_USER_PIN_NOT_INITIALIZED:
		return UK_ERR_PIN_NOT_INITIALIZED;
	case CKR_FUNCTION_CANCELED:
		return UK_ERR_PIN_CANCELLED;
	case CKR_USER_NOT_LOGGED_IN:
		return UK_ERR_NOT_LOGGED_IN;
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SESSION_CLOSED:
		return UK_ERR_TOKEN_REMOVED;
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
		return UK_ERR_MECHANISM;
	case CKR_DEVICE_ERROR:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SLOT_ID_INVALID:
		return UK_ERR_READ_KEY_DEVICE;
	case CKR_DATA_LEN_RANGE:
		return UK_ERR_INVALID_PARAM;
	case CKR_FUNCTION_NOT_SUPPORTED:
		return UK_ERR_NOT_SUPPORTED;
	default:
		return dflt;
	}
}

void
tk_trim(char *dst, const unsigned char *src, size_t len)
{
	/* PKCS#11 strings are blank-padded, not NUL-terminated. */
	while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\0'))
		len--;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int
module_add(struct uk_token_state *st, const char *path)
{
	size_t i;

	for (i = 0; i < st->nmods; i++)
		if (strcmp(st->mods[i].path, path) == 0)
			return 0;
	if (st->nmods == TK_MAX_MODULES)
		return UK_ERR_INVALID_PARAM;
	memset(&st->mods[st->nmods], 0, sizeof(st->mods[0]));
	snprintf(st->mods[st->nmods].path, sizeof(st->mods[0].path), "%s",
	    path);
	st->nmods++;
	st->stale = 1;
	return 0;
}

static int
path_ok(const char *path)
{
	size_t len = strlen(path);

	if (len == 0 || len >= PATH_MAX)
		return 0;
#ifdef _WIN32
	return len > 2 && path[1] == ':';
#else
	return path[0] == '/';
#endif
}

int
uk_token_validate_config(const cJSON *v, char *why, size_t whylen)
{
	const cJSON *m, *e;

	if (!cJSON_IsObject(v)) {
		snprintf(why, whylen, "'pkcs11': must be an object");
		return UK_ERR_CONFIG;
	}
	cJSON_ArrayForEach(m, v) {
		if (strcmp(m->string, "modules") == 0) {
			if (!cJSON_IsArray(m) ||
			    cJSON_GetArraySize(m) > TK_MAX_MODULES)
				goto badmods;
			cJSON_ArrayForEach(e, m)
				if (!cJSON_IsString(e) ||
				    !path_ok(e->valuestring))
					goto badmods;
		} else if (strcmp(m->string, "sm2Mechanism") == 0 ||
		    strcmp(m->string, "sm2DecryptMechanism") == 0) {
			if (!cJSON_IsNumber(m) || m->valuedouble < 0 ||
			    m->valuedouble > 4294967295.0 ||
			    m->valuedouble !=
			    (double)(uint64_t)m->valuedouble) {
				snprintf(why, whylen, "'pkcs11.%s': must be a "
				    "PKCS#11 mechanism number", m->string);
				return UK_ERR_CONFIG;
			}
		} else {
			snprintf(why, whylen, "'pkcs11.%.40s': unknown member "
			    "(modules, sm2Mechanism, sm2DecryptMechanism)",
			    m->string);
			return UK_ERR_CONFIG;
		}
	}
	return 0;
 badmods:
	snprintf(why, whylen, "'pkcs11.modules': must be an array of at most "
	    "%d absolute paths", TK_MAX_MODULES);
	return UK_ERR_CONFIG;
}

static void
configure(struct uk_ctx *ctx, struct uk_token_state *st)
{
	const cJSON *sec, *mods, *e, *mech;
	size_t g, i;

	st->configured = 1;
	st->idle_seconds = uk_config_limit(ctx->cfg, "sessionIdleSeconds",
	    TK_IDLE_DEFAULT);
	sec = uk_config_section(ctx->cfg, "pkcs11");
	mods = cJSON_GetObjectItemCaseSensitive(sec, "modules");
	mech = cJSON_GetObjectItemCaseSensitive(sec, "sm2Mechanism");
	if (cJSON_IsNumber(mech))
		st->sm2_mech = (CK_MECHANISM_TYPE)mech->valuedouble;
	/* SM2 decryption has a default: the DER-input mechanism of the
	 * vendor family whose signing numbers sm2Mechanism takes. */
	mech = cJSON_GetObjectItemCaseSensitive(sec, "sm2DecryptMechanism");
	st->sm2_dec_mech = cJSON_IsNumber(mech) ?
	    (CK_MECHANISM_TYPE)mech->valuedouble : TK_CKM_SM2_CIPHER_DER;
	if (cJSON_IsArray(mods)) {
		cJSON_ArrayForEach(e, mods)
			if (cJSON_IsString(e) &&
			    module_add(st, e->valuestring) != 0)
				uk_warn("too many PKCS#11 modules");
		return;
	}
	for (g = 0; g < UK_ARRAY_LEN(default_modules); g++)
		for (i = 0; i < 4 && default_modules[g][i] != NULL; i++)
			if (access(default_modules[g][i], F_OK) == 0) {
				if (module_add(st, default_modules[g][i]) != 0)
					uk_warn("too many PKCS#11 modules");
				break;
			}
}

int
tk_state(struct uk_ctx *ctx, struct uk_token_state **stp)
{
	if (ctx->token == NULL) {
		if ((ctx->token = calloc(1, sizeof(*ctx->token))) == NULL)
			return UK_ERR_ALLOC_FAIL;
		ctx->token->stale = 1;
	}
	if (!ctx->token->configured)
		configure(ctx, ctx->token);
	*stp = ctx->token;
	return 0;
}

static void *
dl_open(const char *path, char *err, size_t errlen)
{
#ifndef _WIN32
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		snprintf(err, errlen, "%s", dlerror());
	return h;
#else
	HMODULE h = LoadLibraryA(path);

	if (h == NULL)
		snprintf(err, errlen, "LoadLibrary error %lu", GetLastError());
	return (void *)h;
#endif
}

static void *
dl_sym(void *h, const char *name)
{
#ifndef _WIN32
	return dlsym(h, name);
#else
	return (void *)GetProcAddress((HMODULE)h, name);
#endif
}

static void
dl_close(void *h)
{
#ifndef _WIN32
	dlclose(h);
#else
	FreeLibrary((HMODULE)h);
#endif
}

static int
module_load(struct tk_module *m)
{
	CK_C_GetFunctionList getfl;
	CK_C_INITIALIZE_ARGS args;
	CK_RV rv;
	char err[200] = "";

	m->tried = 1;
	if ((m->dl = dl_open(m->path, err, sizeof(err))) == NULL) {
		snprintf(m->problem, sizeof(m->problem), "%s: %s", m->path,
		    err);
		goto fail;
	}
	*(void **)&getfl = dl_sym(m->dl, "C_GetFunctionList");
	if (getfl == NULL || (rv = getfl(&m->fn)) != CKR_OK || m->fn == NULL) {
		snprintf(m->problem, sizeof(m->problem), "%s: no "
		    "C_GetFunctionList", m->path);
		goto fail;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = m->fn->C_Initialize(&args);
	if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED)
		rv = CKR_OK;	/* someone else in this process owns fini */
	else if (rv == CKR_OK)
		m->initialized = 1;
	if (rv != CKR_OK) {
		snprintf(m->problem, sizeof(m->problem), "%s: C_Initialize "
		    "failed (CKR 0x%lx)", m->path, (unsigned long)rv);
		goto fail;
	}
	uk_debug("loaded PKCS#11 module %s", m->path);
	return 0;
 fail:
	uk_error_r(UK_ERR_LOAD_LIBRARY, "%s", m->problem);
	if (m->dl != NULL)
		dl_close(m->dl);
	m->dl = NULL;
	m->fn = NULL;
	m->err = UK_ERR_LOAD_LIBRARY;
	return m->err;
}

CK_FUNCTION_LIST_PTR
tk_fn(struct uk_token_state *st, const struct tk_token *t)
{
	return st->mods[t->modidx].fn;
}

void
tk_forget_session(struct uk_token_state *st, struct tk_token *t)
{
	if (t->has_sess && tk_fn(st, t) != NULL)
		(void)tk_fn(st, t)->C_CloseSession(t->sess);
	t->has_sess = 0;
	t->logged_in = 0;
	t->nkeys = 0;
}

static void
make_handle(struct tk_token *t)
{
	char serial[17];
	size_t i;

	tk_trim(serial, t->info.serialNumber, sizeof(t->info.serialNumber));
	for (i = 0; serial[i] != '\0'; i++)
		if (!isalnum((unsigned char)serial[i]))
			serial[i] = '_';
	snprintf(t->handle, sizeof(t->handle), "m%d-s%lu-%s", t->modidx,
	    (unsigned long)t->slot, serial);
}

/* Records one present token; keeps the session of a known one. */
static void
enum_slot(struct uk_token_state *st, int modidx, CK_SLOT_ID slot,
    int *seen)
{
	CK_FUNCTION_LIST_PTR fn = st->mods[modidx].fn;
	CK_TOKEN_INFO info;
	CK_SLOT_INFO sinfo;
	struct tk_token tmp, *t;
	size_t i, freei = TK_MAX_TOKENS;

	if (fn->C_GetTokenInfo(slot, &info) != CKR_OK ||
	    !(info.flags & CKF_TOKEN_INITIALIZED))
		return;
	memset(&tmp, 0, sizeof(tmp));
	tmp.modidx = modidx;
	tmp.slot = slot;
	tmp.info = info;
	if (fn->C_GetSlotInfo(slot, &sinfo) == CKR_OK)
		tk_trim(tmp.reader, sinfo.slotDescription,
		    sizeof(sinfo.slotDescription));
	make_handle(&tmp);
	for (i = 0; i < TK_MAX_TOKENS; i++) {
		t = &st->toks[i];
		if (!t->used) {
			if (freei == TK_MAX_TOKENS)
				freei = i;
			continue;
		}
		if (strcmp(t->handle, tmp.handle) == 0) {
			t->info = info;
			seen[i] = 1;
			return;
		}
	}
	if (freei == TK_MAX_TOKENS) {
		uk_warn("more than %d tokens: ignoring %s", TK_MAX_TOKENS,
		    tmp.handle);
		return;
	}
	tmp.used = 1;
	st->toks[freei] = tmp;
	seen[freei] = 1;
}

int
tk_enumerate(struct uk_token_state *st)
{
	int seen[TK_MAX_TOKENS] = { 0 };
	CK_SLOT_ID slots[64];
	CK_ULONG n;
	size_t i, j, loaded = 0;

	for (i = 0; i < st->nmods; i++) {
		if (!st->mods[i].tried)
			(void)module_load(&st->mods[i]);
		if (st->mods[i].fn == NULL)
			continue;
		loaded++;
		n = UK_ARRAY_LEN(slots);
		if (st->mods[i].fn->C_GetSlotList(CK_TRUE, slots, &n) !=
		    CKR_OK) {
			uk_warn("C_GetSlotList failed for %s",
			    st->mods[i].path);
			continue;
		}
		for (j = 0; j < n; j++)
			enum_slot(st, (int)i, slots[j], seen);
	}
	for (i = 0; i < TK_MAX_TOKENS; i++)
		if (st->toks[i].used && !seen[i]) {
			uk_info("token %s is gone", st->toks[i].handle);
			tk_forget_session(st, &st->toks[i]);
			st->toks[i].used = 0;
		}
	st->stale = 0;
	return (loaded == 0 && st->nmods > 0) ? UK_ERR_LOAD_LIBRARY : 0;
}

static struct tk_token *
find_handle(struct uk_token_state *st, const char *handle)
{
	size_t i;

	for (i = 0; i < TK_MAX_TOKENS; i++)
		if (st->toks[i].used && strcmp(st->toks[i].handle, handle) == 0)
			return &st->toks[i];
	return NULL;
}

int
tk_lookup(struct uk_ctx *ctx, const char *handle, struct tk_token **tokp)
{
	struct uk_token_state *st;
	struct tk_token *t = NULL;
	int r, fresh = 0;

	*tokp = NULL;
	if (handle == NULL || strlen(handle) >= UK_TOKEN_HANDLE_MAX)
		return UK_ERR_TOKEN_NOT_FOUND;
	if ((r = tk_state(ctx, &st)) != 0)
		return r;
	if (st->stale) {
		if ((r = tk_enumerate(st)) != 0)
			return r;
		fresh = 1;
	}
	if ((t = find_handle(st, handle)) == NULL && !fresh) {
		if ((r = tk_enumerate(st)) != 0)
			return r;
		t = find_handle(st, handle);
	}
	if (t == NULL)
		return UK_ERR_TOKEN_NOT_FOUND;
	*tokp = t;
	return 0;
}

int
tk_fail(struct uk_token_state *st, struct tk_token *t, CK_RV rv,
    const char *what, int dflt)
{
	int r = uk_token_ckr_err(rv, dflt), i;
	CK_SLOT_INFO si;

	uk_debug("%s on %s: CKR 0x%lx", what, t->handle, (unsigned long)rv);
	/* OpenSC reports a card pulled mid-operation as a general or
	 * device error, not CKR_DEVICE_REMOVED: ask the slot.  The
	 * service may notice the removal only at its next poll (pcscd:
	 * 400 ms for some drivers), so look for up to a second. */
	for (i = 0; i < 10 && (rv == CKR_GENERAL_ERROR ||
	    rv == CKR_DEVICE_ERROR || rv == CKR_FUNCTION_FAILED); i++) {
		if (tk_fn(st, t)->C_GetSlotInfo(t->slot, &si) != CKR_OK ||
		    !(si.flags & CKF_TOKEN_PRESENT)) {
			r = UK_ERR_TOKEN_REMOVED;
			break;
		}
		usleep(100000);
	}
	if (r == UK_ERR_TOKEN_REMOVED) {
		tk_forget_session(st, t);
		st->stale = 1;
	} else if (r == UK_ERR_NOT_LOGGED_IN) {
		t->logged_in = 0;	/* the module says so: believe it */
		t->nkeys = 0;
	}
	return r;
}

int
tk_session(struct uk_token_state *st, struct tk_token *t)
{
	CK_FUNCTION_LIST_PTR fn = tk_fn(st, t);
	CK_SESSION_INFO si;
	CK_RV rv;

	if (t->has_sess)
		return 0;
	rv = fn->C_OpenSession(t->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
	    NULL, NULL, &t->sess);
	if (rv == CKR_TOKEN_WRITE_PROTECTED)
		rv = fn->C_OpenSession(t->slot, CKF_SERIAL_SESSION, NULL, NULL,
		    &t->sess);
	if (rv != CKR_OK)
		return tk_fail(st, t, rv, "C_OpenSession",
		    UK_ERR_READ_KEY_DEVICE);
	t->has_sess = 1;
	t->nkeys = 0;
	/* A card keeps its login across processes (virtual-reader.md). */
	t->logged_in = fn->C_GetSessionInfo(t->sess, &si) == CKR_OK &&
	    (si.state == CKS_RO_USER_FUNCTIONS ||
	    si.state == CKS_RW_USER_FUNCTIONS);
	t->last_use = time(NULL);
	return 0;
}

int
tk_require_login(struct uk_token_state *st, struct tk_token *t)
{
	int r;

	if ((r = tk_session(st, t)) != 0)
		return r;
	if (!t->logged_in)
		return UK_ERR_NOT_LOGGED_IN;
	t->last_use = time(NULL);
	return 0;
}

static void
pin_state_of(const struct tk_token *t, struct uk_pin_state *stp)
{
	CK_FLAGS f = t->info.flags;

	memset(stp, 0, sizeof(*stp));
	stp->count_low = (f & CKF_USER_PIN_COUNT_LOW) != 0;
	stp->final_try = (f & CKF_USER_PIN_FINAL_TRY) != 0;
	stp->locked = (f & CKF_USER_PIN_LOCKED) != 0;
	stp->to_be_changed = (f & CKF_USER_PIN_TO_BE_CHANGED) != 0;
	stp->initialized = (f & CKF_USER_PIN_INITIALIZED) != 0;
	stp->pinpad = (f & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	/* PKCS#11 has no counter: only what the flags imply is known. */
	stp->retries_left = stp->locked ? 0 : stp->final_try ? 1 : -1;
	stp->logged_in = t->logged_in;
	stp->min_len = t->info.ulMinPinLen;
	stp->max_len = t->info.ulMaxPinLen;
}

static void
refresh_info(struct uk_token_state *st, struct tk_token *t,
    struct uk_pin_state *stp)
{
	CK_TOKEN_INFO info;

	if (tk_fn(st, t)->C_GetTokenInfo(t->slot, &info) == CKR_OK)
		t->info = info;
	if (stp != NULL)
		pin_state_of(t, stp);
}

int
uk_pin_state_to_json(const struct uk_pin_state *s, cJSON *o)
{
	if (cJSON_AddBoolToObject(o, "countLow", s->count_low) == NULL ||
	    cJSON_AddBoolToObject(o, "finalTry", s->final_try) == NULL ||
	    cJSON_AddBoolToObject(o, "locked", s->locked) == NULL ||
	    cJSON_AddBoolToObject(o, "toBeChanged", s->to_be_changed) ==
	    NULL ||
	    (s->retries_left >= 0 && cJSON_AddNumberToObject(o,
	    "retriesLeft", s->retries_left) == NULL) ||
	    cJSON_AddBoolToObject(o, "loggedIn", s->logged_in) == NULL ||
	    cJSON_AddBoolToObject(o, "pinpad", s->pinpad) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

int
uk_token_pin_state(struct uk_ctx *ctx, const char *token,
    struct uk_pin_state *stp)
{
	struct uk_token_state *st;
	struct tk_token *t;
	int r;

	memset(stp, 0, sizeof(*stp));
	if ((r = tk_lookup(ctx, token, &t)) != 0)
		return r;
	st = ctx->token;
	refresh_info(st, t, stp);
	return 0;
}

/* Checks a PIN before it goes to the module: length and bytes. */
static int
pin_check(const struct tk_token *t, const char *pin, size_t *lenp)
{
	size_t len, i;
	CK_ULONG min = t->info.ulMinPinLen, max = t->info.ulMaxPinLen;

	*lenp = 0;
	if (pin == NULL)
		return UK_ERR_PIN_LEN_RANGE;
	len = strnlen(pin, UK_PIN_MAX + 1);
	if (len == 0 || len > UK_PIN_MAX)
		return UK_ERR_PIN_LEN_RANGE;
	for (i = 0; i < len; i++)
		if ((unsigned char)pin[i] < 0x20 || pin[i] == 0x7f)
			return UK_ERR_PIN_INVALID;
	/* Modules that report nonsense limits (max 0) are not trusted. */
	if (max >= min && max > 0 && (len < min || len > max))
		return UK_ERR_PIN_LEN_RANGE;
	*lenp = len;
	return 0;
}

/* Maps a failed login's CKR, taking the flags after the attempt into
 * account: a module may say "incorrect" for the try that locked it. */
static int
login_err(struct uk_token_state *st, struct tk_token *t, CK_RV rv,
    struct uk_pin_state *stp)
{
	int r = tk_fail(st, t, rv, "C_Login", UK_ERR_READ_KEY_DEVICE);

	if (r == UK_ERR_TOKEN_REMOVED)
		return r;
	refresh_info(st, t, stp);
	if (r == UK_ERR_PIN_INCORRECT && stp->locked)
		r = UK_ERR_PIN_LOCKED;
	return r;
}

int
uk_token_login(struct uk_ctx *ctx, const char *token, const char *pin,
    struct uk_pin_state *stp)
{
	struct uk_pin_state dummy;
	struct uk_token_state *st;
	struct tk_token *t;
	CK_FUNCTION_LIST_PTR fn;
	CK_RV rv;
	size_t len = 0;
	int r, pinpad;

	if (stp == NULL)
		stp = &dummy;
	memset(stp, 0, sizeof(*stp));
	stp->retries_left = -1;
	if ((r = tk_lookup(ctx, token, &t)) != 0)
		return r;
	st = ctx->token;
	fn = tk_fn(st, t);
	/* The flags as they are now (pinpad, PIN limits, lock), not as
	 * they were at the last enumeration. */
	refresh_info(st, t, NULL);
	pinpad = (t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	if (!pinpad && (r = pin_check(t, pin, &len)) != 0) {
		pin_state_of(t, stp);
		return r;
	}
	if ((r = tk_session(st, t)) != 0)
		return r;
	if (t->logged_in) {
		/* A new PIN is checked, not assumed: log out first. */
		(void)fn->C_Logout(t->sess);
		t->logged_in = 0;
		t->nkeys = 0;
	}
	/* The module now waits for the keypad: tell the page, which can
	 * ask the user to type there. */
	if (pinpad)
		(void)uk_host_progress(ctx, 0, 1, "pinpad");
	rv = fn->C_Login(t->sess, CKU_USER,
	    pinpad ? NULL : (CK_UTF8CHAR_PTR)(uintptr_t)pin,
	    pinpad ? 0 : (CK_ULONG)len);
	if (pinpad)
		(void)uk_host_progress(ctx, 1, 1, "pinpad");
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return login_err(st, t, rv, stp);
	/* success */
	t->logged_in = 1;
	t->last_use = time(NULL);
	refresh_info(st, t, stp);
	uk_info("logged in to %s", t->handle);
	return 0;
}

int
uk_token_logout(struct uk_ctx *ctx, const char *token)
{
	struct tk_token *t;
	int r;

	if ((r = tk_lookup(ctx, token, &t)) != 0)
		return r;
	if (t->has_sess && t->logged_in)
		(void)tk_fn(ctx->token, t)->C_Logout(t->sess);
	tk_forget_session(ctx->token, t);
	uk_info("logged out of %s", t->handle);
	return 0;
}

int
uk_token_change_pin(struct uk_ctx *ctx, const char *token,
    const char *old_pin, const char *new_pin, struct uk_pin_state *stp)
{
	struct uk_pin_state dummy;
	struct uk_token_state *st;
	struct tk_token *t;
	size_t oldlen = 0, newlen = 0;
	CK_RV rv;
	int r, pinpad;

	if (stp == NULL)
		stp = &dummy;
	memset(stp, 0, sizeof(*stp));
	stp->retries_left = -1;
	if ((r = tk_lookup(ctx, token, &t)) != 0)
		return r;
	st = ctx->token;
	refresh_info(st, t, NULL);
	pinpad = (t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	if (!pinpad && ((r = pin_check(t, old_pin, &oldlen)) != 0 ||
	    (r = pin_check(t, new_pin, &newlen)) != 0)) {
		pin_state_of(t, stp);
		return r;
	}
	if ((r = tk_session(st, t)) != 0)
		return r;
	/* C_SetPIN works in a R/W public or user session. */
	if (pinpad)
		(void)uk_host_progress(ctx, 0, 1, "pinpad");
	rv = tk_fn(st, t)->C_SetPIN(t->sess,
	    pinpad ? NULL : (CK_UTF8CHAR_PTR)(uintptr_t)old_pin,
	    (CK_ULONG)oldlen,
	    pinpad ? NULL : (CK_UTF8CHAR_PTR)(uintptr_t)new_pin,
	    (CK_ULONG)newlen);
	if (pinpad)
		(void)uk_host_progress(ctx, 1, 1, "pinpad");
	if (rv != CKR_OK)
		return login_err(st, t, rv, stp);
	refresh_info(st, t, stp);
	uk_info("PIN changed on %s", t->handle);
	return 0;
}

static int
token_json(struct uk_token_state *st, struct tk_token *t, cJSON **objp)
{
	struct uk_pin_state ps;
	char buf[65];
	cJSON *o, *pin;

	*objp = NULL;
	pin_state_of(t, &ps);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "token", t->handle) == NULL ||
	    cJSON_AddNumberToObject(o, "slot", (double)t->slot) == NULL)
		goto fail;
	tk_trim(buf, t->info.label, sizeof(t->info.label));
	if (cJSON_AddStringToObject(o, "label", buf) == NULL)
		goto fail;
	tk_trim(buf, t->info.manufacturerID, sizeof(t->info.manufacturerID));
	if (cJSON_AddStringToObject(o, "manufacturer", buf) == NULL)
		goto fail;
	tk_trim(buf, t->info.model, sizeof(t->info.model));
	if (cJSON_AddStringToObject(o, "model", buf) == NULL)
		goto fail;
	tk_trim(buf, t->info.serialNumber, sizeof(t->info.serialNumber));
	if (cJSON_AddStringToObject(o, "serial", buf) == NULL ||
	    cJSON_AddNumberToObject(o, "flags", (double)t->info.flags) ==
	    NULL ||
	    cJSON_AddStringToObject(o, "reader", t->reader) == NULL ||
	    cJSON_AddStringToObject(o, "module",
	    st->mods[t->modidx].path) == NULL ||
	    (pin = cJSON_AddObjectToObject(o, "pin")) == NULL ||
	    uk_pin_state_to_json(&ps, pin) != 0)
		goto fail;
	*objp = o;
	return 0;
 fail:
	cJSON_Delete(o);
	return UK_ERR_ALLOC_FAIL;
}

int
uk_token_list(struct uk_ctx *ctx, cJSON **tokensp)
{
	struct uk_token_state *st;
	cJSON *arr = NULL, *o;
	size_t i;
	int r;

	*tokensp = NULL;
	if ((r = tk_state(ctx, &st)) != 0 || (r = tk_enumerate(st)) != 0)
		return r;
	if ((arr = cJSON_CreateArray()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < TK_MAX_TOKENS; i++) {
		if (!st->toks[i].used)
			continue;
		if ((r = token_json(st, &st->toks[i], &o)) != 0) {
			cJSON_Delete(arr);
			return r;
		}
		cJSON_AddItemToArray(arr, o);
	}
	*tokensp = arr;
	return 0;
}

/* Problems of modules that failed to load: [{path, code, message}]. */
int
uk_token_module_problems(struct uk_ctx *ctx, cJSON **arrp)
{
	struct uk_token_state *st;
	cJSON *arr, *o;
	size_t i;
	int r;

	*arrp = NULL;
	if ((r = tk_state(ctx, &st)) != 0)
		return r;
	if ((arr = cJSON_CreateArray()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < st->nmods; i++) {
		if (st->mods[i].err == 0)
			continue;
		if ((o = cJSON_CreateObject()) == NULL ||
		    cJSON_AddStringToObject(o, "path", st->mods[i].path) ==
		    NULL ||
		    cJSON_AddNumberToObject(o, "code", st->mods[i].err) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "message",
		    st->mods[i].problem) == NULL) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			return UK_ERR_ALLOC_FAIL;
		}
		cJSON_AddItemToArray(arr, o);
	}
	*arrp = arr;
	return 0;
}

int
uk_token_first(struct uk_ctx *ctx, char *hbuf, size_t hlen)
{
	struct uk_token_state *st;
	size_t i, best = TK_MAX_TOKENS;
	int r;

	if (hlen > 0)
		hbuf[0] = '\0';
	if ((r = tk_state(ctx, &st)) != 0 || (r = tk_enumerate(st)) != 0)
		return r;
	for (i = 0; i < TK_MAX_TOKENS; i++) {
		if (!st->toks[i].used)
			continue;
		if (best == TK_MAX_TOKENS ||
		    st->toks[i].modidx < st->toks[best].modidx ||
		    (st->toks[i].modidx == st->toks[best].modidx &&
		    st->toks[i].slot < st->toks[best].slot))
			best = i;
	}
	if (best == TK_MAX_TOKENS)
		return UK_ERR_READ_KEY_DEVICE;
	if ((size_t)snprintf(hbuf, hlen, "%s", st->toks[best].handle) >= hlen)
		return UK_ERR_BUFFER_TOO_SMALL;
	return 0;
}

int
uk_token_add_module(struct uk_ctx *ctx, const char *path)
{
	struct uk_token_state *st;
	int r;

	if (path == NULL || !path_ok(path))
		return UK_ERR_INVALID_PARAM;
	if ((r = tk_state(ctx, &st)) != 0)
		return r;
	return module_add(st, path);
}

void
uk_token_on_removed(struct uk_ctx *ctx, const char *reader)
{
	struct uk_token_state *st = ctx->token;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < TK_MAX_TOKENS; i++) {
		if (!st->toks[i].used)
			continue;
		if (reader != NULL && strcmp(st->toks[i].reader, reader) != 0)
			continue;
		if (st->toks[i].logged_in)
			uk_info("token %s removed: session ended",
			    st->toks[i].handle);
		tk_forget_session(st, &st->toks[i]);
		if (reader != NULL)
			st->toks[i].used = 0;
	}
	st->stale = 1;
}

void
uk_token_on_inserted(struct uk_ctx *ctx, const char *reader)
{
	(void)reader;
	if (ctx->token != NULL)
		ctx->token->stale = 1;
}

int
uk_token_raw_session(struct uk_ctx *ctx, const char *token,
    CK_FUNCTION_LIST_PTR *fnp, CK_SESSION_HANDLE *sessp)
{
	struct tk_token *t;
	int r;

	*fnp = NULL;
	*sessp = CK_INVALID_HANDLE;
	if ((r = tk_lookup(ctx, token, &t)) != 0 ||
	    (r = tk_session(ctx->token, t)) != 0)
		return r;
	t->last_use = time(NULL);
	*fnp = tk_fn(ctx->token, t);
	*sessp = t->sess;
	return 0;
}

int
uk_token_raw(struct uk_ctx *ctx, const char *token,
    CK_FUNCTION_LIST_PTR *fnp, CK_SESSION_HANDLE *sessp)
{
	struct tk_token *t;
	int r;

	*fnp = NULL;
	*sessp = CK_INVALID_HANDLE;
	if ((r = tk_lookup(ctx, token, &t)) != 0 ||
	    (r = tk_require_login(ctx->token, t)) != 0)
		return r;
	*fnp = tk_fn(ctx->token, t);
	*sessp = t->sess;
	return 0;
}

int
uk_token_info(struct uk_ctx *ctx, const char *token, CK_SLOT_ID *slotp,
    CK_TOKEN_INFO *infop)
{
	struct tk_token *t;
	int r;

	if ((r = tk_lookup(ctx, token, &t)) != 0)
		return r;
	refresh_info(ctx->token, t, NULL);
	*slotp = t->slot;
	*infop = t->info;
	return 0;
}

void
uk_token_changed(struct uk_ctx *ctx, const char *token)
{
	struct tk_token *t;

	if (ctx->token != NULL && (t = find_handle(ctx->token, token)) != NULL)
		t->nkeys = 0;
}

void
tk_tick(struct uk_ctx *ctx, time_t now)
{
	struct uk_token_state *st = ctx->token;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < TK_MAX_TOKENS; i++) {
		struct tk_token *t = &st->toks[i];

		if (!t->used || !t->logged_in ||
		    now - t->last_use < st->idle_seconds)
			continue;
		uk_info("token %s idle for %lld s: logging out", t->handle,
		    (long long)(now - t->last_use));
		(void)tk_fn(st, t)->C_Logout(t->sess);
		tk_forget_session(st, t);
	}
}

void
tk_fini(struct uk_ctx *ctx)
{
	struct uk_token_state *st = ctx->token;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < TK_MAX_TOKENS; i++)
		if (st->toks[i].used) {
			if (st->toks[i].logged_in)
				(void)tk_fn(st, &st->toks[i])->C_Logout(
				    st->toks[i].sess);
			tk_forget_session(st, &st->toks[i]);
		}
	for (i = 0; i < st->nmods; i++) {
		if (st->mods[i].fn != NULL && st->mods[i].initialized)
			(void)st->mods[i].fn->C_Finalize(NULL);
		/* The module stays mapped: unmapping at exit only makes
		 * leak reports lose their symbols. */
		st->mods[i].fn = NULL;
	}
	free(st);
	ctx->token = NULL;
}
