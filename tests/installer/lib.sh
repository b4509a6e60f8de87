# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the installer tests (sourced).  Every check prints one
# line naming the file and what is wrong, and counts a failure.
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }
check() {	# check DESCRIPTION COMMAND...: stdout of COMMAND is dropped
	local what=$1; shift
	if "$@" >/dev/null; then ok; else fail "$what"; fi
}
not() { ! "$@"; }
finish() {	# exit status of the test script
	echo "$(basename "$0"): $CHECKS checks passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# The ids the tests expect: extension/ids.json when the extension has been
# built, else the fixture the build was configured with.
uk_ids_file() {
	local root=$1
	if [ -f "$root/extension/ids.json" ]; then echo "$root/extension/ids.json"
	else echo "$root/tests/fixtures/ids.json"; fi
}

# check_manifest FILE KIND HOST-PATH ROOT IDS-FILE
#   KIND chromium|firefox; HOST-PATH is what "path" must say; the executable
#   must exist at ROOT/HOST-PATH.
check_manifest() {
	local f=$1 kind=$2 host=$3 root=$4 ids=$5 want got
	if ! jq -e . "$f" >/dev/null 2>&1; then fail "$f: not valid JSON"; return; fi
	ok
	check "$f: name" [ "$(jq -r .name "$f")" = cn.sheca.ukeylink ]
	check "$f: type" [ "$(jq -r .type "$f")" = stdio ]
	got=$(jq -r .path "$f")
	check "$f: path '$got' is not absolute" [ "${got#/}" != "$got" ]
	check "$f: path '$got' != '$host'" [ "$got" = "$host" ]
	check "$f: $root$got is not an executable file" \
	    test -f "$root$got" -a -x "$root$got"
	check "$f: mode not 0644" [ "$(stat -c %a "$f")" = 644 ]
	if [ "$kind" = chromium ]; then
		want="[\"chrome-extension://$(jq -r .chromium "$ids")/\"]"
		got=$(jq -c .allowed_origins "$f")
		check "$f: allowed_origins $got != $want" [ "$got" = "$want" ]
		check "$f: has allowed_extensions" [ "$(jq 'has("allowed_extensions")' "$f")" = false ]
	else
		want="[\"$(jq -r .firefox "$ids")\"]"
		got=$(jq -c .allowed_extensions "$f")
		check "$f: allowed_extensions $got != $want" [ "$got" = "$want" ]
		check "$f: has allowed_origins" [ "$(jq 'has("allowed_origins")' "$f")" = false ]
	fi
}

# Where the system-wide manifests go, with their kind.
SYSTEM_MANIFESTS="chromium /etc/opt/chrome/native-messaging-hosts/cn.sheca.ukeylink.json
chromium /etc/chromium/native-messaging-hosts/cn.sheca.ukeylink.json
chromium /etc/opt/edge/native-messaging-hosts/cn.sheca.ukeylink.json
firefox /usr/lib/mozilla/native-messaging-hosts/cn.sheca.ukeylink.json"
