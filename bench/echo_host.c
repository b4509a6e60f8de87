/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * Reference for the benchmarks: the smallest native-messaging host that can
 * be written in C.  It echoes each message back unchanged, with no parsing,
 * validation or policy — the floor any real host is compared against.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int
read_full(void *p, size_t len)
{
	size_t have = 0;
	ssize_t n;

	while (have < len) {
		if ((n = read(0, (char *)p + have, len - have)) <= 0)
			return -1;
		have += (size_t)n;
	}
	return 0;
}

static int
write_full(const void *p, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if ((n = write(1, (const char *)p + done, len - done)) <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int
main(void)
{
	uint32_t len;
	char *buf;

	while (read_full(&len, 4) == 0) {
		if ((buf = malloc(len)) == NULL || read_full(buf, len) != 0)
			return 1;
		if (write_full(&len, 4) != 0 || write_full(buf, len) != 0)
			return 1;
		free(buf);
	}
	return 0;
}
