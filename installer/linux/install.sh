#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Registers (or, with --uninstall, unregisters) the UKeyLink native-messaging
# host with Chrome, Chromium, Edge and Firefox on Linux.  Documented in
# installer/README.md.  POSIX sh: runs on any distribution, needs no jq.
#
# Everything this script creates (files and directories) is recorded in a
# list next to the registration; --uninstall removes exactly that, so the
# file tree is as it was before the first install.
set -eu

HOST_NAME=cn.sheca.ukeylink
PROG=$(basename "$0")
HERE=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<EOF
usage: $PROG --system | --user | --profile-dir DIR [options]
       $PROG --uninstall --system | --user | --profile-dir DIR [--root DIR]

Scopes (one is required):
  --system            /etc/opt/chrome, /etc/chromium, /etc/opt/edge
                      native-messaging-hosts and /usr/lib/mozilla/...
  --user              ~/.config/{google-chrome,chromium,microsoft-edge}/
                      NativeMessagingHosts and ~/.mozilla/native-messaging-hosts
  --profile-dir DIR   DIR/NativeMessagingHosts: a Chromium started with
                      --user-data-dir=DIR looks only there (and in /etc)
Options:
  --host PATH         the ukeylink-host executable (required unless
                      --copy-host finds it next to this script)
  --copy-host         copy the host to PREFIX/libexec/ukeylink (--system) or
                      ~/.local/libexec/ukeylink (--user) and register that copy
  --prefix DIR        prefix for --copy-host with --system (/usr/local)
  --browsers LIST     comma-separated subset of chrome,chromium,edge,firefox
                      (default: all; --profile-dir is always chromium-style)
  --ids FILE          ids.json of the extension (default: the build's)
  --chromium-id ID    allowed Chromium-family extension id (repeatable;
                      replaces the id from ids.json)
  --firefox-id ID     allowed Firefox add-on id (repeatable)
  --root DIR          treat DIR as / (packaging and tests)
  --force             overwrite a manifest this script did not write
  --uninstall         remove what an earlier install recorded
  -q, --quiet         print nothing but errors
EOF
}

die() { echo "$PROG: $*" >&2; exit 1; }
say() { [ "$QUIET" = 1 ] || echo "$*"; }

SCOPE= HOST= COPY_HOST=0 PREFIX=/usr/local BROWSERS=chrome,chromium,edge,firefox
IDS_FILE= CHROMIUM_IDS= FIREFOX_IDS= ROOT= FORCE=0 UNINSTALL=0 QUIET=0
PROFILE_DIRS=
set_scope() {
	[ -z "$SCOPE" ] || [ "$SCOPE" = "$1" ] ||
	    die "choose one of --system, --user, --profile-dir"
	SCOPE=$1
}
need_arg() { [ "$2" -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	--system) set_scope system ;;
	--user) set_scope user ;;
	--profile-dir) need_arg "$1" $#; set_scope profile
	    PROFILE_DIRS="$PROFILE_DIRS
$2"; shift ;;
	--host) need_arg "$1" $#; HOST=$2; shift ;;
	--copy-host) COPY_HOST=1 ;;
	--prefix) need_arg "$1" $#; PREFIX=$2; shift ;;
	--browsers) need_arg "$1" $#; BROWSERS=$2; shift ;;
	--ids) need_arg "$1" $#; IDS_FILE=$2; shift ;;
	--chromium-id) need_arg "$1" $#; CHROMIUM_IDS="$CHROMIUM_IDS $2"; shift ;;
	--firefox-id) need_arg "$1" $#; FIREFOX_IDS="$FIREFOX_IDS $2"; shift ;;
	--root) need_arg "$1" $#; ROOT=${2%/}; shift ;;
	--force) FORCE=1 ;;
	--uninstall) UNINSTALL=1 ;;
	-q|--quiet) QUIET=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$SCOPE" ] || { usage >&2; die "choose --system, --user or --profile-dir"; }
if [ -n "$ROOT" ]; then
	case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
	[ -d "$ROOT" ] || die "--root '$ROOT': not a directory"
fi
for b in $(echo "$BROWSERS" | tr ',' ' '); do
	case $b in chrome|chromium|edge|firefox) ;;
	*) die "--browsers: unknown browser '$b' (chrome,chromium,edge,firefox)" ;;
	esac
done
wants() { case ",$BROWSERS," in *",$1,"*) return 0 ;; esac; return 1; }

# Per-user paths follow the browsers, which use $HOME (not XDG) for these.
user_home() {
	[ -n "${HOME:-}" ] && [ "${HOME#/}" != "$HOME" ] ||
	    die "HOME must be an absolute path for --user"
	echo "$HOME"
}

# The record of what we created, one "d PATH" or "f PATH" per line.
record_path() {	# record_path SCOPE [PROFILE-DIR]
	case $1 in
	system) echo "$ROOT/var/lib/ukeylink/install-$2.list" ;;
	user) echo "${XDG_DATA_HOME:-$(user_home)/.local/share}/ukeylink/install-$2.list" ;;
	profile) echo "$2/NativeMessagingHosts/.$HOST_NAME.install.list" ;;
	esac
}

# ---- uninstall --------------------------------------------------------
uninstall_record() {	# uninstall_record LIST
	list=$1
	if [ ! -f "$list" ]; then
		say "nothing recorded in $list: nothing to remove"
		return 0
	fi
	dirs=$(mktemp)
	# Children were created after their parents: remove in reverse order,
	# and keep a directory someone else has since put something into.
	awk '/^d /{ l[n++] = substr($0, 3) } END { while (n--) print l[n] }' \
	    "$list" >"$dirs"
	grep '^f ' "$list" | cut -c3- | while IFS= read -r f; do
		rm -f -- "$f"
		[ "$f" = "$list" ] || say "removed $f"
	done
	rm -f -- "$list"
	while IFS= read -r d; do
		rmdir -- "$d" 2>/dev/null || true
	done <"$dirs"
	rm -f -- "$dirs"
}

# ---- helpers for install ----------------------------------------------
# created_dirs accumulates "d PATH" lines for directories mkdir_p made.
mkdir_p() {	# mkdir_p DIR: like mkdir -p, recording what it creates
	d=$1 missing=
	while [ ! -d "$d" ]; do
		missing="$d
$missing"
		d=$(dirname "$d")
	done
	printf '%s' "$missing" | while IFS= read -r m; do
		[ -n "$m" ] || continue
		mkdir -m 0755 -- "$m"
		echo "d $m" >>"$NEW_RECORD"
	done
}

json_string_ok() {	# rejects what would need escaping in a JSON string
	case $1 in *[\"\\]*) return 1 ;; esac
	[ "$(printf '%s' "$1" | tr -d '[:cntrl:]')" = "$1" ]
}

find_templates() {
	for d in "$HERE/../../manifests" "$HERE/manifests"; do
		if [ -f "$d/chromium.json.in" ] && [ -f "$d/firefox.json.in" ]; then
			(cd "$d" && pwd)
			return 0
		fi
	done
	die "manifest templates not found next to $HERE"
}

id_from_json() {	# id_from_json FILE KEY
	tr -d '\n' <"$1" |
	    sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p"
}

load_ids() {
	if [ -z "$IDS_FILE" ]; then
		for f in "$HERE/../../extension/ids.json" "$HERE/manifests/ids.json"; do
			[ -f "$f" ] && { IDS_FILE=$f; break; }
		done
	fi
	if [ -n "$IDS_FILE" ]; then
		[ -r "$IDS_FILE" ] || die "--ids '$IDS_FILE': cannot read"
		[ -n "$CHROMIUM_IDS" ] || CHROMIUM_IDS=$(id_from_json "$IDS_FILE" chromium)
		[ -n "$FIREFOX_IDS" ] || FIREFOX_IDS=$(id_from_json "$IDS_FILE" firefox)
	fi
	[ -n "$FIREFOX_IDS" ] || FIREFOX_IDS=ukeylink@sheca.com
	for id in $CHROMIUM_IDS; do
		printf '%s' "$id" | grep -Eqx '[a-p]{32}' ||
		    die "chromium id '$id': not 32 letters a-p"
	done
	for id in $FIREFOX_IDS; do
		printf '%s' "$id" | grep -Eqx '[A-Za-z0-9._@{}-]+' ||
		    die "firefox id '$id': not an add-on id"
	done
	if [ -z "$(echo $CHROMIUM_IDS)" ] && { [ "$SCOPE" = profile ] ||
	    wants chrome || wants chromium || wants edge; }; then
		die "no Chromium extension id: pass --chromium-id ID or --ids FILE" \
		    "(or --browsers firefox)"
	fi
}

json_list() {	# json_list FORMAT WORDS...: "a", "b"
	fmt=$1; shift
	out=
	for w in "$@"; do
		out="$out${out:+, }\"$(printf "$fmt" "$w")\""
	done
	printf '%s' "$out"
}

write_manifest() {	# write_manifest TEMPLATE DEST-DIR LIST-JSON
	dest=$2/$HOST_NAME.json
	if [ -e "$dest" ] && [ "$FORCE" = 0 ] && ! grep -qxF "f $dest" "$OLD_RECORD" 2>/dev/null; then
		die "$dest exists and was not written by $PROG (a package" \
		    "owns it?): remove it or pass --force"
	fi
	mkdir_p "$2"
	tmp=$(mktemp "$2/.$HOST_NAME.XXXXXX")
	host_sed=$(printf '%s' "$HOST_REGISTERED" | sed 's/[&|\\]/\\&/g')
	sed -e "s|@UK_HOST_PATH@|$host_sed|" \
	    -e "s|@UK_CHROMIUM_ORIGINS_JSON@|$3|" \
	    -e "s|\"@UK_FIREFOX_ID@\"|$3|" "$TEMPLATES/$1" >"$tmp"
	chmod 0644 "$tmp"
	mv -f -- "$tmp" "$dest"
	echo "f $dest" >>"$NEW_RECORD"
	say "registered $dest -> $HOST_REGISTERED"
}

install_host_copy() {
	case $SCOPE in
	system) dir=$PREFIX/libexec/ukeylink ;;
	user) dir=$(user_home)/.local/libexec/ukeylink ;;
	*) die "--copy-host needs --system or --user" ;;
	esac
	mkdir_p "$ROOT$dir"
	tmp=$(mktemp "$ROOT$dir/.ukeylink-host.XXXXXX")
	cp -- "$HOST" "$tmp"
	chmod 0755 "$tmp"
	mv -f -- "$tmp" "$ROOT$dir/ukeylink-host"
	echo "f $ROOT$dir/ukeylink-host" >>"$NEW_RECORD"
	HOST_REGISTERED=$dir/ukeylink-host
	say "copied $HOST to $ROOT$HOST_REGISTERED"
}

install_default_config() {	# system scope: never overwrites a config
	conf=$ROOT/etc/ukeylink/config.json
	[ ! -e "$conf" ] || return 0
	# In the source tree: manifests/config.json; installed:
	# share/ukeylink/config.example.json next to manifests/.
	[ -f "$TEMPLATES/config.json" ] && src=$TEMPLATES/config.json ||
	    src=$TEMPLATES/../config.example.json
	[ -f "$src" ] || return 0
	mkdir_p "$ROOT/etc/ukeylink"
	cp -- "$src" "$conf"
	chmod 0644 "$conf"
	echo "f $conf" >>"$NEW_RECORD"
	say "installed default configuration $conf"
}

resolve_host() {
	if [ -z "$HOST" ]; then
		for h in "$HERE/ukeylink-host" "$HERE/../../libexec/ukeylink/ukeylink-host"; do
			[ -x "$h" ] && { HOST=$h; break; }
		done
		[ -n "$HOST" ] || die "--host PATH is required"
	fi
	case $HOST in /*) ;; *) HOST=$(pwd)/$HOST ;; esac
	# A path inside --root is registered as seen from the new root.
	[ -f "$HOST" ] && [ -x "$HOST" ] ||
	    [ -x "$ROOT$HOST" ] || die "--host '$HOST': not an executable file"
	json_string_ok "$HOST" || die "--host '$HOST': unsupported characters"
	HOST_REGISTERED=$HOST
}

# ---- main ---------------------------------------------------------------
scope_targets() {	# prints "template dir" lines for SCOPE [PROFILE-DIR]
	case $1 in
	system)
		wants chrome && echo "chromium.json.in $ROOT/etc/opt/chrome/native-messaging-hosts"
		wants chromium && echo "chromium.json.in $ROOT/etc/chromium/native-messaging-hosts"
		wants edge && echo "chromium.json.in $ROOT/etc/opt/edge/native-messaging-hosts"
		wants firefox && echo "firefox.json.in $ROOT/usr/lib/mozilla/native-messaging-hosts"
		;;
	user)
		h=$ROOT$(user_home)
		wants chrome && echo "chromium.json.in $h/.config/google-chrome/NativeMessagingHosts"
		wants chromium && echo "chromium.json.in $h/.config/chromium/NativeMessagingHosts"
		wants edge && echo "chromium.json.in $h/.config/microsoft-edge/NativeMessagingHosts"
		wants firefox && echo "firefox.json.in $h/.mozilla/native-messaging-hosts"
		;;
	profile)
		echo "chromium.json.in $2/NativeMessagingHosts"
		;;
	esac
	return 0
}

run_scope() {	# run_scope SCOPE RECORD [PROFILE-DIR]
	scope=$1 OLD_RECORD=$2 pdir=${3:-}
	if [ "$UNINSTALL" = 1 ]; then
		uninstall_record "$OLD_RECORD"
		return 0
	fi
	NEW_RECORD=$(mktemp)
	[ -f "$OLD_RECORD" ] && cat "$OLD_RECORD" >"$NEW_RECORD"
	[ "$COPY_HOST" = 0 ] || install_host_copy
	[ "$scope" != system ] || install_default_config
	scope_targets "$scope" "$pdir" | while read -r tpl dir; do
		case $tpl in
		chromium.json.in) list=$(json_list 'chrome-extension://%s/' $CHROMIUM_IDS) ;;
		*) list=$(json_list '%s' $FIREFOX_IDS) ;;
		esac
		write_manifest "$tpl" "$dir" "$list"
	done
	mkdir_p "$(dirname "$OLD_RECORD")"
	# First occurrence wins: directories keep their creation order.
	awk '!seen[$0]++' "$NEW_RECORD" >"$OLD_RECORD.tmp"
	grep -qxF "f $OLD_RECORD" "$OLD_RECORD.tmp" || echo "f $OLD_RECORD" >>"$OLD_RECORD.tmp"
	mv -f -- "$OLD_RECORD.tmp" "$OLD_RECORD"
	chmod 0644 "$OLD_RECORD"
	rm -f "$NEW_RECORD"
}

if [ "$UNINSTALL" = 0 ]; then
	TEMPLATES=$(find_templates)
	load_ids
	resolve_host
fi
case $SCOPE in
system|user)
	run_scope "$SCOPE" "$(record_path "$SCOPE" "$SCOPE")"
	;;
profile)
	printf '%s\n' "$PROFILE_DIRS" | while IFS= read -r p; do
		[ -n "$p" ] || continue
		case $p in /*) ;; *) p=$(pwd)/$p ;; esac
		p=$ROOT$p
		run_scope profile "$(record_path profile "$p")" "$p"
	done
	;;
esac
