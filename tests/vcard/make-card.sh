#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make-card.sh DIR [PIN]: a test CA and an RSA-2048 signing certificate with
# a Chinese subject and GM/T 0015 extensions, imported with its key into an
# NSS database DIR/nssdb whose password (the virtual card's PIN) is PIN
# (default 12345678).  Also writes DIR/ca.pem, DIR/cert.pem, DIR/cert.der.
# Nickname of the certificate in the database: "ukcard".
set -euo pipefail
dir=$1; pin=${2:-12345678}
mkdir -p "$dir/nssdb"
cd "$dir"
cat >pki.cnf <<'CNF'
[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[dn]
C = CN
O = UKeyLink 测试CA
CN = UKeyLink 测试根证书
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_dn]
C = CN
ST = 上海
L = 上海市
O = 上海测试有限公司
OU = 信息部
CN = 上海测试有限公司
[leaf_ext]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth,emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.2.156.10260.4.1.3 = ASN1:UTF8String:310000000000001
1.2.156.10260.4.1.4 = ASN1:PRINTABLESTRING:91310000MA1FL0000X
1.2.156.10260.4.1.5 = ASN1:FORMAT:UTF8,OCTWRAP,UTF8String:91310000MA1FL0000X
1.2.156.112570.148 = ASN1:UTF8String:SH0000000001
CNF
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
  -days 3650 -config pki.cnf -extensions ca_ext -utf8 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout cert.key -out cert.csr \
  -config pki.cnf -subj "/C=CN/ST=上海/L=上海市/O=上海测试有限公司/OU=信息部/CN=上海测试有限公司" -utf8 2>/dev/null
openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out cert.pem -days 730 -extfile pki.cnf -extensions leaf_ext 2>/dev/null
openssl x509 -in cert.pem -outform DER -out cert.der
printf '%s\n' "$pin" >pin.txt
printf 'p12pass\n' >p12pass.txt
openssl pkcs12 -export -inkey cert.key -in cert.pem -name ukcard \
  -out cert.p12 -passout pass:p12pass
certutil -N -d sql:nssdb -f pin.txt
pk12util -i cert.p12 -d sql:nssdb -k pin.txt -w p12pass.txt >/dev/null
rm -f p12pass.txt cert.p12 cert.csr
