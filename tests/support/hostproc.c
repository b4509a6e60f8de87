/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
#define _XOPEN_SOURCE 700	/* nftw */
#include "uk_setup.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "hostproc.h"

extern char **environ;

int
uk_hostproc_start(struct uk_hostproc *hp, const char *path,
    char *const argv[], char *const env[])
{
	int in[2], out[2], fd;
	pid_t pid;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		/* Pipes of other hosts started earlier must not leak in:
		 * they would never see EOF. */
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv(env[i]);
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	hp->pid = pid;
	hp->spin = 0;
	hp->to_host = in[1];
	hp->from_host = out[0];
	hp->next_id = 1;
	return 0;
}

const char uk_hostproc_default_config[] =
    "{\"extensionIds\":{\"chromium\":[\"" UK_TEST_CHROMIUM_ID "\"],"
    "\"firefox\":[\"ukeylink@sheca.com\"]},"
    "\"origins\":[{\"origin\":\"https://issp.sheca.com\","
    "\"capabilities\":[\"read\",\"sign\",\"enroll\",\"seal\",\"unlock\"]},"
    "{\"origin\":\"https://gov.example.cn\",\"capabilities\":[\"read\","
    "\"sign\"]}],"
    "\"log\":{\"level\":\"warn\",\"destination\":\"stderr\"}}";

/* One temp dir per test process, removed when that process exits (forked
 * children of Check inherit the handler; only the creator removes). */
static char temp_base[64];
static pid_t temp_owner;

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
remove_temp_base(void)
{
	if (temp_base[0] != '\0' && getpid() == temp_owner)
		(void)nftw(temp_base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *
uk_test_write_temp(const char *name, const char *text)
{
	static unsigned long seq;
	char dir[128], *path;
	FILE *fp;

	if (temp_base[0] == '\0') {
		snprintf(temp_base, sizeof(temp_base), "/tmp/uktest.XXXXXX");
		if (mkdtemp(temp_base) == NULL) {
			temp_base[0] = '\0';
			return NULL;
		}
		temp_owner = getpid();
		atexit(remove_temp_base);
	}
	/* A directory per file: callers may reuse names. */
	snprintf(dir, sizeof(dir), "%s/%ld-%lu", temp_base, (long)getpid(),
	    ++seq);
	if (mkdir(dir, 0700) != 0)
		return NULL;
	if ((path = malloc(strlen(dir) + strlen(name) + 2)) == NULL)
		return NULL;
	sprintf(path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		free(path);
		return NULL;
	}
	fputs(text, fp);
	fclose(fp);
	return path;
}

int
uk_hostproc_start_test(struct uk_hostproc *hp, const char *config_json)
{
	static char envbuf[4][600];
	char *path, *env[4];
	char *const argv[] = { (char *)UK_TEST_HOST_PATH,
	    (char *)"chrome-extension://" UK_TEST_CHROMIUM_ID "/", NULL };
	int r;

	path = uk_test_write_temp("config.json", config_json ? config_json :
	    uk_hostproc_default_config);
	if (path == NULL)
		return -1;
	snprintf(envbuf[0], sizeof(envbuf[0]), "UKEYLINK_CONFIG=%s", path);
	/* The system file must not leak into tests. */
	snprintf(envbuf[1], sizeof(envbuf[1]), "XDG_CONFIG_HOME=/nonexistent");
	env[0] = envbuf[0];
	env[1] = envbuf[1];
	env[2] = NULL;
	r = uk_hostproc_start(hp, UK_TEST_HOST_PATH, argv, env);
	free(path);
	return r;
}

char *
uk_hostproc_diagnose(const char *config_json)
{
	char *path, cmd[1024], *out = NULL, *grown;
	size_t len = 0, cap = 0, n;
	FILE *fp;

	if ((path = uk_test_write_temp("config.json", config_json)) == NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd), "UKEYLINK_CONFIG='%s' "
	    "XDG_CONFIG_HOME=/nonexistent '%s' --diagnose 2>&1", path,
	    UK_TEST_HOST_PATH);
	if ((fp = popen(cmd, "r")) != NULL) {
		do {
			if (len + 4096 + 1 > cap) {
				cap = (len + 4096 + 1) * 2;
				if ((grown = realloc(out, cap)) == NULL)
					break;
				out = grown;
			}
			n = fread(out + len, 1, cap - len - 1, fp);
			len += n;
			out[len] = '\0';
		} while (n > 0);
		(void)pclose(fp);	/* exits 1 when it found problems */
	}
	free(path);
	return out;
}

static int
write_all(int fd, const void *p, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if ((n = write(fd, (const char *)p + done, len - done)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int
uk_hostproc_send_raw(struct uk_hostproc *hp, uint32_t hdr, const void *body,
    size_t len)
{
	if (write_all(hp->to_host, &hdr, sizeof(hdr)) != 0)
		return -1;
	return len ? write_all(hp->to_host, body, len) : 0;
}

int
uk_hostproc_send(struct uk_hostproc *hp, const char *json)
{
	size_t len = strlen(json);

	return uk_hostproc_send_raw(hp, (uint32_t)len, json, len);
}

/* Waits until fd is readable: sleeping in poll, or spinning on it. */
static int
wait_readable(int fd, int spin, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec t0, now;
	int r;

	if (!spin)
		return poll(&pfd, 1, timeout_ms) > 0 ? 0 : -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((r = poll(&pfd, 1, 0)) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms >= 0 && (now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			return -1;
	}
	return r > 0 ? 0 : -1;
}

static int
read_all(int fd, int spin, void *p, size_t len, int timeout_ms)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (wait_readable(fd, spin, timeout_ms) != 0)
			return -1;
		if ((n = read(fd, (char *)p + done, len - done)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

long
uk_hostproc_recv(struct uk_hostproc *hp, char **bufp, int timeout_ms)
{
	uint32_t len;
	char *buf;

	*bufp = NULL;
	if (read_all(hp->from_host, hp->spin, &len, sizeof(len), timeout_ms) != 0)
		return -1;
	if ((buf = malloc((size_t)len + 1)) == NULL)
		return -1;
	if (read_all(hp->from_host, hp->spin, buf, len, timeout_ms) != 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*bufp = buf;
	return (long)len;
}

cJSON *
uk_hostproc_response(struct uk_hostproc *hp, int64_t id, int timeout_ms,
    cJSON **eventsp)
{
	char *buf = NULL, *joined = NULL;
	size_t joined_len = 0;
	cJSON *msg, *resp = NULL, *c, *of, *data;
	long expect = 0;

	for (;;) {
		if (uk_hostproc_recv(hp, &buf, timeout_ms) < 0)
			break;
		msg = cJSON_Parse(buf);
		free(buf);
		if (msg == NULL)
			break;
		if (cJSON_GetObjectItem(msg, "event") != NULL) {
			if (eventsp != NULL) {
				if (*eventsp == NULL)
					*eventsp = cJSON_CreateArray();
				cJSON_AddItemToArray(*eventsp, msg);
			} else
				cJSON_Delete(msg);
			continue;
		}
		c = cJSON_GetObjectItem(msg, "chunk");
		if (c != NULL) {
			of = cJSON_GetObjectItem(msg, "of");
			data = cJSON_GetObjectItem(msg, "data");
			size_t dl = strlen(data->valuestring);
			if (c->valueint != expect) {
				cJSON_Delete(msg);
				break;
			}
			joined = realloc(joined, joined_len + dl + 1);
			memcpy(joined + joined_len, data->valuestring, dl + 1);
			joined_len += dl;
			expect++;
			if (expect == of->valueint) {
				resp = cJSON_Parse(joined);
				cJSON_Delete(msg);
				break;
			}
			cJSON_Delete(msg);
			continue;
		}
		resp = msg;
		break;
	}
	free(joined);
	if (resp != NULL && id >= 0) {
		c = cJSON_GetObjectItem(resp, "id");
		if (!cJSON_IsNumber(c) || (int64_t)c->valuedouble != id) {
			cJSON_Delete(resp);
			return NULL;
		}
	}
	return resp;
}

cJSON *
uk_hostproc_call(struct uk_hostproc *hp, int64_t id, const char *method,
    const char *params_json, const char *origin)
{
	size_t n = strlen(method) + (params_json ? strlen(params_json) : 2) +
	    strlen(origin) + 128;
	char *req = malloc(n);
	cJSON *resp;

	if (req == NULL)
		return NULL;
	snprintf(req, n, "{\"id\":%lld,\"method\":\"%s\",\"params\":%s,"
	    "\"origin\":\"%s\"}", (long long)id, method,
	    params_json ? params_json : "{}", origin);
	if (uk_hostproc_send(hp, req) != 0) {
		free(req);
		return NULL;
	}
	free(req);
	resp = uk_hostproc_response(hp, id, 60000, NULL);
	return resp;
}

int
uk_hostproc_finish(struct uk_hostproc *hp, int timeout_ms)
{
	int status, waited = 0;
	pid_t r;

	if (hp->to_host >= 0)
		close(hp->to_host);
	hp->to_host = -1;
	for (;;) {
		r = waitpid(hp->pid, &status, WNOHANG);
		if (r == hp->pid)
			break;
		if (r < 0 || waited >= timeout_ms) {
			uk_hostproc_kill(hp);
			return -1;
		}
		usleep(10000);
		waited += 10;
	}
	close(hp->from_host);
	hp->from_host = -1;
	hp->pid = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

void
uk_hostproc_kill(struct uk_hostproc *hp)
{
	if (hp->pid > 0) {
		kill(hp->pid, SIGKILL);
		waitpid(hp->pid, NULL, 0);
	}
	if (hp->to_host >= 0)
		close(hp->to_host);
	if (hp->from_host >= 0)
		close(hp->from_host);
	hp->pid = -1;
	hp->to_host = hp->from_host = -1;
}
