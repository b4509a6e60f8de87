#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates a SoftHSM2 test token in DIR (softhsm-token.sh DIR):
#   DIR/softhsm2.conf       SOFTHSM2_CONF for the token
#   DIR/pki/                test CA, keys and certificates (PEM and DER)
# Token "UKeyLink Test", user PIN 12345678, SO PIN 87654321, objects:
#   id 01  RSA-2048 key pair + certificate (signing, Chinese subject,
#          GM/T 0015 + SHECA extensions)
#   id 02  EC P-256 key pair + certificate (second certificate)
#   id 0a  the CA certificate (no key)
# XXX: switch to the x509 engineer's tests/pki/ script once it is merged.
set -euo pipefail
DIR=$1
MODULE=${UK_SOFTHSM_MODULE:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}
PIN=12345678; SOPIN=87654321
mkdir -p "$DIR/tokens" "$DIR/pki"
cat >"$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF=$DIR/softhsm2.conf
P=$DIR/pki
cat >"$P/openssl.cnf" <<'CNF'
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[ dn ]
CN = placeholder
[ ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ sign ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyEncipherment
extendedKeyUsage = clientAuth,emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.2.156.10260.4.1.1 = ASN1:PRINTABLESTRING:310101199001011234
1.2.156.10260.4.1.2 = ASN1:UTF8String:SI-2026-0001
1.2.156.10260.4.1.3 = ASN1:PRINTABLESTRING:310000000012345
1.2.156.10260.4.1.4 = ASN1:PRINTABLESTRING:91310000MA1FL0000X
1.2.156.10260.4.1.5 = ASN1:OCTETSTRING:310000MA1FL0000X
1.2.156.112570.148 = ASN1:PRINTABLESTRING:SH0123456789
[ ec ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
o() { openssl "$@" 2>/dev/null; }
o req -x509 -new -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.pem" \
  -days 3650 -config "$P/openssl.cnf" -extensions ca -utf8 \
  -subj "/C=CN/O=UKeyLink Test CA/CN=UKeyLink Test Root"
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/rsa.key"
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/ec.key"
o req -new -key "$P/rsa.key" -out "$P/rsa.csr" -config "$P/openssl.cnf" -utf8 \
  -subj "/C=CN/ST=上海/L=上海市/O=上海测试有限公司/OU=信息部/CN=张三/emailAddress=zhangsan@example.cn"
o req -new -key "$P/ec.key" -out "$P/ec.csr" -config "$P/openssl.cnf" -utf8 \
  -subj "/C=CN/ST=上海/O=上海测试有限公司/CN=李四"
o x509 -req -in "$P/rsa.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -set_serial 0x1a2b3c4d \
  -days 730 -extfile "$P/openssl.cnf" -extensions sign -out "$P/rsa.pem"
o x509 -req -in "$P/ec.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -set_serial 0x0102 \
  -days 365 -extfile "$P/openssl.cnf" -extensions ec -out "$P/ec.pem"
for n in rsa ec ca; do o x509 -in "$P/$n.pem" -outform DER -out "$P/$n.der"; done
o pkey -in "$P/rsa.key" -pubout -out "$P/rsa.pub"
o pkey -in "$P/ec.key" -pubout -out "$P/ec.pub"
softhsm2-util --init-token --free --label "UKeyLink Test" --so-pin $SOPIN --pin $PIN >/dev/null
w() { pkcs11-tool --module "$MODULE" --token-label "UKeyLink Test" --login --pin $PIN \
        --write-object "$1" --type "$2" --id "$3" --label "$4" >/dev/null 2>&1; }
w "$P/rsa.key" privkey 01 "张三 签名"
w "$P/rsa.pub" pubkey 01 "张三 签名"
w "$P/rsa.der" cert 01 "张三 签名"
w "$P/ec.key" privkey 02 "李四 EC"
w "$P/ec.pub" pubkey 02 "李四 EC"
w "$P/ec.der" cert 02 "李四 EC"
w "$P/ca.der" cert 0a "Test CA"
