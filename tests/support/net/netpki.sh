#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Test PKI for the network module (tests/unit/test_net.c, bench).
#
#   netpki.sh tls DIR        TLS CA + server certificate for 127.0.0.1
#   netpki.sh ca DIR BASE    revocation PKI whose AIA / CRL URLs start with
#                            BASE (e.g. http://127.0.0.1:PORT)
#
# Files land in DIR/static/ (served by netserver.mjs) and DIR/<ca>/ (CA
# directories used by `openssl ocsp` inside netserver.mjs).  Only the
# openssl command is used.  Leaves (DIR/static/<name>.der, .pem):
#   good revoked unknown      OCSP via BASE/ocsp/inter (+ CRL)
#   expiredresp wrongsigner   OCSP via BASE/static/expired.ocsp, /ocsp/wrong
#   crlgood crlrevoked        OCSP unreachable, CRL fallback
#   unreachable slow garbage truncated   OCSP only, misbehaving
#   crlexpired crlgarbage crlwrongsig    CRL only, misbehaving
#   norev                     neither OCSP nor CRL
#   p7                        caIssuers as PKCS#7 certs-only
#   sm2good sm2revoked        SM2 CA (sm3): OCSP / CRL
set -euo pipefail
MODE=$1 DIR=$2
export CADIR=$DIR MD=sha256
mkdir -p "$DIR/static"
cd "$DIR"
LOG=$DIR/openssl.log
ossl() { openssl "$@" 2>>"$LOG" >/dev/null || { cat "$LOG" >&2; exit 1; }; }

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = $ENV::MD
policy = policy_any
unique_subject = no
default_days = 365
default_crl_days = 2
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
CNF

genkey() {
	case $1 in
	rsa) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
	ec) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
	sm2) ossl genpkey -algorithm SM2 -out "$2" ;;
	esac
}

# selfca NAME KIND MD
selfca() {
	mkdir -p "$1/newcerts"; : >"$1/index.txt"; echo 1000 >"$1/serial"
	echo 01 >"$1/crlnumber"
	genkey "$2" "$1.key"
	ossl req -new -x509 -config ca.cnf -key "$1.key" -subj "/CN=UKeyLink Net Test $1" \
	    -days 3650 -extensions v3_ca "-$3" -out "$1.pem"
}

# issue CA NAME EXTFILE [KIND] [MD]: leaf NAME issued and indexed by CA
# (signed with -sigopt $SIGOPT when set).
# Leaves of a kind share one key and request (the subject is set by
# `openssl ca -subj`): process start-up is what costs here.
issue() {
	local ca=$1 name=$2 ext=$3 kind=${4:-ec} md=${5:-sha256}
	if [ ! -e "leaf-$kind.csr" ]; then
		genkey "$kind" "leaf-$kind.key"
		ossl req -new -config ca.cnf -key "leaf-$kind.key" -subj "/CN=leaf" \
		    "-$md" -out "leaf-$kind.csr"
	fi
	CADIR=$DIR/$ca MD=$md ossl ca -batch -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" \
	    -in "leaf-$kind.csr" -subj "/CN=$name" -out "$name.pem" -extfile "$ext" \
	    -extensions ext -notext -md "$md" ${SIGOPT:+-sigopt "$SIGOPT"}
	cp "$name.pem" "static/$name.pem"
	ossl x509 -in "$name.pem" -outform DER -out "static/$name.der"
}

# ext FILE AIA CDP: an extension file (empty AIA/CDP: left out)
ext() {
	{
		echo "[ ext ]"
		echo "basicConstraints = CA:false"
		echo "keyUsage = critical,digitalSignature"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid"
		if [ -n "$2" ]; then echo "authorityInfoAccess = $2"; fi
		if [ -n "$3" ]; then echo "crlDistributionPoints = $3"; fi
	} >"$1"
}

crl() {  # crl CA OUT MD [extra args]
	local ca=$1 out=$2 md=$3; shift 3
	CADIR=$DIR/$ca MD=$md ossl ca -gencrl -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" \
	    -md "$md" -out "$out.pem" "$@"
	ossl crl -in "$out.pem" -outform DER -out "$out"
}

if [ "$MODE" = tls ]; then
	export CADIR=$DIR/tlsca MD=sha256
	selfca tlsca rsa sha256
	genkey rsa server.key
	printf '[ ext ]\nbasicConstraints = CA:false\nsubjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n' >server.ext
	ossl req -new -config ca.cnf -key server.key -subj /CN=127.0.0.1 -out server.csr
	ossl x509 -req -in server.csr -CA tlsca.pem -CAkey tlsca.key -set_serial 0x51 \
	    -days 30 -extfile server.ext -extensions ext -out server.pem
	exit 0
fi

BASE=$3
export MD=sha256
selfca root rsa sha256
selfca foreign rsa sha256
# Intermediate, issued by root, pointing at root's CRL and certificate.
genkey rsa inter.key
ossl req -new -config ca.cnf -key inter.key -subj "/CN=UKeyLink Net Test inter" -out inter.csr
printf '[ ext ]\nbasicConstraints = critical,CA:true,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\nauthorityInfoAccess = caIssuers;URI:%s/static/root.der\ncrlDistributionPoints = URI:%s/static/root.crl\n' "$BASE" "$BASE" >inter.ext
CADIR=$DIR/root ossl ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in inter.csr \
    -out inter.pem -extfile inter.ext -extensions ext -notext -days 3000
mkdir -p inter/newcerts; : >inter/index.txt; echo 2000 >inter/serial; echo 01 >inter/crlnumber
for c in root inter foreign; do
	cp "$c.pem" "static/$c.pem"; ossl x509 -in "$c.pem" -outform DER -out "static/$c.der"
done
ossl crl2pkcs7 -nocrl -certfile inter.pem -outform DER -out static/inter.p7c

CAI="caIssuers;URI:$BASE/static/inter.der"
DEAD=http://127.0.0.1:1/ocsp
ext e_full "OCSP;URI:$BASE/ocsp/inter,$CAI" "URI:$BASE/static/inter.crl"
ext e_expired "OCSP;URI:$BASE/static/expired.ocsp,$CAI" ""
ext e_wrong "OCSP;URI:$BASE/ocsp/wrong,$CAI" ""
ext e_fallback "OCSP;URI:$DEAD,$CAI" "URI:$BASE/static/inter.crl"
ext e_unreach "OCSP;URI:$DEAD,$CAI" ""
ext e_slow "OCSP;URI:$BASE/slow,$CAI" ""
ext e_garbage "OCSP;URI:$BASE/garbage,$CAI" ""
ext e_trunc "OCSP;URI:$BASE/truncated,$CAI" ""
ext e_crlexp "$CAI" "URI:$BASE/static/inter-stale.crl"
ext e_crlgarb "$CAI" "URI:$BASE/garbage"
ext e_crlwrong "$CAI" "URI:$BASE/static/foreign.crl"
ext e_norev "$CAI" ""
ext e_p7 "OCSP;URI:$BASE/ocsp/inter,caIssuers;URI:$BASE/static/inter.p7c" ""

issue inter good e_full
issue inter revoked e_full
issue inter expiredresp e_expired
issue inter wrongsigner e_wrong
issue inter crlgood e_fallback
issue inter crlrevoked e_fallback
issue inter unreachable e_unreach
issue inter slow e_slow
issue inter garbage e_garbage
issue inter truncated e_trunc
issue inter crlexpired e_crlexp
issue inter crlgarbage e_crlgarb
issue inter crlwrongsig e_crlwrong
issue inter norev e_norev
issue inter p7 e_p7
# unknown: signed by inter but never entered in its index.
ossl x509 -req -in leaf-ec.csr -CA inter.pem -CAkey inter.key -set_serial 0x7777 -days 365 \
    -subj /CN=unknown -extfile e_full -extensions ext -out unknown.pem
cp unknown.pem static/; ossl x509 -in unknown.pem -outform DER -out static/unknown.der

for n in revoked crlrevoked; do
	CADIR=$DIR/inter ossl ca -config ca.cnf -cert inter.pem -keyfile inter.key -revoke "$n.pem" \
	    -crl_reason keyCompromise
done
crl inter static/inter.crl sha256
crl inter static/inter-stale.crl sha256 -crl_lastupdate 20200101000000Z -crl_nextupdate 20200102000000Z
crl root static/root.crl sha256
crl foreign static/foreign.crl sha256

# SM2 CA signing with SM3: OCSP (good) and CRL (revoked).
export MD=sm3
selfca sm2ca sm2 sm3
cp sm2ca.pem static/; ossl x509 -in sm2ca.pem -outform DER -out static/sm2ca.der
ext e_sm2o "OCSP;URI:$BASE/ocsp/sm2ca" "URI:$BASE/static/sm2ca.crl"
ext e_sm2c "" "URI:$BASE/static/sm2ca.crl"
# sm2good and its OCSP answers: OpenSSL 3.0's default (empty) signer ID;
# sm2revoked and the CRL: GM/T 0009's default ID, as GM/T 0015 CAs sign.
GMT_ID=distid:1234567812345678
issue sm2ca sm2good e_sm2o sm2 sm3
SIGOPT=$GMT_ID issue sm2ca sm2revoked e_sm2c sm2 sm3
CADIR=$DIR/sm2ca ossl ca -config ca.cnf -cert sm2ca.pem -keyfile sm2ca.key -revoke sm2revoked.pem
crl sm2ca static/sm2ca.crl sm3 -sigopt "$GMT_ID"
cat root.pem >anchors.pem
cat sm2ca.pem >>anchors.pem
echo ok
