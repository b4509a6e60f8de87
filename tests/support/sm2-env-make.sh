#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes an SM2 PKCS#7 EnvelopedData without the host: `openssl pkeyutl
# -encrypt` (SM2, GM/T 0009 DER) for the content key, `openssl enc
# -sm4-cbc` for the content, and the small DER writer below for the
# structure (host/doc/token.md, "SM2 envelopes").
#   sm2-env-make.sh CONTENT CERT OUT WORKDIR [OPTION...]
# CERT: the recipient's certificate (PEM).  Options, for the tests of
# what the host must accept or refuse:
#   --key-len N   encrypt an N-byte content key (default 16; the content
#                 is then encrypted with the first 16 bytes, zero-filled)
#   --oid OID     key transport OID (default 1.2.156.10197.1.301.3)
#   --null-params keyEncryptionAlgorithm parameters NULL (default absent)
#   --ber         indefinite lengths, and the encrypted content as a
#                 constructed OCTET STRING of 1000-byte pieces (what a
#                 streaming producer writes)
#   --pad HEX     encrypt CONTENT ‖ HEX with no padding of openssl's (the
#                 whole must be SM4 blocks): bad padding
#   --flip-key    alter the last byte of the encrypted key (its C2)
set -euo pipefail
CONTENT=$1 CERT=$2 OUT=$3 W=$4
shift 4
keylen=16 oid=1.2.156.10197.1.301.3 null=0 ber=0 pad= flip=0
while [ $# -gt 0 ]; do
	case $1 in
	--key-len) keylen=$2; shift ;;
	--oid) oid=$2; shift ;;
	--null-params) null=1 ;;
	--ber) ber=1 ;;
	--pad) pad=$2; shift ;;
	--flip-key) flip=1 ;;
	*) echo "sm2-env-make: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$W"
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
head -c "$keylen" /dev/urandom >"$W/mk.key"
head -c 16 /dev/urandom >"$W/mk.iv"
head -c 16 /dev/zero >"$W/mk.sm4"
dd if="$W/mk.key" of="$W/mk.sm4" bs=16 count=1 conv=notrunc status=none
openssl x509 -in "$CERT" -noout -pubkey >"$W/mk.pub"
openssl x509 -in "$CERT" -outform DER -out "$W/mk.cert"
openssl pkeyutl -encrypt -pubin -inkey "$W/mk.pub" -in "$W/mk.key" \
    -out "$W/mk.ek"
if [ -n "$pad" ]; then
	{ cat "$CONTENT"; printf '%s' "$pad" | xxd -r -p; } >"$W/mk.padded"
	openssl enc -sm4-cbc -nopad -K "$(hex "$W/mk.sm4")" \
	    -iv "$(hex "$W/mk.iv")" -in "$W/mk.padded" -out "$W/mk.ct"
else
	openssl enc -sm4-cbc -K "$(hex "$W/mk.sm4")" -iv "$(hex "$W/mk.iv")" \
	    -in "$CONTENT" -out "$W/mk.ct"
fi
python3 - "$W" "$OUT" "$oid" "$null" "$ber" "$flip" <<'EOF'
import sys
w, out, oid_txt, null, ber, flip = sys.argv[1:7]
rd = lambda n: open(f"{w}/mk.{n}", "rb").read()

def tlv(b, i):  # (start of content, end) of the TLV at i
    n = b[i + 1]; j = i + 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[j:j + k], "big"); j += k
    return j, j + n

def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b

def der(tag, body):
    return bytes([tag]) + length(len(body)) + body

def cons(tag, body):  # constructed: definite, or indefinite with --ber
    return bytes([tag, 0x80]) + body + b"\0\0" if ber == "1" else \
        der(tag, body)

def oid(s):
    a = [int(x) for x in s.split(".")]
    body = bytes([40 * a[0] + a[1]])
    for v in a[2:]:
        enc = [v & 0x7f]
        v >>= 7
        while v:
            enc.insert(0, 0x80 | (v & 0x7f)); v >>= 7
        body += bytes(enc)
    return der(0x06, body)

# issuer and serial from the certificate's TBSCertificate
cert = rd("cert")
s, _ = tlv(cert, 0)
i, end = tlv(cert, s)
items = []
while i < end:
    _, e = tlv(cert, i); items.append(cert[i:e]); i = e
if items[0][0] == 0xa0:
    items = items[1:]
serial, issuer = items[0], items[2]
ek = bytearray(rd("ek"))
if flip == "1":
    ek[-1] ^= 0x01
ct = rd("ct")
kt_alg = der(0x30, oid(oid_txt) + (b"\x05\x00" if null == "1" else b""))
ktri = der(0x30, der(0x02, b"\0") + der(0x30, issuer + serial) + kt_alg +
    der(0x04, bytes(ek)))
sm4 = der(0x30, oid("1.2.156.10197.1.104.2") + der(0x04, rd("iv")))
if ber == "1":
    content = bytes([0xa0, 0x80]) + b"".join(der(0x04, ct[k:k + 1000])
        for k in range(0, len(ct), 1000)) + b"\0\0"
else:
    content = der(0x80, ct)
eci = cons(0x30, oid("1.2.840.113549.1.7.1") + sm4 + content)
env = cons(0x30, der(0x02, b"\0") + der(0x31, ktri) + eci)
open(out, "wb").write(cons(0x30, oid("1.2.840.113549.1.7.3") +
    cons(0xa0, env)))
EOF
