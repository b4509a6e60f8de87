/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/* libFuzzer: the framing reader over an arbitrary byte stream. */
#define _GNU_SOURCE 1	/* memfd_create */
#include "uk_setup.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "frame.h"

#define FUZZ_MAX_MESSAGE	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("frame", 0), r;
	char *body;
	size_t len;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return 0;
	}
	for (;;) {
		r = uk_frame_read(fd, FUZZ_MAX_MESSAGE, &body, &len);
		if (r == 0) {
			/* A message is whole and terminated. */
			if (len == 0 || len > FUZZ_MAX_MESSAGE ||
			    body[len] != '\0')
				abort();
			free(body);
			continue;
		}
		if (body != NULL || len != 0)
			abort();
		if (r != UK_ERR_MESSAGE_TOO_LARGE && r != UK_ERR_BAD_REQUEST)
			break;
	}
	close(fd);
	return 0;
}
