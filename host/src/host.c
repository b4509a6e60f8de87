/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "err.h"
#include "frame.h"
#include "host.h"
#include "json.h"
#include "log.h"
#include "reqchunk.h"
#include "rpc.h"
#include "wipe.h"

#define UK_TICK_MS	1000	/* idle tick for session timeouts */

int
uk_ctx_init(struct uk_ctx *ctx, struct uk_config *cfg, int out_fd)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->out_fd = out_fd;
	ctx->current_id = -1;
	ctx->chunks_id = -1;
	ctx->wake_fd[0] = ctx->wake_fd[1] = -1;
	if (pthread_mutex_init(&ctx->out_mu, NULL) != 0)
		return UK_ERR_SYSTEM;
	if (pipe(ctx->wake_fd) != 0) {
		ctx->wake_fd[0] = ctx->wake_fd[1] = -1;
		return 0;	/* ticks still come once a second */
	}
	for (i = 0; i < 2; i++) {
		(void)fcntl(ctx->wake_fd[i], F_SETFL, O_NONBLOCK);
		(void)fcntl(ctx->wake_fd[i], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

void
uk_host_wake(struct uk_ctx *ctx)
{
	ssize_t n;

	if (ctx->wake_fd[1] >= 0)
		n = write(ctx->wake_fd[1], "w", 1);	/* full pipe: fine */
	(void)n;
}

static void
drain_wake(struct uk_ctx *ctx)
{
	char buf[64];

	while (read(ctx->wake_fd[0], buf, sizeof(buf)) > 0)
		;
}

void
uk_ctx_fini(struct uk_ctx *ctx)
{
	size_t i;

	for (i = 0; uk_modules[i] != NULL; i++)
		if (uk_modules[i]->fini != NULL)
			uk_modules[i]->fini(ctx);
	for (i = 0; i < 2; i++)
		if (ctx->wake_fd[i] >= 0)
			close(ctx->wake_fd[i]);
	pthread_mutex_destroy(&ctx->out_mu);
}

int
uk_host_send_parts(struct uk_ctx *ctx, int64_t id, const struct uk_part *parts,
    size_t n)
{
	int r;

	pthread_mutex_lock(&ctx->out_mu);
	if (ctx->out_broken || ctx->out_fd < 0)	/* < 0: no browser (tests) */
		r = UK_ERR_SYSTEM;
	else if ((r = uk_frame_send_parts(ctx->out_fd, id, parts, n, 0)) != 0
	    && r != UK_ERR_ALLOC_FAIL)
		ctx->out_broken = 1;
	pthread_mutex_unlock(&ctx->out_mu);
	return r;
}

int
uk_host_send_text(struct uk_ctx *ctx, int64_t id, const char *text,
    size_t len)
{
	struct uk_part part = { .kind = UK_PART_TEXT,
	    .span = { { text, len } }, .nspan = 1 };

	return uk_host_send_parts(ctx, id, &part, 1);
}

int
uk_host_emit(struct uk_ctx *ctx, cJSON *ev)
{
	char *text;
	int r;

	if (ev == NULL)
		return UK_ERR_ALLOC_FAIL;
	text = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	if (text == NULL)
		return UK_ERR_ALLOC_FAIL;
	r = uk_host_send_text(ctx, -1, text, strlen(text));
	cJSON_free(text);
	return r;
}

int
uk_host_progress(struct uk_ctx *ctx, uint64_t done, uint64_t total,
    const char *stage)
{
	return uk_host_progress_id(ctx, ctx->current_id, done, total, stage);
}

int
uk_host_progress_id(struct uk_ctx *ctx, int64_t id, uint64_t done,
    uint64_t total, const char *stage)
{
	cJSON *ev = cJSON_CreateObject();

	if (ev == NULL ||
	    cJSON_AddStringToObject(ev, "event", "progress") == NULL ||
	    uk_json_add_int(ev, "id", id) == NULL ||
	    cJSON_AddNumberToObject(ev, "done", (double)done) == NULL ||
	    cJSON_AddNumberToObject(ev, "total", (double)total) == NULL ||
	    cJSON_AddStringToObject(ev, "stage", stage) == NULL) {
		cJSON_Delete(ev);
		return UK_ERR_ALLOC_FAIL;
	}
	return uk_host_emit(ctx, ev);
}

static void
tick_modules(struct uk_ctx *ctx)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; uk_modules[i] != NULL; i++)
		if (uk_modules[i]->tick != NULL)
			uk_modules[i]->tick(ctx, now);
}

/* Answers a framing problem that left the stream in sync. */
static int
answer_frame_error(struct uk_ctx *ctx, int code)
{
	char *text = uk_rpc_error_text(-1, code, NULL);
	int r;

	if (text == NULL)
		return UK_ERR_ALLOC_FAIL;
	r = uk_host_send_text(ctx, -1, text, strlen(text));
	cJSON_free(text);
	return r;
}

static int
handle_one(struct uk_ctx *ctx, char *req, size_t len)
{
	struct uk_reply *reply;
	const struct uk_part *parts;
	size_t n;
	int r;

	if ((r = uk_rpc_handle(ctx, req, len, &reply)) != 0)
		return r;
	parts = uk_reply_parts(reply, &n);
	r = uk_host_send_parts(ctx, uk_reply_id(reply), parts, n);
	uk_reply_free(reply);
	return r;
}

/* Answers a request whose chunks broke the rules (reqchunk.h). */
static int
answer_chunk_error(struct uk_ctx *ctx, int64_t id, int code,
    const char *detail)
{
	char *text = uk_rpc_error_text(id, code, detail);
	int r;

	uk_info("request %lld: failed: %s (%d) %s", (long long)id,
	    uk_err_name(code), code, detail);
	if (text == NULL)
		return UK_ERR_ALLOC_FAIL;
	r = uk_host_send_text(ctx, id, text, strlen(text));
	cJSON_free(text);
	return r;
}

/*
 * A chunk was accepted and more are to come: tells the browser how many of
 * the request's chunks have arrived (progress stage "upload", in chunks).
 * Not being able to make the event fails nothing; a broken output does.
 */
static int
upload_progress(struct uk_ctx *ctx, const struct uk_reqchunk *rc)
{
	int64_t id, done, of;
	int r;

	if (!uk_reqchunk_progress(rc, &id, &done, &of))
		return 0;
	r = uk_host_progress_id(ctx, id, (uint64_t)done, (uint64_t)of,
	    "upload");
	return ctx->out_broken ? r : 0;
}

/*
 * One message: a request, or a chunk of one (reqchunk.h).  A message that
 * ends a reassembly it does not belong to is fed again on its own.
 */
static int
handle_message(struct uk_ctx *ctx, struct uk_reqchunk *rc, char *msg,
    size_t len)
{
	char detail[UK_DETAIL_MAX], *req;
	size_t reqlen;
	int64_t id;
	int r, again;

	do {
		r = uk_reqchunk_feed(rc, msg, len, &req, &reqlen, &id, &again,
		    detail, sizeof(detail));
		if (r == UK_REQCHUNK_NOT_CHUNK)
			r = handle_one(ctx, msg, len);
		else if (r == UK_REQCHUNK_DONE) {
			ctx->chunks_id = id;
			r = handle_one(ctx, req, reqlen);
			ctx->chunks_id = -1;
			/* The request may hold a PIN. */
			uk_freezero(req, reqlen + 1);
		} else if (r == UK_REQCHUNK_MORE)
			r = upload_progress(ctx, rc);
		else
			r = answer_chunk_error(ctx, id, r, detail);
	} while (again && !(r != 0 && ctx->out_broken));
	return r;
}

/* Ends a reassembly that a framing error broke into. */
static int
drop_reassembly(struct uk_ctx *ctx, struct uk_reqchunk *rc)
{
	int64_t id;

	if (!uk_reqchunk_pending(rc, &id))
		return 0;
	uk_reqchunk_drop(rc);
	return answer_chunk_error(ctx, id, UK_ERR_BAD_REQUEST,
	    "a message the host refused came between the chunks");
}

static int
serve_loop(struct uk_ctx *ctx, struct uk_reqchunk *rc, int in_fd)
{
	size_t max = uk_config_max_request(ctx->cfg);
	struct pollfd p[2] = { { .fd = in_fd, .events = POLLIN },
	    { .fd = ctx->wake_fd[0], .events = POLLIN } };
	char *req;
	size_t len;
	int r, n;

	for (;;) {
		if ((n = poll(p, p[1].fd >= 0 ? 2 : 1, UK_TICK_MS)) < 0 &&
		    errno != EINTR) {
			uk_error("poll: %s", strerror(errno));
			return 1;
		}
		if (n > 0 && (p[1].revents & POLLIN))
			drain_wake(ctx);
		if (n <= 0 || !(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			tick_modules(ctx);
			continue;
		}
		r = uk_frame_read(in_fd, max, &req, &len);
		if (r == UK_FRAME_EOF) {
			uk_info("end of input: exiting");
			return 0;
		}
		if (r == UK_ERR_MESSAGE_TOO_LARGE || r == UK_ERR_BAD_REQUEST ||
		    r == UK_ERR_ALLOC_FAIL) {
			/* Still in sync: say so and keep serving. */
			uk_warn_r(r, "request refused at framing");
			if ((drop_reassembly(ctx, rc) != 0 ||
			    answer_frame_error(ctx, r) != 0) && ctx->out_broken)
				return 1;
			continue;
		}
		if (r != 0) {
			uk_error_r(r, "input out of sync: exiting");
			return 1;
		}
		r = handle_message(ctx, rc, req, len);
		/* The request may hold a PIN. */
		uk_freezero(req, len + 1);
		if (r != 0 && ctx->out_broken) {
			uk_error_r(r, "cannot write to the browser: exiting");
			return 1;
		}
		tick_modules(ctx);
	}
}

int
uk_host_serve(struct uk_ctx *ctx, int in_fd)
{
	struct uk_reqchunk *rc;
	int64_t id;
	int r, flags;

	if ((rc = uk_reqchunk_new(uk_config_max_request(ctx->cfg))) == NULL) {
		uk_error("out of memory");
		return 1;
	}
	/* Non-blocking output lets a stalled browser time out (frame.c). */
	if ((flags = fcntl(ctx->out_fd, F_GETFL)) != -1)
		(void)fcntl(ctx->out_fd, F_SETFL, flags | O_NONBLOCK);
	uk_info("serving %s extension %s", ctx->caller_browser[0] ?
	    ctx->caller_browser : "(test)", ctx->caller_id);
	r = serve_loop(ctx, rc, in_fd);
	if (uk_reqchunk_pending(rc, &id))
		uk_info("request %lld: input ended between its chunks",
		    (long long)id);
	uk_reqchunk_free(rc);	/* wipes a partial request */
	return r;
}

/*
 * cJSON frees request trees that may contain a PIN: wipe every block it
 * releases, so no handler can forget to.
 */
static void
wiping_free(void *p)
{
	if (p != NULL)
		uk_freezero(p, malloc_usable_size(p));
}

void
uk_host_init_hooks(void)
{
	cJSON_Hooks hooks = { .malloc_fn = malloc, .free_fn = wiping_free };

	cJSON_InitHooks(&hooks);
}
