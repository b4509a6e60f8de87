#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates a SoftHSM2 test token in DIR (softhsm-token.sh DIR):
#   DIR/softhsm2.conf       SOFTHSM2_CONF for the token
#   DIR/pki/                test CA, keys and certificates (PEM and DER)
# Token "UKeyLink Test", user PIN 12345678, SO PIN 87654321, objects:
#   id 01  RSA-2048 key pair + leaf-rsa (company 1, Chinese subject,
#          GM/T 0015 + SHECA extensions as PrintableString)
#   id 02  EC P-256 key pair + leaf-ec (UTF8String values)
#   id 03  RSA-2048 key pair + leaf-company2 (values in OCTET STRINGs)
#   id 0a  the root CA certificate (no key)
# Keys and certificates come from tests/pki/make-pki.sh (see its README);
# DIR/pki/{rsa,ec,co2}.{key,pub,pem,der} are copies under short names,
# ca.pem is the chain (issuing + root CA).
set -euo pipefail
DIR=$1
MODULE=${UK_SOFTHSM_MODULE:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}
PIN=12345678; SOPIN=87654321
mkdir -p "$DIR/tokens"
cat >"$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF=$DIR/softhsm2.conf
P=$DIR/pki
# The shared test PKI (tests/pki/make-pki.sh, x509 engineer's) under the
# short names the token tests use.
bash "$(dirname "$0")/../pki/make-pki.sh" "$P" >/dev/null
for pair in rsa:leaf-rsa ec:leaf-ec co2:leaf-company2; do
  short=${pair%%:*}; long=${pair#*:}
  cp "$P/$long.key" "$P/$short.key"; cp "$P/$long.pem" "$P/$short.pem"
  cp "$P/$long.der" "$P/$short.der"
  openssl pkey -in "$P/$short.key" -pubout -out "$P/$short.pub" 2>/dev/null
done
cp "$P/chain.pem" "$P/ca.pem"; cp "$P/root-ca.der" "$P/ca.der"
softhsm2-util --init-token --free --label "UKeyLink Test" --so-pin $SOPIN --pin $PIN >/dev/null
w() { pkcs11-tool --module "$MODULE" --token-label "UKeyLink Test" --login --pin $PIN \
        --write-object "$1" --type "$2" --id "$3" --label "$4" "${@:5}" >/dev/null 2>&1; }
w "$P/rsa.key" privkey 01 "张三 签名"
w "$P/rsa.pub" pubkey 01 "张三 签名"
w "$P/rsa.der" cert 01 "张三 签名"
w "$P/ec.key" privkey 02 "李四 EC" --usage-sign --usage-derive
w "$P/ec.pub" pubkey 02 "李四 EC"
w "$P/ec.der" cert 02 "李四 EC"
w "$P/co2.key" privkey 03 "第二公司"
w "$P/co2.pub" pubkey 03 "第二公司"
w "$P/co2.der" cert 03 "第二公司"
w "$P/ca.der" cert 0a "Test CA"
