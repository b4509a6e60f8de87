#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates the state directory of the PKCS#11 test token
# (tests/support/p11test/p11test.c) in DIR (p11test-token.sh DIR):
#   DIR/pki/     the shared test PKI (tests/pki/make-pki.sh)
#   DIR/token/   UK_P11TEST_DIR for the module:
#     pin 12345678, so-pin 87654321, label "UKeyLink SM2 Test"
#     01.key/.pem  SM2 key + leaf-sm2 (company 1, Chinese subject, GM/T 0015
#                  extensions, issued by the SM2 CA with SM3withSM2)
#     02.key/.pem  EC P-256 key + leaf-ec
# DIR/pki/{sm2,ec}.pub are the public keys (for openssl verify commands).
set -euo pipefail
DIR=$1
P=$DIR/pki
T=$DIR/token
mkdir -p "$T"
bash "$(dirname "$0")/../pki/make-pki.sh" "$P" >/dev/null
cp "$P/leaf-sm2.key" "$T/01.key"; cp "$P/leaf-sm2.pem" "$T/01.pem"
printf '上海测试 SM2 签名' >"$T/01.label"
cp "$P/leaf-ec.key" "$T/02.key"; cp "$P/leaf-ec.pem" "$T/02.pem"
printf '李四 EC' >"$T/02.label"
openssl pkey -in "$P/leaf-sm2.key" -pubout -out "$P/sm2.pub" 2>/dev/null
openssl pkey -in "$P/leaf-ec.key" -pubout -out "$P/ec.pub" 2>/dev/null
echo 12345678 >"$T/pin"
echo 87654321 >"$T/so-pin"
echo "UKeyLink SM2 Test" >"$T/label"
