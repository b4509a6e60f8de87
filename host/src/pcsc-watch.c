/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The watcher thread: one PC/SC context of its own, blocked in
 * SCardGetStatusChange(INFINITE) on every reader plus the Plug-and-Play
 * pseudo reader, turning state changes into events.  Only stop() touches
 * its context from outside, with SCardCancel, under w->mu.
 */
#include "uk_setup.h"

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
#include <windows.h>	/* before winscard.h there */
#endif
#include <winscard.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "host.h"
#include "log.h"
#include "pcsc.h"

#define W_MAX_READERS	16	/* pcsc-lite's PCSCLITE_MAX_READERS_CONTEXTS */
#define W_NAME_MAX	128
#define W_QUEUE_MAX	64
#define W_BACKOFF_MIN	200	/* ms */
#define W_BACKOFF_MAX	5000	/* ms */
#define W_NOPNP_POLL	2000	/* ms, when the service lacks PnP */
#define W_PNP_READER	"\\\\?PnP?\\Notification"

struct w_reader {
	char name[W_NAME_MAX];
	DWORD state;			/* last dwEventState seen */
	unsigned char atr[UK_ATR_MAX];
	size_t atrlen;
};

struct w_change {
	char reader[W_NAME_MAX];
	int inserted;
	unsigned char atr[UK_ATR_MAX];
	size_t atrlen;
};

struct uk_pcsc_watch {
	struct uk_ctx *ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, done, looked, service_up, pnp;
	DWORD pnp_state;	/* last dwEventState of the PnP reader */
	SCARDCONTEXT hctx;
	int have_ctx;
	/* Readers as last reported (guarded by mu for snapshot readers). */
	struct w_reader r[W_MAX_READERS];
	size_t nr;
	struct w_change q[W_QUEUE_MAX];
	size_t nq;
};

static int
present(DWORD s)
{
	return (s & SCARD_STATE_PRESENT) != 0;
}

static void
emit(struct uk_pcsc_watch *w, const char *event, const struct w_reader *rd)
{
	cJSON *ev = cJSON_CreateObject();
	int r;

	if (ev == NULL ||
	    cJSON_AddStringToObject(ev, "event", event) == NULL ||
	    cJSON_AddStringToObject(ev, "reader", rd->name) == NULL ||
	    (strncmp(event, "token.", 6) == 0 && uk_pcsc_card_json(w->ctx,
	    rd->name, rd->atr, rd->atrlen, ev) != 0)) {
		cJSON_Delete(ev);
		uk_error("out of memory: %s event lost", event);
		return;
	}
	if ((r = uk_host_emit(w->ctx, ev)) != 0)
		uk_debug_r(r, "emit %s", event);
	else
		uk_debug("%s %s", event, rd->name);
}

/* Emits a token change and queues it for the token module. */
static void
card_event(struct uk_pcsc_watch *w, const struct w_reader *rd, int inserted)
{
	emit(w, inserted ? "token.inserted" : "token.removed", rd);
	pthread_mutex_lock(&w->mu);
	if (w->nq < W_QUEUE_MAX) {
		memcpy(w->q[w->nq].reader, rd->name, sizeof(rd->name));
		memcpy(w->q[w->nq].atr, rd->atr, rd->atrlen);
		w->q[w->nq].atrlen = rd->atrlen;
		w->q[w->nq++].inserted = inserted;
	} else {
		/* Overflow: the last entry becomes "drop the login of every
		 * token no longer present" (a NULL reader). */
		w->q[W_QUEUE_MAX - 1].reader[0] = '\0';
		w->q[W_QUEUE_MAX - 1].inserted = 0;
		w->q[W_QUEUE_MAX - 1].atrlen = 0;
	}
	pthread_mutex_unlock(&w->mu);
	uk_host_wake(w->ctx);
}

/* Forgets reader i (reporting its card and itself gone). */
static void
drop_reader(struct uk_pcsc_watch *w, size_t i)
{
	struct w_reader gone = w->r[i];

	if (present(gone.state))
		card_event(w, &gone, 0);
	pthread_mutex_lock(&w->mu);
	memmove(&w->r[i], &w->r[i + 1], (w->nr - i - 1) * sizeof(w->r[0]));
	w->nr--;
	pthread_mutex_unlock(&w->mu);
	emit(w, "reader.removed", &gone);
}

static void
drop_context(struct uk_pcsc_watch *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->have_ctx)
		(void)SCardReleaseContext(w->hctx);
	w->have_ctx = 0;
	w->service_up = 0;
	w->looked = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	while (w->nr > 0)
		drop_reader(w, w->nr - 1);
}

static void
deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleeps ms unless stopped. */
static void
idle_wait(struct uk_pcsc_watch *w, unsigned ms)
{
	struct timespec ts;

	deadline(&ts, ms);
	pthread_mutex_lock(&w->mu);
	while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
		;
	pthread_mutex_unlock(&w->mu);
}

/* Sleeps *backoff ms (0 = the minimum) unless stopped; doubles it. */
static void
backoff_wait(struct uk_pcsc_watch *w, unsigned *backoff)
{
	unsigned ms = *backoff ? *backoff : W_BACKOFF_MIN;

	*backoff = ms * 2 > W_BACKOFF_MAX ? W_BACKOFF_MAX : ms * 2;
	if (uk_pcsc_sys_wait_service(ms))
		return;
	idle_wait(w, ms);
}

/* Adds readers that appeared (with their card, if any, on the next wait). */
static void
add_reader(struct uk_pcsc_watch *w, const char *name)
{
	struct w_reader *rd;

	if (w->nr >= W_MAX_READERS || strlen(name) >= W_NAME_MAX)
		return;
	pthread_mutex_lock(&w->mu);
	rd = &w->r[w->nr++];
	memset(rd, 0, sizeof(*rd));
	memcpy(rd->name, name, strlen(name) + 1);
	rd->state = SCARD_STATE_UNAWARE;
	pthread_mutex_unlock(&w->mu);
	if (w->looked)
		emit(w, "reader.added", rd);
}

static int
listed(const char *multi, const char *name)
{
	const char *p;

	for (p = multi; p != NULL && *p != '\0'; p += strlen(p) + 1)
		if (strcmp(p, name) == 0)
			return 1;
	return 0;
}

/* Brings w->r in line with the service's reader list. */
static LONG
sync_readers(struct uk_pcsc_watch *w)
{
	char *multi = NULL, *p;
	LONG rv;
	size_t i;

	rv = uk_pcsc_list_readers(&w->hctx, &multi);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		multi = NULL;
	else if (rv != SCARD_S_SUCCESS)
		return rv;
	for (i = w->nr; i > 0; i--)
		if (!listed(multi, w->r[i - 1].name))
			drop_reader(w, i - 1);
	for (p = multi; p != NULL && *p != '\0'; p += strlen(p) + 1) {
		for (i = 0; i < w->nr; i++)
			if (strcmp(w->r[i].name, p) == 0)
				break;
		if (i == w->nr)
			add_reader(w, p);
	}
	free(multi);
	return SCARD_S_SUCCESS;
}

/* Applies one reader's new state; returns 1 when the list must be re-read. */
static int
apply_state(struct uk_pcsc_watch *w, size_t i, const SCARD_READERSTATE *st)
{
	struct w_reader *rd = &w->r[i], old = *rd;
	DWORD now = st->dwEventState & ~SCARD_STATE_CHANGED;
	int was = present(old.state) && old.state != SCARD_STATE_UNAWARE;
	int is = present(now), report = w->looked;

	if (now & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)) {
		/* Gone: the next list drops it; report its card now. */
		if (was && report)
			card_event(w, &old, 0);
		pthread_mutex_lock(&w->mu);
		rd->state = now;
		pthread_mutex_unlock(&w->mu);
		return 1;
	}
	pthread_mutex_lock(&w->mu);
	rd->state = now;
	rd->atrlen = st->cbAtr <= UK_ATR_MAX ? st->cbAtr : 0;
	memcpy(rd->atr, st->rgbAtr, rd->atrlen);
	pthread_mutex_unlock(&w->mu);
	if (!report)
		return 0;
	/* pcsc-lite counts card events in the high word: a quick
	 * pull-and-insert between two waits shows up only there. */
	if (was && is && (old.state >> 16) != (now >> 16) &&
	    (old.state >> 16) != 0)
		card_event(w, &old, 0);
	else if (was && !is) {
		card_event(w, &old, 0);
		return 0;
	} else if (was == is)
		return 0;
	card_event(w, rd, 1);
	return 0;
}

/* One SCardGetStatusChange round.  Returns its result. */
static LONG
wait_change(struct uk_pcsc_watch *w)
{
	SCARD_READERSTATE st[W_MAX_READERS + 1];
	DWORD n = 0, timeout = w->pnp ? INFINITE : W_NOPNP_POLL;
	size_t i;
	LONG rv;

	memset(st, 0, sizeof(st));
	for (i = 0; i < w->nr; i++, n++) {
		st[n].szReader = w->r[i].name;
		st[n].dwCurrentState = w->r[i].state;
	}
	if (w->pnp) {
		st[n].szReader = W_PNP_READER;
		st[n].dwCurrentState = w->pnp_state;
		n++;
	}
	if (n == 0) {
		/* Nothing to wait on (no reader, no PnP): poll slowly. */
		idle_wait(w, W_NOPNP_POLL);
		return SCARD_S_SUCCESS;
	}
	/* The first round of a context only reads the current states. */
	if (!w->looked)
		timeout = 0;
	rv = SCardGetStatusChange(w->hctx, timeout, st, n);
	if (rv == SCARD_E_TIMEOUT)
		rv = SCARD_S_SUCCESS;
	if (rv != SCARD_S_SUCCESS)
		return rv;
	/* Backwards: apply_state may not remove, but keep it safe. */
	for (i = w->nr; i > 0; i--)
		if (st[i - 1].dwEventState & SCARD_STATE_CHANGED)
			(void)apply_state(w, i - 1, &st[i - 1]);
	if (w->pnp && (st[n - 1].dwEventState & SCARD_STATE_UNKNOWN)) {
		uk_info("no Plug-and-Play notification: polling readers");
		w->pnp = 0;
	} else if (w->pnp)
		w->pnp_state = st[n - 1].dwEventState & ~SCARD_STATE_CHANGED;
	/* The caller re-reads the reader list every round. */
	return SCARD_S_SUCCESS;
}

static int
establish(struct uk_pcsc_watch *w)
{
	SCARDCONTEXT h;
	LONG rv;

	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &h))
	    != SCARD_S_SUCCESS) {
		uk_debug("SCardEstablishContext: 0x%lx", (unsigned long)rv);
		return -1;
	}
	pthread_mutex_lock(&w->mu);
	w->hctx = h;
	w->have_ctx = 1;
	w->pnp = 1;
	w->pnp_state = SCARD_STATE_UNAWARE;
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static int
stopping(struct uk_pcsc_watch *w)
{
	int s;

	pthread_mutex_lock(&w->mu);
	s = w->stop;
	pthread_mutex_unlock(&w->mu);
	return s;
}

static void
mark_looked(struct uk_pcsc_watch *w)
{
	pthread_mutex_lock(&w->mu);
	w->looked = 1;
	w->service_up = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void *
watch_main(void *arg)
{
	struct uk_pcsc_watch *w = arg;
	unsigned backoff = 0;
	LONG rv;

	while (!stopping(w)) {
		if (!w->have_ctx && establish(w) != 0) {
			drop_context(w);
			backoff_wait(w, &backoff);
			continue;
		}
		if ((rv = sync_readers(w)) == SCARD_S_SUCCESS)
			rv = wait_change(w);
		if (rv == SCARD_S_SUCCESS) {
			backoff = 0;
			if (!w->looked)
				mark_looked(w);
			continue;
		}
		if (rv == SCARD_E_CANCELLED || rv == SCARD_E_UNKNOWN_READER)
			continue;
		if (rv == SCARD_E_NO_READERS_AVAILABLE) {
			/* Some services refuse to wait on PnP alone. */
			if (!w->looked)
				mark_looked(w);
			idle_wait(w, W_NOPNP_POLL);
			continue;
		}
		uk_info("PC/SC watcher: 0x%lx: re-establishing",
		    (unsigned long)rv);
		/* Anything else: start over with a fresh context. */
		drop_context(w);
		if (!uk_pcsc_sys_service_lost(rv))
			backoff_wait(w, &backoff);
	}
	drop_context(w);
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
uk_pcsc_watch_start(struct uk_ctx *ctx, struct uk_pcsc_watch **wp)
{
	struct uk_pcsc_watch *w;

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return UK_ERR_ALLOC_FAIL;
	w->ctx = ctx;
	if (pthread_mutex_init(&w->mu, NULL) != 0) {
		free(w);
		return UK_ERR_SYSTEM;
	}
	if (pthread_cond_init(&w->cv, NULL) != 0 ||
	    pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		free(w);
		return UK_ERR_SYSTEM;
	}
	*wp = w;
	return 0;
}

void
uk_pcsc_watch_stop(struct uk_pcsc_watch *w)
{
	struct timespec ts;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	/* A cancel that arrives between two waits is lost: repeat it. */
	while (!w->done) {
		if (w->have_ctx)
			(void)SCardCancel(w->hctx);
		deadline(&ts, 50);
		(void)pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static const char *
state_name(DWORD s)
{
	if (s & SCARD_STATE_MUTE)
		return "mute";
	if (s & SCARD_STATE_PRESENT)
		return "present";
	if (s & SCARD_STATE_EMPTY)
		return "empty";
	return "unavailable";
}

int
uk_pcsc_reader_json(struct uk_ctx *ctx, const char *name, unsigned long state,
    const unsigned char *atr, size_t atrlen, cJSON *arr)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return UK_ERR_ALLOC_FAIL;
	cJSON_AddItemToArray(arr, o);
	if (cJSON_AddStringToObject(o, "name", name) == NULL ||
	    cJSON_AddStringToObject(o, "state", state_name(state)) == NULL ||
	    cJSON_AddBoolToObject(o, "inUse", (state & (SCARD_STATE_INUSE |
	    SCARD_STATE_EXCLUSIVE)) != 0) == NULL)
		return UK_ERR_ALLOC_FAIL;
	if (!(state & SCARD_STATE_PRESENT))
		return cJSON_AddNullToObject(o, "atr") == NULL ||
		    cJSON_AddNullToObject(o, "make") == NULL ?
		    UK_ERR_ALLOC_FAIL : 0;
	return uk_pcsc_card_json(ctx, name, atr, atrlen, o);
}

int
uk_pcsc_watch_snapshot(struct uk_pcsc_watch *w, unsigned ms, cJSON *obj)
{
	struct w_reader copy[W_MAX_READERS];
	struct timespec ts;
	cJSON *arr;
	size_t i, n;
	int up, r;

	deadline(&ts, ms);
	pthread_mutex_lock(&w->mu);
	while (!w->looked && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
		;
	up = w->service_up;
	n = w->nr;
	memcpy(copy, w->r, n * sizeof(copy[0]));
	pthread_mutex_unlock(&w->mu);
	if (cJSON_AddStringToObject(obj, "service", up ? "running" :
	    "unavailable") == NULL ||
	    (arr = cJSON_AddArrayToObject(obj, "readers")) == NULL)
		return UK_ERR_ALLOC_FAIL;
	for (i = 0; i < n; i++)
		if ((r = uk_pcsc_reader_json(w->ctx, copy[i].name,
		    copy[i].state, copy[i].atr, copy[i].atrlen, arr)) != 0)
			return r;
	return 0;
}

void
uk_pcsc_watch_drain(struct uk_pcsc_watch *w, uk_pcsc_change_fn fn)
{
	struct w_change q[W_QUEUE_MAX];
	size_t i, n;

	pthread_mutex_lock(&w->mu);
	n = w->nq;
	memcpy(q, w->q, n * sizeof(q[0]));
	w->nq = 0;
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < n; i++)
		fn(w->ctx, q[i].reader[0] ? q[i].reader : NULL, q[i].inserted,
		    q[i].atr, q[i].atrlen);
}
