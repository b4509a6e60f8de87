#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the shared test PKI in OUTDIR (created; must be empty or absent):
# root and intermediate RSA CAs, an SM2 CA, a foreign CA, "法人一证通"-style
# leaf certificates with Chinese subjects and the GM/T 0015 / SHECA
# extensions in several encodings, an expired, a revoked and a foreign leaf,
# CRLs, and CA directories that tests/pki/issue.sh can issue from later.
# Only the openssl command is used.  File names are fixed (README.md).
#
#   UK_PKI_BASE_URL  base of the AIA / CRL / OCSP URLs put in certificates
#                    (default http://pki.ukeylink.test; no trailing slash)
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
export UK_PKI_BASE_URL=${UK_PKI_BASE_URL:-http://pki.ukeylink.test}
P12PASS=ukpass12
export LC_ALL=C.UTF-8
export UK_PKI_STRING_MASK=utf8only

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -n "$(ls -A "$OUT")" ]; then
	echo "$0: $OUT is not empty" >&2
	exit 2
fi
cd "$OUT"

ossl() { openssl "$@" 2>>"$OUT/openssl.log" || { cat "$OUT/openssl.log" >&2; exit 1; }; }

# genkey KIND FILE: KIND is rsa, rsa3072, ec or sm2.
genkey() {
	case $1 in
	rsa) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
	rsa3072) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$2" ;;
	ec) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -pkeyopt ec_param_enc:named_curve -out "$2" ;;
	sm2) ossl genpkey -algorithm SM2 -out "$2" ;;
	esac
}

# mkcadir NAME: a CA directory NAME/ for `openssl ca` with its config.
# The intermediate's serials have the top bit set and hex letters (DER adds
# a 00 byte; SafeEngine shows them as upper-case hex without it).
mkcadir() {
	local d=$OUT/$1
	mkdir -p "$d/newcerts"
	: >"$d/index.txt"
	echo "unique_subject = no" >"$d/index.txt.attr"
	case $1 in
	inter-ca) echo 9F3B2C4D5E6F708192A3B4C5D6E7F0A0 >"$d/serial" ;;
	*) echo 1000 >"$d/serial" ;;
	esac
	echo 01 >"$d/crlnumber"
	sed -e "s|@DIR@|$d|g" -e "s|@NAME@|$1|g" "$HERE/ca.cnf.in" >"$d/ca.cnf"
}

# Self-signed CA: selfca NAME KEYKIND DIGEST SUBJECT
selfca() {
	mkcadir "$1"
	genkey "$2" "$1/key.pem"
	ossl req -new -config "$1/ca.cnf" -utf8 -key "$1/key.pem" -subj "$4" \
	    -out "$1/req.pem" "-$3"
	ossl ca -batch -config "$1/ca.cnf" -selfsign -keyfile "$1/key.pem" \
	    -in "$1/req.pem" -out "$1/cert.pem" -extensions v3_root -utf8 \
	    -notext -md "$3" -startdate 20250101000000Z \
	    -enddate 20450101000000Z
	cp "$1/cert.pem" "$1.pem"
	ossl x509 -in "$1.pem" -outform DER -out "$1.der"
}

# Leaf: leaf NAME CADIR KEYKIND DIGEST EXTSECTION SUBJECT [ca args...]
leaf() {
	local name=$1 ca=$2 kind=$3 md=$4 ext=$5 subj=$6
	shift 6
	genkey "$kind" "$name.key"
	ossl req -new -config "$HERE/req.cnf" -utf8 -key "$name.key" \
	    -subj "$subj" -out "$name.csr" "-$md"
	"$HERE/issue.sh" "$ca" "$name.csr" "$name.pem" -extensions "$ext" \
	    -md "$md" "$@" 2>>"$OUT/openssl.log" >/dev/null
	ossl x509 -in "$name.pem" -outform DER -out "$name.der"
	cat "$name.pem" "$ca/cert.pem" >"$name.chain.pem"
	ossl pkcs12 -export -inkey "$name.key" -in "$name.pem" \
	    -name "$name" -passout "pass:$P12PASS" -out "$name.p12"
}

SUBJ1='/C=CN/ST=上海市/L=上海市/O=上海测试有限公司/OU=法人一证通/CN=上海测试有限公司/emailAddress=admin@test1.example.cn'
SUBJ2='/C=CN/ST=上海市/L=上海市/O=上海第二测试有限公司/OU=财务部/CN=上海第二测试有限公司/emailAddress=finance@test2.example.cn'

# CAs.
selfca root-ca rsa3072 sha256 '/C=CN/O=UKeyLink 测试/OU=Test PKI/CN=UKeyLink Test Root CA'
mkcadir inter-ca
genkey rsa inter-ca/key.pem
ossl req -new -config inter-ca/ca.cnf -utf8 -key inter-ca/key.pem \
    -subj '/C=CN/O=UKeyLink 测试/OU=Test PKI/CN=UKeyLink Test Issuing CA' \
    -out inter-ca/req.pem
"$HERE/issue.sh" root-ca inter-ca/req.pem inter-ca/cert.pem \
    -extensions v3_inter -days 7300 2>>"$OUT/openssl.log" >/dev/null
cp inter-ca/cert.pem inter-ca.pem
ossl x509 -in inter-ca.pem -outform DER -out inter-ca.der
selfca sm2-ca sm2 sm3 '/C=CN/O=UKeyLink 测试/OU=Test PKI/CN=UKeyLink Test SM2 CA'
selfca foreign-ca rsa sha256 '/C=US/O=Foreign Test Org/CN=Foreign Test CA'
cat inter-ca.pem root-ca.pem >chain.pem

# Leaves.
leaf leaf-rsa inter-ca rsa sha256 gmt_printable "$SUBJ1"
leaf leaf-ec inter-ca ec sha256 gmt_utf8 "$SUBJ1"
# Older issuers: subject strings as BMPString (PrintableString for ASCII).
UK_PKI_STRING_MASK=default leaf leaf-company2 inter-ca rsa sha256 gmt_octet \
    "$SUBJ2"
leaf leaf-sm2 sm2-ca sm2 sm3 gmt_printable "$SUBJ1"
# Signed as GM/T 0015 CAs sign (SM2 with the GM/T 0009 default ID); OpenSSL
# 3.0's own default, above, is an empty ID.
leaf leaf-sm2-gmt sm2-ca sm2 sm3 gmt_printable "$SUBJ1" \
    -sigopt distid:1234567812345678
leaf leaf-expired inter-ca rsa sha256 gmt_printable "$SUBJ1" \
    -startdate 20200101000000Z -enddate 20210101000000Z
leaf leaf-revoked inter-ca rsa sha256 gmt_printable "$SUBJ1"
leaf leaf-foreign foreign-ca rsa sha256 gmt_printable "$SUBJ1"
leaf leaf-plain inter-ca rsa sha256 leaf_plain \
    '/C=CN/O=上海测试有限公司/CN=张三'

# Revocation data: leaf-revoked is on the intermediate's CRL.
ossl ca -batch -config inter-ca/ca.cnf -revoke leaf-revoked.pem \
    -crl_reason keyCompromise
for ca in root-ca inter-ca sm2-ca; do
	md=sha256; [ $ca = sm2-ca ] && md=sm3
	ossl ca -batch -config $ca/ca.cnf -gencrl -md $md -crldays 3650 \
	    -out $ca.crl.pem
	ossl crl -in $ca.crl.pem -outform DER -out $ca.crl
done
rm -f openssl.log ./*.csr
echo "$UK_PKI_BASE_URL" >base-url.txt
