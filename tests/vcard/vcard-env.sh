#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vcard-env.sh COMMAND [ARGS...]
#
# Runs COMMAND next to a private pcscd with the vsmartcard vpcd reader
# driver, in fresh PID, mount and network namespaces (root only): its own
# /run/pcscd (tmpfs), its own loopback, and every process it started is
# killed when it ends, even after a failure.  Nothing outside sees it.
#
# COMMAND gets in its environment:
#   UK_VPCD_PORT      TCP port of the first vpcd reader (the second: +1)
#   UK_VPCD_READER    name of the first vpcd reader as PC/SC shows it
#   UK_PCSCD_CTL      "$UK_PCSCD_CTL stop|start": stops/starts pcscd (tests
#                     of service restarts); start waits for its socket
#   UK_VCARD_ENV_DIR  a scratch directory, removed at the end
# With UK_VCARD_ENV_NO_READER=1 in the environment, pcscd runs without any
# reader (the "no reader at all" case).
set -uo pipefail

if [ -z "${UK_VCARD_ENV_INNER:-}" ]; then
  [ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
  [ "$(id -u)" -eq 0 ] || { echo "vcard-env: needs root (unshare)" >&2; exit 1; }
  mkdir -p /run/pcscd
  exec unshare --pid --fork --mount --net --mount-proc --kill-child \
    env UK_VCARD_ENV_INNER=1 bash "$0" "$@"
fi

ip link set lo up
mount -t tmpfs tmpfs /run/pcscd
dir=$(mktemp -d /tmp/ukvcard.XXXXXX)
trap 'rm -rf "$dir"' EXIT
port=${UK_VPCD_PORT:-40101}
mkdir -p "$dir/reader.conf.d"
[ "${UK_VCARD_ENV_NO_READER:-0}" = 1 ] || cat >"$dir/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x$(printf '%X' "$port")
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x$(printf '%X' "$port")
CONF

cat >"$dir/pcscd-ctl" <<CTL
#!/usr/bin/env bash
# pcscd-ctl start|stop: the private pcscd of this environment.
set -u
pidf="$dir/pcscd.pid"
case "\${1:-}" in
start)
  rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
  # Own session: test runners kill their process group when a test ends.
  setsid pcscd --foreground -c "$dir/reader.conf.d" >>"$dir/pcscd.log" 2>&1 &
  echo \$! >"\$pidf"
  for _ in \$(seq 1 250); do
    [ -S /run/pcscd/pcscd.comm ] && exit 0
    sleep 0.02
  done
  echo "pcscd-ctl: pcscd did not start" >&2; cat "$dir/pcscd.log" >&2; exit 1 ;;
stop)
  [ -f "\$pidf" ] || exit 0
  pid=\$(cat "\$pidf")
  kill -TERM "\$pid" 2>/dev/null
  for _ in \$(seq 1 100); do
    kill -0 "\$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "\$pid" 2>/dev/null
  rm -f "\$pidf" /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
  exit 0 ;;
*) echo "usage: pcscd-ctl start|stop" >&2; exit 2 ;;
esac
CTL
chmod +x "$dir/pcscd-ctl"

export UK_VPCD_PORT=$port UK_VPCD_READER="Virtual PCD 00 00"
export UK_PCSCD_CTL="$dir/pcscd-ctl" UK_VCARD_ENV_DIR="$dir"
"$UK_PCSCD_CTL" start || exit 1
"$@"
rc=$?
"$UK_PCSCD_CTL" stop
exit $rc
