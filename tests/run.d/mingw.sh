#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Windows portability check with Debian's mingw-w64: the host sources that
# need nothing but the C library, Win32 and cJSON's headers must compile
# for x86_64-w64-mingw32 with the project's warnings as errors, and the
# platform layer must link against the Win32 import libraries.  (Nothing
# runs: there is no Windows here.)
#
# Compiled with -iquote, not -I: <windows.h> includes the system <rpc.h>,
# which host/src/rpc.h would shadow (host/CMakeLists.txt does the same for
# WIN32 builds).
#
# Not compiled here, and why (installer/windows/README.md):
#   POSIX variants: platform-posix.c, browsers-posix.c (Windows has
#     platform-win32.c, browsers-win32.c)
#   need OpenSSL / libcurl / libp11 headers, which Debian has no mingw build
#     of: config.c (via net.h), net*.c, x509*.c, revocation-none.c, token*.c,
#     pcsc-token.c (via token.h), se*.c and the other token-based modules
#   not yet portable: frame.c, host.c (<poll.h>), log.c (<syslog.h>),
#     diagnose.c (realpath, access, "/" paths)
set -uo pipefail
cd "$(dirname "$0")/../.."
CC=x86_64-w64-mingw32-gcc
command -v $CC >/dev/null || { echo "mingw.sh: $CC missing (tests/deps.sh installs mingw-w64)"; exit 1; }
T=$(mktemp -d /tmp/uk-mingw.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/inc" && ln -s /usr/include/cjson "$T/inc/cjson"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -O2 -I"$T/inc" -iquote host/src -DUK_VERSION='"0.0.0"')
PORTABLE="platform-win32.c browsers-win32.c err.c json.c wipe.c rpc.c policy.c
methods_host.c modules.c main.c fault.c pcsc.c pcsc-winscard.c pcsc-watch.c
pcsc-atr.c"
ok=0 bad=0
for f in $PORTABLE; do
	[ -f "host/src/$f" ] || { echo "mingw: host/src/$f is gone: update tests/run.d/mingw.sh"; bad=$((bad + 1)); continue; }
	if $CC "${CFLAGS[@]}" -c "host/src/$f" -o "$T/${f%.c}.o" 2>"$T/err"; then
		ok=$((ok + 1))
	else
		echo "mingw: host/src/$f does not compile for Windows:"; cat "$T/err"
		bad=$((bad + 1))
	fi
done
# The platform layer links: every Win32 call it makes exists.
cat >"$T/drv.c" <<'EOC'
#include <stdio.h>
#include "platform.h"
int main(void);
int
main(void)
{
	char buf[260];

	(void)uk_platform_stdio_init();
	if (uk_platform_user_dir("config", buf, sizeof(buf)) == 0)
		puts(buf);
	if (uk_platform_self_path(buf, sizeof(buf)) == 0)
		puts(buf);
	puts(uk_platform_os());
	puts(uk_platform_system_config());
	return uk_platform_mkdirs("C:\\x") != 0;
}
EOC
if $CC "${CFLAGS[@]}" "$T/drv.c" "$T/platform-win32.o" "$T/err.o" -o "$T/drv.exe" \
    -ladvapi32 2>"$T/err" && file "$T/drv.exe" | grep -q "PE32+ executable"; then
	ok=$((ok + 1))
else
	echo "mingw: linking the platform layer failed:"; cat "$T/err"; bad=$((bad + 1))
fi
echo "mingw: $ok compiled/linked, $bad failed"
[ "$bad" -eq 0 ]
