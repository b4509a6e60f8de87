#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks an SM2 CMS SignedData (DER) without OpenSSL's CMS code, with the
# openssl command's ASN.1 parser and SM2 verification only:
#   sm2-cms-check.sh CMS CONTENT PUBKEY WORKDIR
# - content type signedData, digest SM3 (1.2.156.10197.1.401), signature
#   algorithm SM2-with-SM3 (1.2.156.10197.1.501);
# - the signed attributes (the signer's [0], re-tagged as SET OF, 0x31)
#   hold contentType data and messageDigest = SM3(CONTENT);
# - the signature (the SignerInfo's last OCTET STRING) verifies over that
#   SET OF with SM2/SM3 and the GM/T 0009 default ID.
# Exit 0 when all hold; prints what failed otherwise.
set -euo pipefail
CMS=$1 CONTENT=$2 PUB=$3 W=$4
mkdir -p "$W"
fail() { echo "sm2-cms-check: $*" >&2; exit 1; }
openssl asn1parse -inform DER -in "$CMS" >"$W/cms.txt"
grep -q ':pkcs7-signedData$' "$W/cms.txt" || fail "not a signedData"
# The last [0] of the structure is the signer's signedAttrs (certificates
# and eContent come before signerInfos); the OBJECT before it is the
# SignerInfo's digestAlgorithm, the last OBJECT of all its
# signatureAlgorithm (no unsigned attributes).  The certificate's own
# SM2-with-SM3 must not count.
last0=$(grep -n 'cont \[ 0 \]' "$W/cms.txt" | tail -1 | cut -d: -f1)
head -n "$last0" "$W/cms.txt" | grep OBJECT | tail -1 |
    grep -q 'OBJECT *:sm3$' || fail "SignerInfo digest is not SM3"
grep OBJECT "$W/cms.txt" | tail -1 | grep -q 'OBJECT *:SM2-with-SM3$' ||
    fail "SignerInfo signature algorithm is not SM2-with-SM3"
line=$(sed -n "${last0}p" "$W/cms.txt")
off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
dd if="$CMS" of="$W/attrs.raw" bs=1 skip="$off" count=$((hl + len)) \
    status=none
{ printf '\061'; tail -c +2 "$W/attrs.raw"; } >"$W/attrs.der"
openssl asn1parse -inform DER -in "$W/attrs.der" >"$W/attrs.txt"
grep -q ':contentType$' "$W/attrs.txt" || fail "no contentType attribute"
grep -q ':pkcs7-data$' "$W/attrs.txt" || fail "contentType is not data"
md=$(grep -A2 ':messageDigest$' "$W/attrs.txt" | grep 'OCTET STRING' |
    sed 's/.*\[HEX DUMP\]://')
want=$(openssl dgst -sm3 -binary "$CONTENT" | od -An -tx1 -v |
    tr -d ' \n' | tr a-f A-F)
[ "$md" = "$want" ] || fail "messageDigest $md != SM3(content) $want"
grep 'OCTET STRING' "$W/cms.txt" | tail -1 | sed 's/.*\[HEX DUMP\]://' |
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(
        sys.stdin.read().strip()))' >"$W/sig.der"
openssl pkeyutl -verify -pubin -inkey "$PUB" -rawin -digest sm3 \
    -pkeyopt distid:1234567812345678 -in "$W/attrs.der" \
    -sigfile "$W/sig.der" >/dev/null || fail "SM2 signature does not verify"
