/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * The host process: one per extension port.  It owns the configuration, the
 * output channel (shared by the request loop and event threads) and the
 * per-process state of each module.  Modules plug in through one table of
 * struct uk_module (modules.c): methods, a periodic tick for idle timeouts,
 * cleanup and a --diagnose section.
 */
#ifndef UK_HOST_H
#define UK_HOST_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "frame.h"
#include "uk_setup.h"

struct uk_config;
struct uk_method;

/* Per-module state; each module defines its own struct in its .c file. */
struct uk_token_state;
struct uk_pcsc_state;
struct uk_net_state;
struct uk_enroll_state;
struct uk_se_state;

struct uk_ctx {
	struct uk_config *cfg;
	int out_fd;			/* protocol output (stdout) */
	pthread_mutex_t out_mu;		/* one message at a time */
	int out_broken;			/* the browser went away */
	int64_t current_id;		/* request being handled, -1 idle */
	int64_t chunks_id;		/* id of the chunks the request being
					 * parsed came in, -1 none */
	char caller_browser[16];	/* "chromium"/"firefox", "" in tests */
	char caller_id[160];
	int wake_fd[2];			/* uk_host_wake → serve loop; -1 */
	struct uk_token_state *token;
	struct uk_pcsc_state *pcsc;
	struct uk_net_state *net;
	struct uk_enroll_state *enroll;
	struct uk_se_state *se;
};

struct uk_module {
	const char *name;
	const struct uk_method *methods;	/* ends with a NULL name */
	/* Called about once a second while idle; expire sessions here. */
	void (*tick)(struct uk_ctx *ctx, time_t now);
	/* Releases the module's state; called once before exit. */
	void (*fini)(struct uk_ctx *ctx);
	/* Writes a human-readable section for --diagnose; returns the number
	 * of problems it reported (lines starting with "  ! "). */
	int (*diagnose)(struct uk_ctx *ctx, FILE *fp);
};

/* The NULL-terminated table of modules (modules.c). */
extern const struct uk_module *const uk_modules[];

/* Sets up a context around cfg (not owned) writing to out_fd. */
int uk_ctx_init(struct uk_ctx *ctx, struct uk_config *cfg, int out_fd) UK_WUR;
/* Calls every module's fini. */
void uk_ctx_fini(struct uk_ctx *ctx);

/*
 * Sends an event object (takes ownership of ev).  Thread-safe: event
 * threads and the request loop share the output.  Returns 0 or an error.
 */
int uk_host_emit(struct uk_ctx *ctx, cJSON *ev);
/*
 * Makes the serve loop run every module's tick now instead of at the next
 * idle second.  Thread-safe and async-signal-safe: an event thread calls
 * it after queueing work that must run on the request thread.
 */
void uk_host_wake(struct uk_ctx *ctx);
/* Sends {"event":"progress","id":current,"done","total","stage"}. */
int uk_host_progress(struct uk_ctx *ctx, uint64_t done, uint64_t total,
    const char *stage);
/* The same for request id, which need not be current_id (the serve loop
 * reports the chunks of a request before the request is handled). */
int uk_host_progress_id(struct uk_ctx *ctx, int64_t id, uint64_t done,
    uint64_t total, const char *stage);
/* Sends a complete serialized message (chunked when large); thread-safe. */
int uk_host_send_text(struct uk_ctx *ctx, int64_t id, const char *text,
    size_t len);
/* The same for a message made of parts (frame.h); thread-safe. */
int uk_host_send_parts(struct uk_ctx *ctx, int64_t id,
    const struct uk_part *parts, size_t n);

/* Makes cJSON wipe every block it frees (requests may hold PINs).  Call once
 * at start, before any cJSON use. */
void uk_host_init_hooks(void);

/* Serves requests from in_fd until EOF.  Returns the exit status. */
int uk_host_serve(struct uk_ctx *ctx, int in_fd);

#endif /* UK_HOST_H */
