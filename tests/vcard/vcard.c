/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * A virtual smart card for tests: a CAC card emulated by libcacard from an
 * NSS database, bridged to the vsmartcard vpcd reader driver of pcscd over
 * TCP.  Connecting = card inserted, closing = card pulled.
 *
 *   vcard --db DIR [--port N] [--tries N] [--control]
 *
 * Without --control the card is inserted at once and pulled on SIGTERM or
 * SIGINT.  With --control, stdin lines "insert", "remove" and "quit" drive
 * it; after each the program prints "inserted <ns>" / "removed <ns>"
 * (CLOCK_MONOTONIC nanoseconds of the connect/close) on stdout.
 *
 * PIN retries: plain libcacard answers a wrong PIN with 6985 and never
 * locks, so VERIFY passes through a counter here: a failed VERIFY answers
 * 63Cx (x tries left), 6983 at zero; a VERIFY without data answers 63Cx
 * unless logged in.  The counter lives as long as the process.
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libcacard.h>

#define VC_READER	"UKeyLinkTest"
#define VC_APDU_MAX	65544
#define VC_CONNECT_MS	5000

static volatile sig_atomic_t stop_flag;
static unsigned char atr[64];
static int atrlen;
static int tries_max = 3, tries_left = 3, logged_in;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
quickack(int fd)
{
	int one = 1;

	/* vpcd writes length and payload separately: without this every
	 * message waits for a delayed ACK (~40 ms). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* Reads exactly len bytes; 0 ok, -1 closed/error/stopped. */
static int
read_full(int fd, unsigned char *p, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		quickack(fd);
		n = read(fd, p + done, len - done);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR && !stop_flag)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	quickack(fd);
	return 0;
}

/* Sends one message (length + payload in a single write). */
static int
send_msg(int fd, const unsigned char *p, size_t len)
{
	unsigned char buf[2 + VC_APDU_MAX];
	size_t done = 0;
	ssize_t n;

	if (len > VC_APDU_MAX)
		return -1;
	buf[0] = (unsigned char)(len >> 8);
	buf[1] = (unsigned char)len;
	memcpy(buf + 2, p, len);
	while (done < len + 2) {
		if ((n = write(fd, buf + done, len + 2 - done)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int
connect_vpcd(int port)
{
	struct sockaddr_in sa;
	long long until = now_ns() + VC_CONNECT_MS * 1000000LL;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if (now_ns() > until || stop_flag)
			return -1;
		usleep(20000);
	}
}

static void
set_sw(unsigned char *out, int *outlen, unsigned sw)
{
	out[0] = (unsigned char)(sw >> 8);
	out[1] = (unsigned char)sw;
	*outlen = 2;
}

/* VERIFY through the retry counter; other APDUs straight to libcacard. */
static void
transmit(VReader *reader, unsigned char *apdu, int len, unsigned char *out,
    int *outlen)
{
	int ok;

	*outlen = VC_APDU_MAX;
	if (len < 4 || apdu[1] != 0x20) {
		if (vreader_xfr_bytes(reader, apdu, len, out, outlen) !=
		    VREADER_OK)
			set_sw(out, outlen, 0x6f00);
		return;
	}
	if (len <= 5) {		/* status query: no PIN data */
		if (logged_in)
			set_sw(out, outlen, 0x9000);
		else
			set_sw(out, outlen, tries_left ? 0x63c0u |
			    (unsigned)tries_left : 0x6983);
		return;
	}
	if (tries_left == 0) {
		set_sw(out, outlen, 0x6983);
		return;
	}
	if (vreader_xfr_bytes(reader, apdu, len, out, outlen) != VREADER_OK)
		set_sw(out, outlen, 0x6f00);
	ok = *outlen >= 2 && out[*outlen - 2] == 0x90 && out[*outlen - 1] == 0;
	if (ok) {
		tries_left = tries_max;
		logged_in = 1;
		return;
	}
	tries_left--;
	logged_in = 0;
	set_sw(out, outlen, tries_left ? 0x63c0u | (unsigned)tries_left :
	    0x6983);
}

/* Serves vpcd until it closes, the card is pulled or stdin says so. */
static int
serve(int fd, VReader *reader, int control)
{
	static unsigned char in[VC_APDU_MAX], out[VC_APDU_MAX];
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
	    { .fd = 0, .events = POLLIN } };
	int len, outlen;

	for (;;) {
		if (stop_flag)
			return 0;
		if (poll(p, control ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (control && (p[1].revents & (POLLIN | POLLHUP)))
			return 1;	/* a command to read */
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (read_full(fd, in, 2) != 0)
			return -1;
		len = in[0] << 8 | in[1];
		if (len == 0 || read_full(fd, in, (size_t)len) != 0)
			return -1;
		if (len == 1) {
			switch (in[0]) {
			case 0:		/* power off */
				vreader_power_off(reader);
				logged_in = 0;
				break;
			case 1:		/* power on */
			case 2:		/* reset */
				atrlen = sizeof(atr);
				vreader_power_off(reader);
				vreader_power_on(reader, atr, &atrlen);
				logged_in = 0;
				break;
			case 4:		/* ATR */
				if (atrlen <= 0) {
					atrlen = sizeof(atr);
					vreader_power_on(reader, atr, &atrlen);
				}
				/* The emulator's own ATR ("VCARD_NSS"),
				 * as QEMU's emulated CCID card reports
				 * it, not the CAC applet's. */
				atrlen = sizeof(atr);
				vcard_emul_get_atr(NULL, atr, &atrlen);
				if (send_msg(fd, atr, (size_t)atrlen) != 0)
					return -1;
				break;
			default:
				break;
			}
			continue;
		}
		transmit(reader, in, len, out, &outlen);
		if (send_msg(fd, out, (size_t)outlen) != 0)
			return -1;
	}
}

static VReader *
init_card(const char *db)
{
	char opts[4096];
	VCardEmulOptions *o;
	VReader *r;

	snprintf(opts, sizeof(opts), "db=\"sql:%s\" use_hw=no "
	    "soft=(,%s,CAC,,ukcard)", db, VC_READER);
	if ((o = vcard_emul_options(opts)) == NULL ||
	    vcard_emul_init(o) != VCARD_EMUL_OK) {
		fprintf(stderr, "vcard: cannot initialise libcacard from %s\n",
		    db);
		return NULL;
	}
	if ((r = vreader_get_reader_by_name(VC_READER)) == NULL)
		fprintf(stderr, "vcard: no reader %s\n", VC_READER);
	return r;
}

static int
run_control(VReader *reader, int port)
{
	char line[64];
	int fd = -1, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if (fd >= 0) {
			r = serve(fd, reader, 1);
			if (r < 0) {	/* vpcd went away */
				close(fd);
				fd = -1;
				printf("lost %lld\n", now_ns());
			}
			if (stop_flag)
				break;
		}
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		if (strncmp(line, "insert", 6) == 0 && fd < 0) {
			fd = connect_vpcd(port);
			printf("%s %lld\n", fd >= 0 ? "inserted" : "failed",
			    now_ns());
		} else if (strncmp(line, "remove", 6) == 0 && fd >= 0) {
			close(fd);
			fd = -1;
			vreader_power_off(reader);
			logged_in = 0;
			printf("removed %lld\n", now_ns());
		} else if (strncmp(line, "quit", 4) == 0)
			break;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* A decimal in [min, max], or -1. */
static int
parse_int(const char *s, int min, int max)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= min && v <= max ? (int)v : -1;
}

int
main(int argc, char *argv[])
{
	const char *db = NULL;
	int port = 35963, control = 0, i, fd;
	VReader *reader;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = parse_int(argv[++i], 1, 65535);
		else if (strcmp(argv[i], "--tries") == 0 && i + 1 < argc)
			tries_max = tries_left = parse_int(argv[++i], 1, 15);
		else if (strcmp(argv[i], "--control") == 0)
			control = 1;
		else
			db = NULL, i = argc;
	}
	if (db == NULL || port <= 0 || port > 65535 || tries_max < 1 ||
	    tries_max > 15) {
		fprintf(stderr, "usage: vcard --db DIR [--port N] [--tries "
		    "1..15] [--control]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((reader = init_card(db)) == NULL)
		return 1;
	if (control)
		return run_control(reader, port);
	if ((fd = connect_vpcd(port)) < 0) {
		fprintf(stderr, "vcard: cannot connect to vpcd on port %d\n",
		    port);
		return 1;
	}
	(void)serve(fd, reader, 0);
	close(fd);
	return 0;
}
