/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * se.call and se.snapshot: the SafeEngine methods in one table, their
 * argument conventions, and the per-process SafeEngine session.
 */
#include "uk_setup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "pcsc.h"
#include "policy.h"
#include "rpc.h"
#include "se.h"
#include "se_int.h"
#include "sign.h"
#include "token.h"
#include "version.h"
#include "wipe.h"
#include "x509.h"

#define SE_METHOD_MAX	40	/* "SEH_GetCertInfoByOID" and the like */
#define SE_MAX_ARGS	8
#define SE_SESSION_ARGS	7	/* SEH_InitialSession's arguments */

int
se_state(struct uk_ctx *ctx, struct uk_se_state **stp)
{
	if (ctx->se == NULL && (ctx->se = calloc(1, sizeof(*ctx->se))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	*stp = ctx->se;
	return 0;
}

static void
se_fini(struct uk_ctx *ctx)
{
	free(ctx->se);
	ctx->se = NULL;
}

/* ---- Arguments ------------------------------------------------------ */

const cJSON *
se_arg(const struct se_call *sc, int i)
{
	return cJSON_GetArrayItem(sc->args, i);
}

static int
arg_fail(struct se_call *sc, int i, const char *what)
{
	return uk_call_fail(sc->call, UK_ERR_INVALID_PARAM,
	    "%s%s argument %d: %s", sc->sm ? "ESE_" : "SEH_", sc->m->name,
	    i + 1, what);
}

int
se_str(struct se_call *sc, int i, size_t maxlen, const char **sp)
{
	const cJSON *a = se_arg(sc, i);

	*sp = NULL;
	if (cJSON_IsNumber(a)) {
		/* Pages pass "3" and 3 alike; keep a text copy of numbers. */
		if (i >= SE_MAX_ARGS)
			return arg_fail(sc, i, "too many arguments");
		snprintf(sc->numtext[i], sizeof(sc->numtext[i]), "%.0f",
		    a->valuedouble);
		*sp = sc->numtext[i];
		return 0;
	}
	if (a == NULL || cJSON_IsNull(a)) {
		*sp = "";
		return 0;
	}
	if (!cJSON_IsString(a))
		return arg_fail(sc, i, "must be a string");
	if (strlen(a->valuestring) > maxlen)
		return arg_fail(sc, i, "too long");
	*sp = a->valuestring;
	return 0;
}

/*
 * A number given as a JSON number, a decimal string or a "0x" hex string
 * (pages write the device type as 0xa, 10 or "a").  hex_default: a bare
 * string is hex (device types) rather than decimal.
 */
int
se_int(struct se_call *sc, int i, long min, long max, int hex_default,
    long *vp)
{
	const cJSON *a = se_arg(sc, i);
	const char *s;
	char *end;
	long v;
	int base;

	*vp = 0;
	if (cJSON_IsNumber(a)) {
		if (a->valuedouble != (double)(long)a->valuedouble)
			return arg_fail(sc, i, "must be an integer");
		v = (long)a->valuedouble;
	} else if (cJSON_IsString(a)) {
		s = a->valuestring;
		base = hex_default ? 16 : 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			s += 2;
			base = 16;
		}
		if (!isxdigit((unsigned char)s[0]) || strlen(s) > 12)
			return arg_fail(sc, i, "must be a number");
		v = strtol(s, &end, base);
		if (*end != '\0')
			return arg_fail(sc, i, "must be a number");
	} else if (a == NULL || cJSON_IsNull(a)) {
		v = 0;
	} else
		return arg_fail(sc, i, "must be a number");
	if (v < min || v > max)
		return arg_fail(sc, i, "out of range");
	*vp = v;
	return 0;
}

/* A certificate argument: base64 DER or PEM. */
int
se_cert(struct se_call *sc, int i, struct uk_x509 **certp)
{
	const char *s;
	int r;

	*certp = NULL;
	if ((r = se_str(sc, i, UK_X509_MAX_TEXT, &s)) != 0)
		return r;
	if (s[0] == '\0')
		return uk_call_fail(sc->call, UK_ERR_CERT_FORMAT,
		    "argument %d: empty certificate", i + 1);
	if ((r = uk_x509_parse_text(s, certp)) != 0)
		return uk_call_fail(sc->call, r, "argument %d: not a "
		    "certificate (base64 DER or PEM)", i + 1);
	return 0;
}

/* Sets the call's value to a string (copied). */
int
se_value_str(struct se_call *sc, const char *s)
{
	if ((sc->value = cJSON_CreateString(s)) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

/* Sets the value to base64 of p[0..len). */
int
se_value_b64(struct se_call *sc, const unsigned char *p, size_t len)
{
	char *b64 = uk_base64_encode(p, len);

	if (b64 == NULL)
		return UK_ERR_ALLOC_FAIL;
	sc->value = cJSON_CreateString(b64);
	free(b64);
	return sc->value == NULL ? UK_ERR_ALLOC_FAIL : 0;
}

/* ---- Token selection and login -------------------------------------- */

/*
 * devType/devParam are hints (compat reference, section 1): "com2" picks
 * the second plugged token, anything else the first.
 */
int
se_pick_token(struct se_call *sc, const char *devparam, char *hbuf,
    size_t hlen)
{
	cJSON *tokens = NULL, *t, *h;
	int want = 1, r;

	if (devparam != NULL && strcmp(devparam, "com2") == 0)
		want = 2;
	if ((r = uk_token_list(sc->call->ctx, &tokens)) != 0)
		return uk_call_fail(sc->call, r == UK_ERR_LOAD_LIBRARY ? r :
		    UK_ERR_READ_KEY_DEVICE, "cannot list tokens");
	t = cJSON_GetArrayItem(tokens, want - 1);
	if (t == NULL && want > 1)
		t = cJSON_GetArrayItem(tokens, 0);
	h = cJSON_GetObjectItemCaseSensitive(t, "token");
	if (!cJSON_IsString(h) || strlen(h->valuestring) >= hlen) {
		cJSON_Delete(tokens);
		return uk_call_fail(sc->call, UK_ERR_READ_KEY_DEVICE,
		    "no key is plugged in");
	}
	snprintf(hbuf, hlen, "%s", h->valuestring);
	cJSON_Delete(tokens);
	return 0;
}

/* Adds the PIN state after a failed login to the error ("pin", and
 * "retriesLeft" at top level when known). */
void
se_pin_errinfo(struct se_call *sc, const struct uk_pin_state *st)
{
	cJSON *ei = uk_call_errinfo(sc->call), *pin;

	if (ei == NULL || (pin = cJSON_AddObjectToObject(ei, "pin")) == NULL)
		return;
	if (uk_pin_state_to_json(st, pin) != 0)
		return;	/* out of memory: the error goes out without it */
	if (st->retries_left >= 0)
		cJSON_AddNumberToObject(ei, "retriesLeft", st->retries_left);
}

/*
 * SEH_InitialSession's work: choose the token, verify the PIN (again, when
 * already logged in: a page that passes a wrong PIN must see the error),
 * remember the token for later calls.
 */
int
se_open_session(struct se_call *sc, const char *devparam, const char *pin)
{
	struct uk_pin_state pst;
	char token[UK_TOKEN_HANDLE_MAX];
	int r;

	memset(&pst, 0, sizeof(pst));
	pst.retries_left = -1;
	if ((r = se_pick_token(sc, devparam, token, sizeof(token))) != 0)
		return r;
	if (strlen(pin) > UK_PIN_MAX)
		return uk_call_fail(sc->call, UK_ERR_PIN_LEN_RANGE,
		    "PIN longer than %d bytes", UK_PIN_MAX);
	/* Not logged in is fine: the PIN is verified afresh either way. */
	if (uk_token_logout(sc->call->ctx, token) != 0)
		uk_debug("logout before login failed");
	sc->st->token[0] = '\0';
	r = uk_token_login(sc->call->ctx, token, pin[0] ? pin : NULL, &pst);
	if (r != 0) {
		se_pin_errinfo(sc, &pst);
		return uk_call_fail(sc->call, r, "login refused");
	}
	snprintf(sc->st->token, sizeof(sc->st->token), "%s", token);
	return 0;
}

/* The session's token, or NOT_LOGGED_IN (-2113667018, 私钥未载入). */
int
se_session_token(struct se_call *sc, const char **tokenp)
{
	*tokenp = NULL;
	if (sc->st->token[0] == '\0')
		return uk_call_fail(sc->call, UK_ERR_NOT_LOGGED_IN,
		    "call SEH_InitialSession first");
	*tokenp = sc->st->token;
	return 0;
}

/* ---- Dispatch ------------------------------------------------------- */

const struct se_method *
se_find(const char *name)
{
	size_t i;

	for (i = 0; se_methods[i].name != NULL; i++)
		if (strcmp(se_methods[i].name, name) == 0)
			return &se_methods[i];
	return NULL;
}

/* 1 when the token devparam picks has a protected authentication path. */
static int
pinpad_plugged(struct se_call *sc, const char *devparam)
{
	struct uk_pin_state pst;
	char token[UK_TOKEN_HANDLE_MAX];

	if (se_pick_token(sc, devparam, token, sizeof(token)) != 0) {
		sc->call->detail[0] = '\0';	/* not this call's error */
		return 0;
	}
	return uk_token_pin_state(sc->call->ctx, token, &pst) == 0 &&
	    pst.pinpad;
}

/*
 * The asynchronous page API sends the seven SEH_InitialSession arguments
 * with every call that needs the key; a non-empty PIN there (re)opens the
 * session first.
 */
static int
apply_session_args(struct se_call *sc, const cJSON *session)
{
	struct se_call sub = *sc;
	const char *devparam, *pin;
	int r;

	if (cJSON_GetArraySize(session) != SE_SESSION_ARGS)
		return uk_call_fail(sc->call, UK_ERR_INVALID_PARAM,
		    "'session': must hold the %d SEH_InitialSession arguments",
		    SE_SESSION_ARGS);
	sub.args = session;
	if ((r = se_str(&sub, 1, 16, &devparam)) != 0 ||
	    (r = se_str(&sub, 2, UK_PIN_MAX, &pin)) != 0)
		return r;
	/* An empty PIN keeps the session as it is; with none yet, a
	 * pinpad token is asked to take the PIN on its keypad (a page has
	 * nothing to type in its PIN field then). */
	if (pin[0] == '\0' && (sc->st->token[0] != '\0' ||
	    !pinpad_plugged(sc, devparam)))
		return 0;
	return se_open_session(sc, devparam, pin);
}

static int
se_call_method(struct uk_call *call)
{
	static const char *const members[] = { "method", "args", "session",
	    NULL };
	struct se_call sc;
	const char *name;
	const cJSON *session;
	cJSON *res;
	int r;

	memset(&sc, 0, sizeof(sc));
	sc.call = call;
	if (uk_json_only_members(call->params, members, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_string(call->params, "method", 1, SE_METHOD_MAX, &name,
	    call->why, sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if (strncmp(name, "SEH_", 4) == 0)
		sc.sm = 0;
	else if (strncmp(name, "ESE_", 4) == 0)
		sc.sm = 1;
	else
		return uk_call_fail(call, UK_ERR_UNKNOWN_METHOD,
		    "'%s' is not a SEH_ or ESE_ method", name);
	if ((sc.m = se_find(name + 4)) == NULL)
		return uk_call_fail(call, UK_ERR_UNKNOWN_METHOD, "'%s'", name);
	/* The capability of the SafeEngine method, not of se.call. */
	if (sc.m->cap != 0 && (call->caps & sc.m->cap) == 0)
		return uk_call_fail(call, UK_ERR_ORIGIN_NOT_ALLOWED,
		    "%s needs the '%s' capability", name,
		    uk_cap_name(sc.m->cap));
	/* No "args" is no arguments (cJSON treats NULL as empty). */
	sc.args = cJSON_GetObjectItemCaseSensitive(call->params, "args");
	if (sc.args != NULL && !cJSON_IsArray(sc.args))
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "'args': must be an array");
	sc.nargs = cJSON_GetArraySize(sc.args);
	if (sc.nargs < sc.m->min_args || sc.nargs > sc.m->max_args)
		return uk_call_fail(call, UK_ERR_INVALID_PARAM,
		    "%s takes %d to %d arguments, got %d", name,
		    sc.m->min_args, sc.m->max_args, sc.nargs);
	if ((r = se_state(call->ctx, &sc.st)) != 0)
		return r;
	session = cJSON_GetObjectItemCaseSensitive(call->params, "session");
	if (session != NULL && !cJSON_IsNull(session)) {
		if (!cJSON_IsArray(session))
			return uk_call_fail(call, UK_ERR_INVALID_PARAM,
			    "'session': must be an array");
		if (sc.m->uses_session &&
		    (r = apply_session_args(&sc, session)) != 0)
			return r;
	}
	if ((r = sc.m->fn(&sc)) != 0) {
		cJSON_Delete(sc.value);
		return r;
	}
	if ((res = uk_call_result(call)) == NULL) {
		cJSON_Delete(sc.value);
		return UK_ERR_ALLOC_FAIL;
	}
	if (sc.value == NULL)
		sc.value = cJSON_CreateNull();
	cJSON_AddItemToObject(res, "value", sc.value);
	cJSON_AddNumberToObject(res, "errorCode", 0);
	return 0;
}

static const struct uk_method se_rpc_methods[] = {
	{ "se.call", se_call_method, 0,
	    "one SEH_/ESE_ method: {method, args, session?} -> {value}" },
	{ "se.snapshot", se_snapshot, UK_CAP_READ,
	    "plugged devices and their certificates, for synchronous pages" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_se_module = {
	.name = "se",
	.methods = se_rpc_methods,
	.fini = se_fini,
};
