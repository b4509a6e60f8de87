/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * reader.* methods, the lazily established request-side PC/SC context, the
 * ATR table in use, and the module's tick/fini/diagnose hooks.
 */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>	/* before winscard.h there */
#endif
#include <winscard.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "pcsc.h"
#include "platform.h"
#include "policy.h"
#include "rpc.h"

#ifndef UK_DATADIR
#define UK_DATADIR "/usr/share/ukeylink"
#endif

#define P_MAX_READERS	16
#define P_MAX_UNKNOWN	16
#define P_NAME_MAX	128
#define P_SNAPSHOT_MS	2000	/* reader.watch waits this for a first look */

struct p_unknown {
	unsigned char atr[UK_ATR_MAX];
	size_t len;
	char reader[P_NAME_MAX];
};

struct uk_pcsc_state {
	SCARDCONTEXT hctx;
	int have_ctx;
	struct uk_atr_table *cfg_table;		/* configuration "atr" */
	struct uk_atr_table *file_table;	/* atr.json (or built-in) */
	char table_source[PATH_MAX + 32];
	char table_problem[PATH_MAX + 256];
	struct uk_pcsc_watch *watch;
	pthread_mutex_t mu;			/* unknown[] */
	struct p_unknown unknown[P_MAX_UNKNOWN];
	size_t nunknown;
};

/* One reader as read from the service. */
struct p_reader {
	char name[P_NAME_MAX];
	DWORD state;
	unsigned char atr[UK_ATR_MAX];
	size_t atrlen;
};

static int
read_whole(const char *path, char **textp, size_t *lenp)
{
	FILE *fp;
	struct stat st;
	char *text;
	size_t n;

	*textp = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return UK_ERR_SYSTEM;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > UK_CONFIG_MAX_FILE ||
	    (text = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(fp);
		return UK_ERR_SYSTEM;
	}
	n = fread(text, 1, (size_t)st.st_size, fp);
	fclose(fp);
	text[n] = '\0';
	*textp = text;
	*lenp = n;
	return 0;
}

/* The shipped table: the installed file, else the built-in copy. */
static int
load_file_table(struct uk_pcsc_state *st)
{
	const char *dir = getenv("UKEYLINK_DATA_DIR");
	char path[PATH_MAX], why[200] = "";
	char *text = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/atr.json", dir != NULL &&
	    dir[0] == '/' ? dir : UK_DATADIR);
	if (read_whole(path, &text, &len) != 0) {
		snprintf(st->table_problem, sizeof(st->table_problem),
		    "%s: cannot read", path);
	} else if ((r = uk_atr_table_parse_text(text, len, &st->file_table,
	    why, sizeof(why))) == 0) {
		snprintf(st->table_source, sizeof(st->table_source), "%s",
		    path);
		free(text);
		return 0;
	} else {
		if (r == UK_ERR_ALLOC_FAIL) {
			free(text);
			return r;
		}
		snprintf(st->table_problem, sizeof(st->table_problem),
		    "%s: %s", path, why);
	}
	free(text);
	snprintf(st->table_source, sizeof(st->table_source),
	    "built-in copy");
	r = uk_atr_table_parse_text(uk_atr_builtin_json, uk_atr_builtin_len,
	    &st->file_table, why, sizeof(why));
	if (r != 0)
		uk_error_r(r, "built-in ATR table: %s", why);
	return r;
}

static int
load_tables(struct uk_ctx *ctx, struct uk_pcsc_state *st)
{
	const cJSON *sec = uk_config_section(ctx->cfg, "atr");
	char why[200];
	int r;

	/* The configuration was validated when loaded. */
	if (cJSON_GetObjectItemCaseSensitive(sec, "entries") != NULL &&
	    (r = uk_atr_table_parse(cJSON_GetObjectItemCaseSensitive(sec,
	    "entries"), &st->cfg_table, why, sizeof(why))) != 0)
		return r;
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(sec, "builtin"))) {
		snprintf(st->table_source, sizeof(st->table_source),
		    "disabled by configuration (atr.builtin = false)");
		return 0;
	}
	return load_file_table(st);
}

/* The module state, created on first use (no PC/SC call here). */
static int
state(struct uk_ctx *ctx, struct uk_pcsc_state **stp)
{
	struct uk_pcsc_state *st;
	int r;

	if ((*stp = ctx->pcsc) != NULL)
		return 0;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st);
		return UK_ERR_SYSTEM;
	}
	if ((r = load_tables(ctx, st)) != 0) {
		uk_atr_table_free(st->cfg_table);
		uk_atr_table_free(st->file_table);
		pthread_mutex_destroy(&st->mu);
		free(st);
		return r;
	}
	ctx->pcsc = *stp = st;
	return 0;
}

/* Finds the make of atr; NULL when unknown.  Sets *tablep and *ip. */
static const struct uk_atr_make *
lookup(const struct uk_pcsc_state *st, const unsigned char *atr, size_t len,
    const struct uk_atr_table **tablep, long *ip)
{
	const struct uk_atr_table *t[2] = { st->cfg_table, st->file_table };
	const struct uk_atr_make *mk;
	const unsigned char *a, *m;
	size_t k, n;
	long i;

	for (k = 0; k < 2; k++)
		if ((i = uk_atr_table_match(t[k], atr, len)) >= 0) {
			uk_atr_table_entry(t[k], (size_t)i, &a, &m, &n, &mk);
			*tablep = t[k];
			*ip = i;
			return mk;
		}
	return NULL;
}

static void
remember_unknown(struct uk_pcsc_state *st, const char *reader,
    const unsigned char *atr, size_t len)
{
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nunknown; i++)
		if (st->unknown[i].len == len &&
		    memcmp(st->unknown[i].atr, atr, len) == 0)
			break;
	if (i == st->nunknown && i < P_MAX_UNKNOWN && len <= UK_ATR_MAX) {
		memcpy(st->unknown[i].atr, atr, len);
		st->unknown[i].len = len;
		snprintf(st->unknown[i].reader, sizeof(st->unknown[i].reader),
		    "%s", reader);
		st->nunknown++;
	}
	pthread_mutex_unlock(&st->mu);
}

static int
make_json(const struct uk_atr_make *mk, cJSON *obj)
{
	cJSON *m;

	if (mk == NULL)
		return cJSON_AddNullToObject(obj, "make") == NULL ?
		    UK_ERR_ALLOC_FAIL : 0;
	if ((m = cJSON_AddObjectToObject(obj, "make")) == NULL ||
	    cJSON_AddStringToObject(m, "id", mk->id) == NULL ||
	    cJSON_AddNumberToObject(m, "type", mk->type) == NULL ||
	    cJSON_AddStringToObject(m, "name", mk->name) == NULL ||
	    cJSON_AddStringToObject(m, "vendor", mk->vendor) == NULL ||
	    cJSON_AddBoolToObject(m, "verified", mk->verified) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return 0;
}

int
uk_pcsc_card_json(struct uk_ctx *ctx, const char *reader,
    const unsigned char *atr, size_t len, cJSON *obj)
{
	struct uk_pcsc_state *st = ctx->pcsc;
	const struct uk_atr_table *t;
	const struct uk_atr_make *mk = NULL;
	char hex[UK_ATR_MAX * 3 + 1];
	long i;

	if (st != NULL && (mk = lookup(st, atr, len, &t, &i)) == NULL &&
	    len > 0)
		remember_unknown(st, reader, atr, len);
	uk_atr_to_hex(atr, len, hex, sizeof(hex));
	if (cJSON_AddStringToObject(obj, "atr", hex) == NULL ||
	    cJSON_AddBoolToObject(obj, "known", mk != NULL) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return make_json(mk, obj);
}

/* First listed module path of entry i for this OS that exists. */
static void
module_path(const struct uk_atr_table *t, long i, char *path, size_t len)
{
	const cJSON *p;

	path[0] = '\0';
	cJSON_ArrayForEach(p, uk_atr_table_modules(t, (size_t)i,
	    uk_platform_os()))
		if (cJSON_IsString(p) && access(p->valuestring, R_OK) == 0) {
			snprintf(path, len, "%s", p->valuestring);
			return;
		}
}

int
uk_pcsc_module_for_atr(struct uk_ctx *ctx, const unsigned char *atr,
    size_t len, struct uk_atr_make *makep, char *path, size_t pathlen)
{
	struct uk_pcsc_state *st;
	const struct uk_atr_table *t;
	const struct uk_atr_make *mk;
	long i;
	int r;

	if (makep != NULL)
		memset(makep, 0, sizeof(*makep));
	if (path != NULL && pathlen > 0)
		path[0] = '\0';
	if ((r = state(ctx, &st)) != 0)
		return r;
	if ((mk = lookup(st, atr, len, &t, &i)) == NULL)
		return UK_ERR_TOKEN_NOT_FOUND;
	if (makep != NULL)
		*makep = *mk;
	if (path != NULL && pathlen > 0)
		module_path(t, i, path, pathlen);
	return 0;
}

/* The request-side context, established on first need. */
static int
context(struct uk_pcsc_state *st)
{
	LONG rv;

	if (st->have_ctx)
		return 0;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &st->hctx);
	if (rv != SCARD_S_SUCCESS) {
		uk_debug("SCardEstablishContext: 0x%lx", (unsigned long)rv);
		return UK_ERR_PCSC_UNAVAILABLE;
	}
	st->have_ctx = 1;
	return 0;
}

static void
drop_context(struct uk_pcsc_state *st)
{
	if (st->have_ctx)
		(void)SCardReleaseContext(st->hctx);
	st->have_ctx = 0;
}

long
uk_pcsc_list_readers(const void *hctxp, char **multip)
{
	SCARDCONTEXT h = *(const SCARDCONTEXT *)hctxp;
	DWORD len;
	char *multi;
	LONG rv;
	int attempt;

	/* Two calls rather than SCARD_AUTOALLOCATE, which macOS lacks; a
	 * reader plugged in between makes the second one too small. */
	*multip = NULL;
	for (attempt = 0; attempt < 3; attempt++) {
		len = 0;
		if ((rv = SCardListReaders(h, NULL, NULL, &len)) !=
		    SCARD_S_SUCCESS)
			return rv;
		if (len == 0 || len > 64 * 1024 ||
		    (multi = calloc(1, len + 2)) == NULL)
			return SCARD_E_NO_MEMORY;
		rv = SCardListReaders(h, NULL, multi, &len);
		if (rv == SCARD_S_SUCCESS) {
			/* calloc'd longer: always double-NUL ended */
			*multip = multi;
			return rv;
		}
		free(multi);
		if (rv != SCARD_E_INSUFFICIENT_BUFFER)
			break;
	}
	return rv;
}

/* Lists readers with their states.  NO_READER when none. */
static LONG
query_once(struct uk_pcsc_state *st, struct p_reader *rd, size_t *np)
{
	SCARD_READERSTATE rs[P_MAX_READERS];
	char *multi = NULL, *p;
	size_t n = 0, i;
	LONG rv;

	*np = 0;
	rv = uk_pcsc_list_readers(&st->hctx, &multi);
	if (rv != SCARD_S_SUCCESS)
		return rv;
	memset(rs, 0, sizeof(rs));
	for (p = multi; *p != '\0' && n < P_MAX_READERS; p += strlen(p) + 1)
		if (strlen(p) < P_NAME_MAX) {
			memcpy(rd[n].name, p, strlen(p) + 1);
			rs[n].szReader = rd[n].name;
			rs[n++].dwCurrentState = SCARD_STATE_UNAWARE;
		}
	free(multi);
	if (n > 0 && (rv = SCardGetStatusChange(st->hctx, 0, rs,
	    (DWORD)n)) != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
		return rv;
	for (i = 0; i < n; i++) {
		rd[i].state = rs[i].dwEventState & ~SCARD_STATE_CHANGED;
		rd[i].atrlen = rs[i].cbAtr <= UK_ATR_MAX ? rs[i].cbAtr : 0;
		memcpy(rd[i].atr, rs[i].rgbAtr, rd[i].atrlen);
	}
	*np = n;
	return SCARD_S_SUCCESS;
}

/*
 * Reads the readers, re-establishing the context once when the service
 * was restarted under it.  0, NO_READER, PCSC_UNAVAILABLE.
 */
static int
query(struct uk_pcsc_state *st, struct p_reader *rd, size_t *np)
{
	LONG rv = SCARD_E_NO_SERVICE;
	int r, attempt;

	*np = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((r = context(st)) != 0)
			return r;
		rv = query_once(st, rd, np);
		if (!uk_pcsc_sys_service_lost(rv))
			break;
		drop_context(st);
	}
	if (rv == SCARD_S_SUCCESS)
		return *np > 0 ? 0 : UK_ERR_NO_READER;
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return UK_ERR_NO_READER;
	uk_debug("PC/SC: 0x%lx", (unsigned long)rv);
	return UK_ERR_PCSC_UNAVAILABLE;
}

static int
start_watch(struct uk_ctx *ctx, struct uk_pcsc_state *st)
{
	int r;

	if (st->watch != NULL)
		return 0;
	if ((r = uk_pcsc_watch_start(ctx, &st->watch)) != 0)
		uk_error_r(r, "cannot start the reader watcher");
	return r;
}

static int
fail_pcsc(struct uk_call *call, int r)
{
	if (r == UK_ERR_PCSC_UNAVAILABLE)
		return uk_call_fail(call, r, "%s: the smart card service is "
		    "not running", uk_pcsc_sys_name());
	if (r == UK_ERR_NO_READER)
		return uk_call_fail(call, r, "no reader and no USB key");
	return r;
}

static int
reader_list(struct uk_call *call)
{
	static const char *const none[] = { NULL };
	struct p_reader rd[P_MAX_READERS];
	struct uk_pcsc_state *st;
	cJSON *res, *arr;
	size_t n, i;
	int r;

	if (uk_json_only_members(call->params, none, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = state(call->ctx, &st)) != 0)
		return r;
	r = query(st, rd, &n);
	/* Detection follows the service from now on, even if it is down. */
	(void)start_watch(call->ctx, st);
	if (r != 0)
		return fail_pcsc(call, r);
	if ((res = uk_call_result(call)) == NULL ||
	    (arr = cJSON_AddArrayToObject(res, "readers")) == NULL ||
	    cJSON_AddBoolToObject(res, "watching", st->watch != NULL) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < n; i++)
		if ((r = uk_pcsc_reader_json(call->ctx, rd[i].name,
		    rd[i].state, rd[i].atr, rd[i].atrlen, arr)) != 0)
			return r;
	return 0;
}

static int
reader_watch(struct uk_call *call)
{
	static const char *const allowed[] = { "enable", NULL };
	struct uk_pcsc_state *st;
	cJSON *res;
	int enable, r;

	if (uk_json_only_members(call->params, allowed, call->why,
	    sizeof(call->why)) != 0 ||
	    uk_param_bool(call->params, "enable", 0, 1, &enable, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = state(call->ctx, &st)) != 0)
		return r;
	if (!enable) {
		uk_pcsc_watch_stop(st->watch);
		st->watch = NULL;
	} else if ((r = start_watch(call->ctx, st)) != 0)
		return r;
	if ((res = uk_call_result(call)) == NULL ||
	    cJSON_AddBoolToObject(res, "watching", enable) == NULL)
		return UK_ERR_ALLOC_FAIL;
	return enable ? uk_pcsc_watch_snapshot(st->watch, P_SNAPSHOT_MS, res) :
	    0;
}

int
uk_pcsc_devices(struct uk_ctx *ctx, cJSON **resultp)
{
	struct p_reader rd[P_MAX_READERS];
	struct uk_pcsc_card cards[P_MAX_READERS];
	char devparam[P_MAX_READERS][16], *list = NULL;
	size_t idx[P_MAX_READERS];
	struct uk_pcsc_state *st;
	const struct uk_atr_table *t;
	cJSON *res = NULL, *arr, *d;
	size_t n, i, nc = 0;
	long k;
	int r = UK_ERR_INTERNAL;

	*resultp = NULL;
	if ((r = state(ctx, &st)) != 0)
		return r;
	if ((r = query(st, rd, &n)) != 0 && r != UK_ERR_NO_READER)
		return r;
	for (i = 0; i < n; i++) {
		if (!(rd[i].state & SCARD_STATE_PRESENT) || rd[i].atrlen == 0)
			continue;
		idx[nc] = i;
		cards[nc].reader = rd[i].name;
		cards[nc++].make = lookup(st, rd[i].atr, rd[i].atrlen, &t, &k);
	}
	r = UK_ERR_ALLOC_FAIL;
	if ((list = uk_se_plugged_list(cards, nc, devparam)) == NULL ||
	    (res = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(res, "pluggedTypeList", list) == NULL ||
	    (arr = cJSON_AddArrayToObject(res, "devices")) == NULL)
		goto out;
	for (i = 0; i < nc; i++) {
		if ((d = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, d);
		if (cJSON_AddNumberToObject(d, "devType", cards[i].make ?
		    cards[i].make->type : UK_SE_DEVTYPE_DEFAULT) == NULL ||
		    cJSON_AddStringToObject(d, "devParam", devparam[i]) ==
		    NULL ||
		    cJSON_AddStringToObject(d, "reader", cards[i].reader) ==
		    NULL || uk_pcsc_card_json(ctx, cards[i].reader,
		    rd[idx[i]].atr, rd[idx[i]].atrlen, d) != 0)
			goto out;
	}
	/* success */
	*resultp = res;
	res = NULL;
	r = 0;
 out:
	free(list);
	cJSON_Delete(res);
	return r;
}

static int
reader_devices(struct uk_call *call)
{
	static const char *const none[] = { NULL };
	int r;

	if (uk_json_only_members(call->params, none, call->why,
	    sizeof(call->why)) != 0)
		return uk_call_bad_param(call);
	if ((r = uk_pcsc_devices(call->ctx, &call->result)) != 0)
		return fail_pcsc(call, r);
	return 0;
}

static void
pcsc_tick(struct uk_ctx *ctx, time_t now)
{
	(void)now;
	if (ctx->pcsc != NULL && ctx->pcsc->watch != NULL)
		uk_pcsc_watch_drain(ctx->pcsc->watch, uk_pcsc_token_changed);
}

static void
pcsc_fini(struct uk_ctx *ctx)
{
	struct uk_pcsc_state *st = ctx->pcsc;

	if (st == NULL)
		return;
	uk_pcsc_watch_stop(st->watch);
	drop_context(st);
	uk_atr_table_free(st->cfg_table);
	uk_atr_table_free(st->file_table);
	pthread_mutex_destroy(&st->mu);
	free(st);
	ctx->pcsc = NULL;
}

static int
diagnose_readers(struct uk_ctx *ctx, struct uk_pcsc_state *st, FILE *fp)
{
	struct p_reader rd[P_MAX_READERS];
	const struct uk_atr_table *t;
	const struct uk_atr_make *mk;
	char hex[UK_ATR_MAX * 3 + 1], path[PATH_MAX];
	size_t n, i;
	long k;
	int r, problems = 0;

	if ((r = query(st, rd, &n)) != 0) {
		fprintf(fp, "  ! %s: %s\n", uk_pcsc_sys_name(),
		    r == UK_ERR_NO_READER ? "no reader and no USB key "
		    "plugged in" : "the smart card service (pcscd) is not "
		    "running");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!(rd[i].state & SCARD_STATE_PRESENT)) {
			fprintf(fp, "    %s: empty\n", rd[i].name);
			continue;
		}
		uk_atr_to_hex(rd[i].atr, rd[i].atrlen, hex, sizeof(hex));
		if ((mk = lookup(st, rd[i].atr, rd[i].atrlen, &t, &k)) ==
		    NULL) {
			remember_unknown(st, rd[i].name, rd[i].atr,
			    rd[i].atrlen);
			continue;	/* listed below */
		}
		module_path(t, k, path, sizeof(path));
		fprintf(fp, "  %s %s: %s, %s (type %d) -> %s\n",
		    path[0] ? " " : "!", rd[i].name, hex, mk->name, mk->type,
		    path[0] ? path : "no PKCS#11 module installed for it");
		problems += path[0] == '\0';
	}
	(void)ctx;
	return problems;
}

static int
pcsc_diagnose(struct uk_ctx *ctx, FILE *fp)
{
	struct uk_pcsc_state *st;
	char hex[UK_ATR_MAX * 3 + 1];
	size_t i;
	int problems = 0;

	fprintf(fp, "Readers (%s):\n", uk_pcsc_sys_name());
	if (state(ctx, &st) != 0) {
		fprintf(fp, "  ! cannot load the ATR table\n");
		return 1;
	}
	fprintf(fp, "    ATR table: %s (%zu entries) + configuration (%zu)\n",
	    st->table_source, uk_atr_table_count(st->file_table),
	    uk_atr_table_count(st->cfg_table));
	if (st->table_problem[0] != '\0') {
		fprintf(fp, "  ! %s\n", st->table_problem);
		problems++;
	}
	problems += diagnose_readers(ctx, st, fp);
	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->nunknown; i++) {
		uk_atr_to_hex(st->unknown[i].atr, st->unknown[i].len, hex,
		    sizeof(hex));
		fprintf(fp, "  ! %s: unknown ATR %s: send this line to "
		    "support to add the key to the ATR table\n",
		    st->unknown[i].reader, hex);
		problems++;
	}
	pthread_mutex_unlock(&st->mu);
	return problems;
}

static const struct uk_method pcsc_methods[] = {
	{ "reader.list", reader_list, UK_CAP_READ,
	    "readers with state, ATR and token make; starts the watcher" },
	{ "reader.watch", reader_watch, UK_CAP_READ,
	    "{enable}: token/reader events on or off; returns a snapshot" },
	{ "reader.devices", reader_devices, UK_CAP_READ,
	    "SafeEngine device list (DevPluggedTypeList, devType/devParam)" },
	{ NULL, NULL, 0, NULL },
};

const struct uk_module uk_pcsc_module = {
	.name = "pcsc",
	.methods = pcsc_methods,
	.tick = pcsc_tick,
	.fini = pcsc_fini,
	.diagnose = pcsc_diagnose,
};
