#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issues a certificate from a CSR with a CA of the test PKI.
#
#   tests/pki/issue.sh CADIR CSR OUT [openssl-ca options...]
#
# CADIR is a CA directory made by make-pki.sh (OUTDIR/inter-ca, root-ca,
# sm2-ca, foreign-ca).  OUT is PEM.  Options go to `openssl ca`, e.g.
#   -extensions gmt_printable|gmt_utf8|gmt_octet|leaf_plain|leaf_encrypt
#   -days N | -startdate YYYYMMDDHHMMSSZ -enddate ...   -md sm3
#   -subj /C=CN/O=...   (replaces the CSR's subject)
# Default: -extensions gmt_printable, 1825 days.
# AIA (caIssuers, OCSP) and CRL URLs are under $UK_PKI_BASE_URL (default
# http://pki.ukeylink.test).  Prints the serial (hex) on stdout.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 CADIR CSR OUT [ca options]" >&2; exit 2; }
ca=$1 csr=$2 out=$3
shift 3
export UK_PKI_BASE_URL=${UK_PKI_BASE_URL:-http://pki.ukeylink.test}
export UK_PKI_STRING_MASK=${UK_PKI_STRING_MASK:-utf8only}
ext=(-extensions gmt_printable)
for a in "$@"; do [ "$a" = -extensions ] && ext=(); done
openssl ca -batch -config "$ca/ca.cnf" -in "$csr" -out "$out.tmp" -notext \
    -utf8 -preserveDN "${ext[@]}" "$@" >&2
mv "$out.tmp" "$out"
openssl x509 -in "$out" -noout -serial | sed 's/^serial=//'
