#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A SoftHSM2 token for the enroll tests:  enroll-token.sh DIR PKIDIR
#   DIR/softhsm2.conf, DIR/tokens/   token "UKeyLink Enroll", user PIN
#                                    12345678, SO PIN 87654321
#   id 01 "old"   tests/pki leaf-rsa key pair + certificate (company 1,
#                 every GM/T 0015 number)
#   id 02 "part"  the same key's company-1 certificate with only
#                 1.2.156.10260.4.1.1-3 (for self-service change) -- only
#                 when PART=1 in the environment (then id 01 is absent)
# PKIDIR is a directory made by tests/pki/make-pki.sh.
set -euo pipefail
DIR=$1 PKI=$2
MODULE=${UK_SOFTHSM_MODULE:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}
PIN=12345678 SOPIN=87654321
mkdir -p "$DIR/tokens"
cat >"$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF=$DIR/softhsm2.conf
softhsm2-util --init-token --free --label "UKeyLink Enroll" --so-pin $SOPIN \
    --pin $PIN >/dev/null
openssl pkey -in "$PKI/leaf-rsa.key" -pubout -out "$DIR/old.pub" 2>/dev/null
w() { pkcs11-tool --module "$MODULE" --token-label "UKeyLink Enroll" --login \
    --pin $PIN --write-object "$1" --type "$2" --id "$3" --label "$4" \
    >/dev/null 2>&1; }
if [ "${PART:-0}" = 1 ]; then
	cat >"$DIR/part.cnf" <<'CNF'
[ part ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
1.2.156.10260.4.1.1 = ASN1:PRINTABLESTRING:310101198001010011
1.2.156.10260.4.1.2 = ASN1:PRINTABLESTRING:SI3101010001
1.2.156.10260.4.1.3 = ASN1:PRINTABLESTRING:310000000000001
CNF
	openssl req -new -key "$PKI/leaf-rsa.key" -utf8 -subj \
	    "/C=CN/ST=上海市/L=上海市/O=上海测试有限公司/OU=法人一证通/CN=上海测试有限公司" \
	    -out "$DIR/part.csr" 2>/dev/null
	openssl x509 -req -in "$DIR/part.csr" -CA "$PKI/inter-ca/cert.pem" \
	    -CAkey "$PKI/inter-ca/key.pem" -set_serial 0x5A11 -days 365 \
	    -extfile "$DIR/part.cnf" -extensions part -outform DER \
	    -out "$DIR/part.der" 2>/dev/null
	w "$PKI/leaf-rsa.key" privkey 02 part
	w "$DIR/old.pub" pubkey 02 part
	w "$DIR/part.der" cert 02 part
else
	w "$PKI/leaf-rsa.key" privkey 01 old
	w "$DIR/old.pub" pubkey 01 old
	w "$PKI/leaf-rsa.der" cert 01 old
fi
