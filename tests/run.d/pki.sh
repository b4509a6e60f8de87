#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shared test PKI builds and is what tests/pki/README.md says it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/pki
UK_PKI_BASE_URL=http://127.0.0.1:1 bash tests/pki/make-pki.sh "$p"
v() { openssl verify -CAfile "$p/root-ca.pem" -untrusted "$p/inter-ca.pem" "$@"; }
for l in leaf-rsa leaf-ec leaf-company2 leaf-revoked leaf-plain; do
	v "$p/$l.pem" >/dev/null
done
openssl verify -CAfile "$p/sm2-ca.pem" "$p/leaf-sm2.pem" >/dev/null
! v "$p/leaf-expired.pem" >/dev/null 2>&1
! v "$p/leaf-foreign.pem" >/dev/null 2>&1
! v -crl_check -CRLfile "$p/inter-ca.crl.pem" "$p/leaf-revoked.pem" \
    >/dev/null 2>&1
v -crl_check -CRLfile "$p/inter-ca.crl.pem" "$p/leaf-rsa.pem" >/dev/null
text=$(openssl x509 -in "$p/leaf-rsa.pem" -noout -text -serial \
    -subject -nameopt utf8)
grep -q 'CA Issuers - URI:http://127.0.0.1:1/inter-ca.der' <<<"$text"
grep -q 'OCSP - URI:http://127.0.0.1:1/ocsp/inter-ca' <<<"$text"
grep -qx 'serial=9F3B2C4D5E6F708192A3B4C5D6E7F0A0' <<<"$text"
grep -q 'O=上海测试有限公司,' <<<"$text"
for l in leaf-rsa leaf-ec leaf-sm2; do
	openssl pkcs12 -in "$p/$l.p12" -passin pass:ukpass12 -noout
done
# issue.sh from a fresh CSR, with SM3 on the SM2 CA.
openssl genpkey -algorithm SM2 -out "$tmp/k.pem" 2>/dev/null
openssl req -new -key "$tmp/k.pem" -subj '/CN=再签发' -utf8 -sm3 \
    -out "$tmp/r.csr" 2>/dev/null
serial=$(bash tests/pki/issue.sh "$p/sm2-ca" "$tmp/r.csr" "$tmp/c.pem" \
    -md sm3 -extensions gmt_utf8 2>/dev/null)
[ -n "$serial" ]
openssl verify -CAfile "$p/sm2-ca.pem" "$tmp/c.pem" >/dev/null
echo "pki: ok"
