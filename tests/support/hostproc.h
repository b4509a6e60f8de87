/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Test and benchmark support: runs ukeylink-host (or any native-messaging
 * host) as a child process with pipes, the way a browser does, and speaks
 * the framing to it.
 */
#ifndef UK_HOSTPROC_H
#define UK_HOSTPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct uk_hostproc {
	pid_t pid;
	int to_host;	/* write end: host's stdin */
	int from_host;	/* read end: host's stdout */
	/* 1: wait for replies by polling without sleeping, so the waiting
	 * CPU never goes idle (benchmarks: on a virtual machine, waking an
	 * idle vCPU costs tens of microseconds that are not the host's). */
	int spin;
	int64_t next_id;	/* of the next request hostcall.h sends */
};

/* The chromium caller id the test configuration allows. */
#define UK_TEST_CHROMIUM_ID	"abcdefghijklmnopabcdefghijklmnop"
#define UK_TEST_ORIGIN		"https://issp.sheca.com"

/*
 * Starts path with argv (NULL-terminated, argv[0] included).  env: extra
 * "NAME=value" strings (NULL-terminated, may be NULL) added to the current
 * environment.  Returns 0 or -1.
 */
int uk_hostproc_start(struct uk_hostproc *hp, const char *path,
    char *const argv[], char *const env[]);
/* The default test configuration (JSON): the test Chromium id, the
 * portal and a government origin, log at warn to stderr. */
extern const char uk_hostproc_default_config[];
/* Starts the built host as a Chromium caller with a test configuration
 * (allows UK_TEST_CHROMIUM_ID; log to stderr at level "debug" when
 * verbose).  config_json NULL = the default test config. */
int uk_hostproc_start_test(struct uk_hostproc *hp, const char *config_json);
/* Writes a frame with an explicit length header (may lie, for tests). */
int uk_hostproc_send_raw(struct uk_hostproc *hp, uint32_t hdr,
    const void *body, size_t len);
int uk_hostproc_send(struct uk_hostproc *hp, const char *json);
/* Reads one frame (malloc'd, NUL-terminated).  Returns length or -1 (EOF
 * or timeout_ms elapsed). */
long uk_hostproc_recv(struct uk_hostproc *hp, char **bufp, int timeout_ms);
/*
 * Reads messages until the response for id arrives (reassembling chunks,
 * skipping events; events are appended to *eventsp when eventsp != NULL).
 * Returns the parsed response or NULL.
 */
cJSON *uk_hostproc_response(struct uk_hostproc *hp, int64_t id,
    int timeout_ms, cJSON **eventsp);
/* Sends {"id","method","params","origin"} and waits for its response. */
cJSON *uk_hostproc_call(struct uk_hostproc *hp, int64_t id,
    const char *method, const char *params_json, const char *origin);
/* Closes stdin and waits; returns the exit status (or 128+signal, -1). */
int uk_hostproc_finish(struct uk_hostproc *hp, int timeout_ms);
/* Runs the host with --diagnose and config_json as its configuration (the
 * system's left out, as uk_hostproc_start_test does); returns what it
 * printed, stdout and stderr (free it), or NULL. */
char *uk_hostproc_diagnose(const char *config_json);
void uk_hostproc_kill(struct uk_hostproc *hp);

/* Writes text to a new file in a fresh temp dir; returns its path
 * (malloc'd) or NULL. */
char *uk_test_write_temp(const char *name, const char *text);

#endif /* UK_HOSTPROC_H */
