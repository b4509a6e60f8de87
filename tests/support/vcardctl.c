/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "hostproc.h"
#include "vcardctl.h"

#define VCARD_PATH	UK_TEST_BUILD_DIR "/tests/vcard/vcard"

long long
uk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *
uk_vcard_dir(void)
{
	return getenv("UK_VCARD_DIR");
}

int
uk_vcard_port(void)
{
	const char *p = getenv("UK_VPCD_PORT");

	return p ? atoi(p) : 0;
}

const char *
uk_vcard_reader(void)
{
	return getenv("UK_VPCD_READER");
}

int
uk_pcscd_ctl(const char *what)
{
	const char *ctl = getenv("UK_PCSCD_CTL");
	pid_t pid;
	int st, fd;

	if (ctl == NULL || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* pcscd lives on: it must not hold any host's pipe. */
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execl(ctl, ctl, what, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
uk_vcard_start(struct uk_vcard *vc, const char *dir, int port, int tries)
{
	char db[4096], portbuf[16], triesbuf[16];
	char *const argv[] = { (char *)"vcard", (char *)"--db", db,
	    (char *)"--port", portbuf, (char *)"--tries", triesbuf,
	    (char *)"--control", NULL };
	struct uk_hostproc hp;

	vc->pid = -1;
	snprintf(db, sizeof(db), "%s/nssdb", dir);
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	snprintf(triesbuf, sizeof(triesbuf), "%d", tries > 0 ? tries : 3);
	/* The same pipes-and-exec as a host; it also closes the pipes of
	 * hosts started earlier, which would otherwise never see EOF. */
	if (uk_hostproc_start(&hp, VCARD_PATH, argv, NULL) != 0)
		return -1;
	vc->pid = hp.pid;
	vc->to = hp.to_host;
	vc->from = hp.from_host;
	return 0;
}

/* Sends a command and reads "<word> <ns>\n"; returns ns or -1. */
static long long
command(struct uk_vcard *vc, const char *cmd, const char *want)
{
	struct pollfd p = { .fd = vc->from, .events = POLLIN };
	char line[128];
	size_t n = 0;
	ssize_t k;
	long long ns;
	char word[32];

	if (write(vc->to, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -1;
	while (n < sizeof(line) - 1) {
		if (poll(&p, 1, 10000) <= 0)
			return -1;
		if ((k = read(vc->from, line + n, 1)) <= 0)
			return -1;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	if (sscanf(line, "%31s %lld", word, &ns) != 2 ||
	    strcmp(word, want) != 0)
		return -1;
	return ns;
}

long long
uk_vcard_insert(struct uk_vcard *vc)
{
	return command(vc, "insert\n", "inserted");
}

long long
uk_vcard_remove(struct uk_vcard *vc)
{
	return command(vc, "remove\n", "removed");
}

void
uk_vcard_stop(struct uk_vcard *vc)
{
	if (vc->pid <= 0)
		return;
	close(vc->to);
	kill(vc->pid, SIGTERM);
	waitpid(vc->pid, NULL, 0);
	close(vc->from);
	vc->pid = -1;
	/* pcscd notices a pulled card only when it next polls vpcd (every
	 * 400 ms): a card inserted again before that is never seen to leave
	 * or arrive.  Let the reader settle empty before the next test. */
	usleep(1000 * 1000);
}

static int
matches(const cJSON *ev, const char *name, const char *reader)
{
	const cJSON *e = cJSON_GetObjectItem(ev, "event");
	const cJSON *r = cJSON_GetObjectItem(ev, "reader");

	return cJSON_IsString(e) && strcmp(e->valuestring, name) == 0 &&
	    (reader == NULL || (cJSON_IsString(r) &&
	    strcmp(r->valuestring, reader) == 0));
}

cJSON *
uk_wait_event(struct uk_hostproc *hp, cJSON **pendingp, const char *name,
    const char *reader, int timeout_ms, long long *atp)
{
	long long until = uk_now_ns() + (long long)timeout_ms * 1000000LL;
	cJSON *ev;
	char *buf;
	int i, left;

	*atp = 0;
	if (*pendingp == NULL && (*pendingp = cJSON_CreateArray()) == NULL)
		return NULL;
	for (i = 0; i < cJSON_GetArraySize(*pendingp); i++)
		if (matches(cJSON_GetArrayItem(*pendingp, i), name, reader))
			return cJSON_DetachItemFromArray(*pendingp, i);
	for (;;) {
		left = (int)((until - uk_now_ns()) / 1000000LL);
		if (left <= 0 || uk_hostproc_recv(hp, &buf, left) < 0)
			return NULL;
		*atp = uk_now_ns();
		ev = cJSON_Parse(buf);
		free(buf);
		if (ev == NULL)
			continue;
		if (matches(ev, name, reader))
			return ev;
		cJSON_AddItemToArray(*pendingp, ev);
	}
}
