#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Removes what install.sh recorded for a scope: same options as install.sh
# (--system | --user | --profile-dir DIR, --root DIR, -q).
exec "$(dirname "$0")/install.sh" --uninstall "$@"
