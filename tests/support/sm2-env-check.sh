#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks an SM2 PKCS#7 EnvelopedData (DER) without the host and without
# OpenSSL's PKCS#7/CMS code: the openssl command's ASN.1 parser, SM2
# decryption and SM4 only.
#   sm2-env-check.sh ENVELOPE CONTENT KEY CERT WORKDIR
# KEY: the recipient's SM2 private key (PEM), CERT its certificate (PEM).
# - DER (no indefinite length) with exactly this shape (host/doc/token.md,
#   "SM2 envelopes"): envelopedData, version 0, one recipient (version 0,
#   issuer and serial of CERT, SM2 encryption 1.2.156.10197.1.301.3
#   without parameters, encryptedKey), content type data, SM4-CBC with a
#   16-byte IV, the ciphertext as [0];
# - the encryptedKey is GM/T 0009 DER that `openssl pkeyutl -decrypt`
#   turns into a 16-byte key with KEY;
# - `openssl enc -d -sm4-cbc` with that key and IV gives CONTENT.
# Exit 0 when all hold; prints what failed otherwise.
set -euo pipefail
ENV=$1 CONTENT=$2 KEY=$3 CERT=$4 W=$5
mkdir -p "$W"
fail() { echo "sm2-env-check: $*" >&2; exit 1; }
openssl asn1parse -inform DER -in "$ENV" >"$W/env.txt" ||
    fail "not DER"
! grep -q 'l=inf' "$W/env.txt" || fail "indefinite length (not DER)"
# The shape: depth, form, type, and the value of OBJECTs and INTEGERs;
# inside the issuer name (depth 7 and deeper) nothing is kept.
awk '{
	match($0, /d= *[0-9]+/); d = substr($0, RSTART + 2, RLENGTH - 2) + 0
	if (d > 6) next
	form = ($0 ~ / prim: /) ? "prim" : "cons"
	t = $0; sub(/.*(prim|cons): */, "", t); sub(/ *\[HEX DUMP\]/, "", t)
	v = ""; if (t ~ /^(OBJECT|INTEGER) /) { v = t; sub(/^[A-Z]+ *:/, "", v) }
	sub(/ *:.*/, "", t); sub(/ +$/, "", t)
	if (v != "") print d, form, t, v; else print d, form, t
}' "$W/env.txt" >"$W/shape.txt"
serial=$(openssl x509 -in "$CERT" -noout -serial | sed 's/^serial=//')
cat >"$W/want.txt" <<EOF
0 cons SEQUENCE
1 prim OBJECT pkcs7-envelopedData
1 cons cont [ 0 ]
2 cons SEQUENCE
3 prim INTEGER 00
3 cons SET
4 cons SEQUENCE
5 prim INTEGER 00
5 cons SEQUENCE
6 cons SEQUENCE
6 prim INTEGER $serial
5 cons SEQUENCE
6 prim OBJECT 1.2.156.10197.1.301.3
5 prim OCTET STRING
3 cons SEQUENCE
4 prim OBJECT pkcs7-data
4 cons SEQUENCE
5 prim OBJECT sm4-cbc
5 prim OCTET STRING
4 prim cont [ 0 ]
EOF
diff "$W/want.txt" "$W/shape.txt" >&2 || fail "unexpected structure"
bytes() {  # bytes FILE OFFSET COUNT
	dd if="$1" bs=65536 iflag=skip_bytes,count_bytes skip="$2" \
	    count="$3" status=none
}
# extract PATTERN N: the content of the Nth line matching PATTERN
extract() {
	local line off hl len
	line=$(grep -E "$1" "$W/env.txt" | sed -n "${2}p")
	[ -n "$line" ] || fail "no $1 #$2"
	off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
	hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
	len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
	bytes "$ENV" $((off + hl)) "$len"
}
# the issuer name as in the certificate (DER, byte for byte)
openssl x509 -in "$CERT" -outform DER -out "$W/cert.der"
openssl asn1parse -inform DER -in "$W/cert.der" >"$W/cert.txt"
name_of() {  # name_of ASN1TXT DERFILE PATTERN N: the whole TLV of the Nth match
	local line off hl len
	line=$(grep -E "$3" "$1" | sed -n "${4}p")
	off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$line")
	hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$line")
	len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$line")
	bytes "$2" "$off" $((hl + len))
}
# certificate: TBS's 2nd SEQUENCE at depth 2 is the issuer (after the
# signature algorithm); envelope: the first SEQUENCE at depth 6
name_of "$W/cert.txt" "$W/cert.der" 'd=2 .*cons: SEQUENCE' 2 >"$W/issuer.cert"
name_of "$W/env.txt" "$ENV" 'd=6 .*cons: SEQUENCE' 1 >"$W/issuer.env"
cmp -s "$W/issuer.cert" "$W/issuer.env" || fail "issuer differs from CERT's"
extract 'd=5 .*prim: OCTET STRING' 1 >"$W/ek.der"
extract 'd=5 .*prim: OCTET STRING' 2 >"$W/iv.bin"
extract 'd=4 .*prim: cont \[ 0 \]' 1 >"$W/ct.bin"
[ "$(wc -c <"$W/iv.bin")" -eq 16 ] || fail "IV is not 16 bytes"
openssl asn1parse -inform DER -in "$W/ek.der" >"$W/ek.txt" ||
    fail "encryptedKey is not DER"
openssl pkeyutl -decrypt -inkey "$KEY" -in "$W/ek.der" \
    -out "$W/key.bin" 2>/dev/null || fail "SM2 decryption of the key failed"
[ "$(wc -c <"$W/key.bin")" -eq 16 ] || fail "the SM4 key is not 16 bytes"
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
openssl enc -d -sm4-cbc -K "$(hex "$W/key.bin")" -iv "$(hex "$W/iv.bin")" \
    -in "$W/ct.bin" -out "$W/pt.bin" || fail "SM4-CBC decryption failed"
cmp -s "$W/pt.bin" "$CONTENT" || fail "decrypted content differs"
