#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Starts the host a native-messaging manifest names, the way the browser
does (Chromium: argv [path, "chrome-extension://ID/"]; Firefox: [path,
manifest path, add-on id]), sends one framed host.version request and
prints the framed reply.  Exit 0 when the reply has a result.
usage: nmcall.py MANIFEST chromium|firefox [CALLER-OVERRIDE]"""
import json
import struct
import subprocess
import sys

manifest_path, kind = sys.argv[1], sys.argv[2]
m = json.load(open(manifest_path))
if kind == "chromium":
    caller = sys.argv[3] if len(sys.argv) > 3 else m["allowed_origins"][0]
    argv = [m["path"], caller]
else:
    caller = sys.argv[3] if len(sys.argv) > 3 else m["allowed_extensions"][0]
    argv = [m["path"], manifest_path, caller]
req = json.dumps({"id": 1, "method": "host.version", "params": {},
                  "origin": "https://issp.sheca.com"}).encode()
p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL)
try:
    p.stdin.write(struct.pack("=I", len(req)) + req)
    p.stdin.flush()
    head = p.stdout.read(4)
    reply = json.loads(p.stdout.read(struct.unpack("=I", head)[0])) \
        if len(head) == 4 else None
finally:
    p.stdin.close()
    p.wait(timeout=10)
print(json.dumps(reply))
sys.exit(0 if reply and "result" in reply else 1)
