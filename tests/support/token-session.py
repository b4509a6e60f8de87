#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Drives one token session through the host (every token method once) for
# tests/run.d/token-valgrind.sh.  Usage: token-session.py DIR [WRAPPER...]
# with DIR from softhsm-token.sh (plus DIR/cfg.json) and UK_HOST set.
# Exits non-zero when a call gives an unexpected answer.
import subprocess, struct, json, os, sys, base64
env=dict(os.environ)
d=sys.argv[1]
env['UKEYLINK_CONFIG']=d+'/cfg.json'; env['XDG_CONFIG_HOME']='/nonexistent'
env['SOFTHSM2_CONF']=d+'/softhsm2.conf'
p=subprocess.Popen(sys.argv[2:]+[os.environ['UK_HOST'],'chrome-extension://abcdefghijklmnopabcdefghijklmnop/'],stdin=subprocess.PIPE,stdout=subprocess.PIPE,env=env)
i=0
def call(m,params):
    global i; i+=1
    b=json.dumps({"id":i,"method":m,"params":params,"origin":"https://issp.sheca.com"}).encode()
    p.stdin.write(struct.pack('=I',len(b))+b); p.stdin.flush()
    n=struct.unpack('=I',p.stdout.read(4))[0]; r=json.loads(p.stdout.read(n))
    print(m, 'ok' if 'result' in r else r['error']['name'])
    want_err = m == 'token.login' and params.get('pin') == '00000000'
    if ('error' in r) != want_err:
        sys.exit('unexpected answer to %s: %s' % (m, r))
    return r
tok=call("token.list",{})['result']['tokens'][0]['token']
certs=call("cert.list",{})['result']['certs']
call("token.login",{"token":tok,"pin":"00000000"})
call("token.login",{"token":tok,"pin":"12345678"})
for cid in ["01","02"]:
    for sch in (["pkcs1","pss"] if cid=="01" else ["ecdsa","ecdsa-raw"]):
        call("sign.data",{"token":tok,"certId":cid,"data":"AAAA","scheme":sch})
c=call("sign.cms",{"token":tok,"certId":"01","data":"AAAA"})['result']['cms']
call("sign.verifyCms",{"cms":c})
c=call("sign.cms",{"token":tok,"certId":"02","data":"AAAA","detached":True})['result']['cms']
call("sign.verifyCms",{"cms":c,"data":"AAAA"})
der=[x for x in certs if x['certId']=='01'][0]['der']
e=call("crypto.envelope",{"cert":der,"data":"AAAA"})['result']['envelope']
call("crypto.decrypt",{"token":tok,"certId":"01","envelope":e})
call("crypto.random",{"length":32,"token":tok})
call("token.changePin",{"token":tok,"oldPin":"12345678","newPin":"12345678"})
call("token.logout",{"token":tok})
p.stdin.close()
rc = p.wait()
print("host exit", rc)
sys.exit(rc)
