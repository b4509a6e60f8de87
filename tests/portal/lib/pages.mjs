// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The replica's pages. Token steps exist in the two page-code styles of the
// real portal: "ie" (a SafeEngineCtl <object>, synchronous calls, ErrorCode
// checks) and "async" (SHECA's non-IE branch: new UCCGetPluggedeKey(),
// new SEH_xxx(...).then). Steps without a SafeEngine method use the
// extension's portal API, window.UKeyLink.call(method, params).

import { NUMBER_FIELDS } from "./oids.mjs";

export const CLSID = "CLSID:B48B9648-E9F0-48A3-90A5-8C588CE0898F";
const OBJECT = `<object id="SafeEngineCtl" classid="${CLSID}" width="0" height="0"></object>`;

export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

/** JSON for a <script> block. */
function data(o) {
  return JSON.stringify(o).replace(/</g, "\\u003c");
}

function layout(title, style, body, { object = false, script = "" } = {}) {
  const other = style === "ie" ? "async" : "ie";
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(title)} - 证书自助服务门户</title>
<link rel="stylesheet" href="/static/style.css">
</head><body data-style="${esc(style)}">
${object ? OBJECT : ""}
<div class="top"><span class="brand">上海市数字证书认证中心 · 证书自助服务门户</span>
<span class="hot">客服热线 021-962600</span></div>
<div class="nav"><a href="/${esc(style)}/">首页</a> · <a href="/download">驱动下载</a> ·
<span class="style">页面版本：${style === "ie" ? "IE 控件版 (SafeEngineCtl)" : "非IE版 (异步接口)"}</span>
<a id="switch-style" href="/${other}/">切换到${other === "ie" ? "IE 控件版" : "非IE版"}</a></div>
<div class="main"><h1>${esc(title)}</h1>
${body}
<div id="status" data-state="idle"></div>
<ol id="log"></ol>
</div>
<script src="/static/portal.js"></script>
${script}
</body></html>`;
}

export function home(style) {
  const s = esc(style);
  return layout("首页", style, `
<div class="tiles">
  <a class="tile" id="go-renew" href="/${s}/login?next=renew">证书更新</a>
  <a class="tile" id="go-change" href="/${s}/login?next=change">添加证件</a>
  <a class="tile" id="go-seal" href="/${s}/login?next=seal">印章申请</a>
  <a class="tile" id="go-unlock" href="/${s}/unlock">介质解锁</a>
  <a class="tile" id="go-download" href="/download">驱动下载</a>
</div>
<div class="notice"><h3>特别提醒</h3><ul>
<li>此更新网站适用于本市所有法人单位的证书自助服务。</li>
<li>网站登录前请确认已经成功安装数字证书介质驱动与 UKeyLink 浏览器扩展。</li>
<li>证书有效期到期最多可以提前三个月进行更新。</li>
</ul><p>客服热线：<b>021-962600</b></p></div>
<div id="key-state">正在检测 usbkey……</div>`, { script: `<script>Portal.homeDetect();</script>` });
}

export function download() {
  return layout("驱动下载", "async", `
<p>请安装 UKeyLink：浏览器扩展与本地程序 (native host <code>cn.sheca.ukeylink</code>)。</p>
<ul><li>Linux：installer/linux/install.sh --user</li><li>Windows：UKeyLink.msi</li></ul>`);
}

const LOGIN_ASYNC = `<script>
// SHECA non-IE branch (as on the real pages)
function doLogin() {
  var f = document.forms.loginForm;
  var pin = document.getElementById("pin").value;
  if (!window.UCCGetPluggedeKey) { Portal.fail("未检测到证书控件，请安装 UKeyLink 扩展和本地程序"); return false; }
  Portal.status("busy", "正在登录……");
  new UCCGetPluggedeKey().then(function (r) {
    var list = r && r.DevPluggedTypeList;
    if (!list) { Portal.fail("未检测到 usbkey，请插入证书介质"); return; }
    var first = list.split(";")[0].split("$$");
    var devType = parseInt(first[0], 16);
    var devParam = first[1] && first[1].indexOf("2") >= 0 ? "com2" : "com1";
    Portal.log("检测到介质 类型 " + devType + " " + devParam);
    new SEH_GetSelfCertificate(devType, devParam, pin, "0", "", "", "", "0").then(function (cert) {
      Portal.log("已读取证书");
      new SEH_SignData(devType, devParam, pin, "0", "", "", "", f.random.value, "3", "0").then(function (sig) {
        Portal.log("已对登录随机数签名");
        f.cert.value = cert; f.signed.value = sig;
        f.submit();
      }, function (e) { Portal.fail("签名失败：" + Portal.errMsg(e), e); });
    }, function (e) { Portal.fail("读取证书失败：" + Portal.errMsg(e), e); });
  }, function (e) { Portal.fail("检测介质失败：" + Portal.errMsg(e), e); });
  return false;
}
</script>`;

const LOGIN_IE = `<script>
// IE branch (SafeEngineCtl ActiveX), synchronous with ErrorCode checks
function doLogin() {
  var f = document.forms.loginForm;
  var pin = document.getElementById("pin").value;
  SafeEngineCtl.SEH_InitialSession(0xa, "com1", pin, 0, 0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) {
    Portal.fail("初始化失败，错误码 " + SafeEngineCtl.ErrorCode + "：" + Portal.codeText(SafeEngineCtl.ErrorCode));
    SafeEngineCtl.SEH_ClearSession();
    return false;
  }
  SafeEngineCtl.SEH_SetConfiguration(0);
  var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) {
    Portal.fail("读取证书失败，错误码 " + SafeEngineCtl.ErrorCode + "：" + Portal.codeText(SafeEngineCtl.ErrorCode));
    SafeEngineCtl.SEH_ClearSession();
    return false;
  }
  var sig = SafeEngineCtl.SEH_SignData(f.random.value, 3);
  if (SafeEngineCtl.ErrorCode != 0) {
    Portal.fail("签名失败，错误码 " + SafeEngineCtl.ErrorCode + "：" + Portal.codeText(SafeEngineCtl.ErrorCode));
    SafeEngineCtl.SEH_ClearSession();
    return false;
  }
  SafeEngineCtl.SEH_ClearSession();
  f.cert.value = cert; f.signed.value = sig;
  f.submit();
  return false;
}
</script>`;

export function login(style, next, random, error) {
  const what = { renew: "证书更新", change: "添加证件", seal: "印章申请" }[next];
  return layout(`${what} - 登录`, style, `
<p>请插入待${next === "renew" ? "更新" : next === "change" ? "变更" : "申请印章"}的证书，输入证书密码，登录系统。</p>
${error ? `<p class="error" id="login-error">登录失败：${esc(error)}</p>` : ""}
<form name="loginForm" method="post" action="/login">
<input type="hidden" name="random" value="${esc(random)}">
<input type="hidden" name="cert"><input type="hidden" name="signed">
<input type="hidden" name="method" value="3">
<input type="hidden" name="next" value="${esc(next)}"><input type="hidden" name="style" value="${esc(style)}">
<label>证书密码：<input type="password" id="pin" autocomplete="off"></label>
<input type="button" id="login" value="登录" onclick="doLogin()">
</form>`, { object: style === "ie", script: (style === "ie" ? LOGIN_IE : LOGIN_ASYNC) +
    (error ? `<script>Portal.status("error", ${data("登录失败：" + error)});</script>` : "") });
}

function unitRows(view, unit, keys) {
  const label = Object.fromEntries(NUMBER_FIELDS);
  const rows = [["单位名称", unit.name, "unit-name"], ["证书种类名称", unit.kind, "unit-kind"]];
  for (const k of keys) rows.push([label[k], unit[k] || "（无）", "unit-" + k]);
  return `<table class="unit">${rows.map(([a, b, id]) => `<tr><th>${esc(a)}:</th><td id="${id}">${esc(b)}</td></tr>`).join("")}</table>`;
}

/** PIN check before a token operation, in the page's style. Defines checkPin(pin) → Promise. */
function pinCheck(style) {
  return style === "ie" ? `<script>
function checkPin(pin) {
  SafeEngineCtl.SEH_InitialSession(0xa, "com1", pin, 0, 0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) {
    var code = SafeEngineCtl.ErrorCode;
    SafeEngineCtl.SEH_ClearSession();
    return Promise.reject({ LastError: code });
  }
  var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
  SafeEngineCtl.SEH_ClearSession();
  return Promise.resolve(cert);
}
</script>` : `<script>
function checkPin(pin) {
  return new UCCGetPluggedeKey().then(function (r) {
    var first = (r.DevPluggedTypeList || "").split(";")[0].split("$$");
    if (!first[0]) throw { LastError: -2113667070 };
    var devType = parseInt(first[0], 16), devParam = first[1] && first[1].indexOf("2") >= 0 ? "com2" : "com1";
    return new SEH_InitialSession(devType, devParam, pin, "0", devType, devParam, "", "0");
  });
}
</script>`;
}

export function renew(style, view, unit, windowDays = 92) {
  const allowed = view.daysLeft <= windowDays;
  return layout("证书更新", style, `
<ol class="steps"><li>1 机构代码确认</li><li>2 社会保险号确认</li><li>3 单位公积金账号确认</li><li>4 确认提交</li></ol>
<p class="cert">当前证书序列号：<span id="cert-serial">${esc(view.serialShown)}</span>，有效期至
<span id="cert-notafter">${esc(view.notAfter)}</span>（剩余 ${view.daysLeft} 天）</p>
${allowed ? "" : `<p class="error" id="not-yet">证书有效期到期最多可以提前三个月进行更新，您的证书暂不需要更新。</p>`}
<section id="step1" class="step"><h2>请确认您单位的信息</h2>
${unitRows(view, unit, ["regNo", "taxNo", "orgCode"])}
<p class="hint">如果不一致，请带好公司统一信用代码证、办理人身份证及公章到受理点进行证书变更。</p>
<button id="next1" onclick="Portal.show('step2')" ${allowed ? "" : "disabled"}>下一步</button></section>
<section id="step2" class="step" hidden><h2>请核对社保证件信息</h2>${unitRows(view, unit, ["socialNo"])}
<button id="next2" onclick="Portal.show('step3')">下一步</button></section>
<section id="step3" class="step" hidden><h2>请核对公积金信息</h2>${unitRows(view, unit, ["fundNo"])}
<button id="next3" onclick="Portal.show('step4')">下一步</button></section>
<section id="step4" class="step" hidden><h2>最后确认用户信息</h2>
${unitRows(view, unit, ["regNo", "taxNo", "orgCode", "socialNo", "fundNo"])}
<table class="unit"><tr><th>更新有效期:</th><td><select id="period" onchange="Portal.fee()">
<option value="12">一年</option><option value="24">两年</option><option value="36" selected>三年</option></select></td></tr>
<tr><th>证书服务收费金额:</th><td><span id="fee">360</span> 元</td></tr>
<tr><th>付费状态:</th><td id="paid">${unit.certIndex >= 2 ? "未支付" : "免费"}</td></tr></table>
<button id="confirm" onclick="Portal.afterConfirm()">确认</button> <a href="/${esc(style)}/">返回</a></section>
<section id="pay" class="step" hidden><h2>请填写您的订单信息</h2>
<table class="unit"><tr><th>单位名称:</th><td>${esc(unit.name)}</td></tr><tr><th>证书种类名称:</th><td>${esc(unit.kind)}</td></tr>
<tr><th>更新月数:</th><td id="months">36</td></tr><tr><th>支付金额:</th><td><span id="amount">360</span> 元</td></tr>
<tr><th>收件人:</th><td><input id="recipient"></td></tr><tr><th>联系电话:</th><td><input id="phone"></td></tr>
<tr><th>发票邮寄地址:</th><td><input id="address"></td></tr><tr><th>邮编:</th><td><input id="postcode"></td></tr>
<tr><th>支付方式:</th><td><label><input type="radio" name="paymethod" value="wechat" checked>微信</label>
<label><input type="radio" name="paymethod" value="transfer">转账</label></td></tr></table>
<button id="pay-confirm" onclick="Portal.pay()">确认</button></section>
<section id="pinstep" class="step" hidden><h2>请输入证书密码，开始更新</h2>
<label>证书密码：<input type="password" id="pin" autocomplete="off"></label>
<button id="start" onclick="Portal.startEnroll('renew')">开始更新</button></section>
<section id="progress" class="step" hidden><h2 id="progress-title">证书更新中，请不要拔出 usbkey，耐心等待</h2>
<progress id="bar" max="100" value="0"></progress></section>
<section id="done" class="step" hidden><h2 id="done-title">开通应用更新成功</h2>
<table class="unit"><tr><th>新证书序列号:</th><td id="new-serial"></td></tr>
<tr><th>有效期:</th><td id="new-validity"></td></tr></table>
<button onclick="location.href='/${esc(style)}/'">确定</button></section>
<section id="retry" class="step" hidden><button id="retry-btn" onclick="Portal.startEnroll('renew')">重新更新</button></section>
<script>var PAGE = ${data({ style, serial: view.serial, certIndex: unit.certIndex, mode: "renew" })};</script>`,
  { object: style === "ie", script: pinCheck(style) });
}

export function change(style, view, unit, missing) {
  return layout("证书变更", style, `
<ol class="steps"><li id="st-cert">1 更新证书</li><li id="st-seal">2 更新印章</li><li id="st-app">3 开通应用</li></ol>
<p class="cert">当前证书序列号：<span id="cert-serial">${esc(view.serialShown)}</span>，有效期至 <span id="cert-notafter">${esc(view.notAfter)}</span></p>
<section id="tip" class="step"><p>注意：添加的证件号码以法人库查询到的为准。证书有效期不会改变。</p>
<button id="tip-ok" onclick="Portal.show('${missing.length ? "numbers" : "nothing"}')">确定</button></section>
<section id="nothing" class="step" hidden><p id="nothing-text">您的证书已包含法人库中的全部证件号码，无需变更。</p></section>
<section id="numbers" class="step" hidden><h2>确认新增的号码</h2>
<table class="unit" id="add-table">${missing.map((m) => `<tr><th>${esc(m.label)}:</th><td class="add" data-key="${esc(m.key)}">${esc(m.value)}</td>
<td>${m.current ? `（原：${esc(m.current)}）` : "（新增）"}</td></tr>`).join("")}</table>
<label>证书密码：<input type="password" id="pin" autocomplete="off"></label>
<button id="start" onclick="Portal.startEnroll('change')">确认</button></section>
<section id="progress" class="step" hidden><h2 id="progress-title">证书签发中，请耐心等待……</h2>
<progress id="bar" max="100" value="0"></progress></section>
<section id="done" class="step" hidden><h2 id="done-title">变更成功</h2>
<table class="unit"><tr><th>新证书序列号:</th><td id="new-serial"></td></tr>
<tr><th>有效期:</th><td id="new-validity"></td></tr></table><table class="unit" id="new-numbers"></table></section>
<section id="retry" class="step" hidden><button id="retry-btn" onclick="Portal.startEnroll('change')">重新变更</button></section>
<script>var PAGE = ${data({ style, serial: view.serial, mode: "change", missing })};</script>`,
  { object: style === "ie", script: pinCheck(style) });
}

const SEAL_STATUS = { none: "未申请印章", pending: "已提交申请，审核中", approved: "申请审核通过", installed: "印章已下载" };

export function seal(style, view, st) {
  return layout("印章申请", style, `
<h2>申请制章</h2>
<table class="unit">
<tr><th>电子印章申请状态:</th><td id="seal-status" data-status="${esc(st.status)}">${esc(SEAL_STATUS[st.status])}</td></tr>
<tr><th>单位名称:</th><td id="unit-name">${esc(view.name)}</td></tr>
<tr><th>证书序列号:</th><td id="cert-serial">${esc(view.serialShown)}</td></tr>
<tr><th>印章预览:</th><td><img id="seal-preview" alt="" ${st.image ? `src="data:image/png;base64,${esc(st.image)}"` : ""}></td></tr></table>
<section id="apply" ${st.status === "none" || st.status === "pending" ? "" : "hidden"}>
<p>请上传盖章图片 (PNG)：<input type="file" id="seal-file" accept="image/png" onchange="Portal.previewSeal()"></p>
<button id="seal-apply" onclick="Portal.applySeal()">申请印章</button></section>
<section id="download" ${st.status === "approved" || st.status === "installed" ? "" : "hidden"}>
<label>证书密码：<input type="password" id="pin" autocomplete="off"></label>
<button id="seal-download" onclick="Portal.downloadSeal()">下载印章</button></section>
<p><a href="/${esc(style)}/">返回首页</a></p>
<script>var PAGE = ${data({ style, serial: view.serial })};</script>`,
  { object: style === "ie", script: pinCheck(style) });
}

const DETECT_IE = `<script>
// IE branch: read what the key shows without a PIN
function detectKey() {
  var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) { Portal.noKey(SafeEngineCtl.ErrorCode); return; }
  var name = SafeEngineCtl.SEH_GetCertDetail(cert, 17);
  var serial = SafeEngineCtl.SEH_GetCertDetail(cert, 2);
  Portal.showKey({ name: name, serial: serial, cert: cert });
}
</script>`;

const DETECT_ASYNC = `<script>
function detectKey() {
  if (!window.UCCGetPluggedeKey) { Portal.noKey("未检测到证书控件，请安装 UKeyLink 扩展和本地程序"); return; }
  new UCCGetPluggedeKey().then(function (r) {
    var first = (r.DevPluggedTypeList || "").split(";")[0].split("$$");
    if (!first[0]) { Portal.noKey(-2113667070); return; }
    var devType = parseInt(first[0], 16), devParam = first[1] && first[1].indexOf("2") >= 0 ? "com2" : "com1";
    return new SEH_GetSelfCertificate(devType, devParam, "", "0", "", "", "", "0").then(function (cert) {
      return new SEH_GetCertDetail(devType, devParam, "", "0", "", "", "", cert, "17", "0").then(function (name) {
        return new SEH_GetCertDetail(devType, devParam, "", "0", "", "", "", cert, "2", "0").then(function (serial) {
          Portal.showKey({ name: name, serial: serial, cert: cert });
        });
      });
    });
  }).then(null, function (e) { Portal.noKey(e && e.LastError !== undefined ? e.LastError : Portal.errMsg(e)); });
}
</script>`;

export function unlock(style) {
  return layout("介质解锁", style, `
<div class="notice"><h3>特别告知</h3><ol>
<li>操作前请确认已经成功安装介质驱动与 UKeyLink。</li>
<li>若您的设备无法兼容新版驱动，请卸载新版驱动后，下载并安装旧版驱动。</li></ol>
<p>客服热线 021-962600 · <a href="/download">驱动下载</a></p></div>
<p>您好，欢迎使用介质解锁功能！</p>
<p>1：请将您需要解锁的Ukey插入电脑USB接口进行自动检测。</p><p>2：点击“提交申请”。</p>
<p class="hint">注：如遇到页面缓存问题显示不正确，可尝试刷新页面。</p>
<table class="unit" id="key-info">
<tr><th>介质类型：</th><td id="media-type"></td></tr>
<tr><th>证书名称：</th><td id="cert-name"></td></tr>
<tr><th>证书序列号：</th><td id="cert-serial"></td></tr>
<tr><th>证书有效期：</th><td id="cert-validity"></td></tr></table>
<button id="unlock-submit" onclick="Portal.submitUnlock()" disabled>提交申请</button>
<section id="submitted" hidden><p id="submitted-text">您的解锁申请已成功提交。</p>
<p>请尽快填写审核材料，通过邮件、邮寄或者传真方式递交至上海市数字证书认证中心进行审核。
*邮件Email: jy@sheca.com *传真号码：021-36393105</p>
<p>申请编号：<span id="unlock-id"></span>，审核状态：<span id="unlock-state">审核中</span></p></section>
<section id="approved" hidden><p>审核已通过，点击“介质解锁”直接重置密码，密码重置为8位数。</p>
<button id="unlock-apply" onclick="Portal.applyUnlock()">介质解锁</button></section>
<section id="newpin-box" hidden><p>解锁成功，新的证书密码（仅显示一次，请牢记）：</p><p class="pin" id="new-pin"></p></section>
<script>var PAGE = ${data({ style })};</script>`,
  { object: style === "ie", script: (style === "ie" ? DETECT_IE : DETECT_ASYNC) +
    `<script>window.addEventListener("load", function () { Portal.unlockInit(); });</script>` });
}

// ---- the government-site login pattern (/gov/) ----------------------

const GOV_IE = `<script>
function login() {
  var f = document.forms.LoginForm;
  var pwd = f.password.value;
  SafeEngineCtl.SEH_InitialSession(0xa, "com1", pwd, 0, 0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) {
    alert("初始化安全环境失败，请检查证书密码是否正确！错误码：" + SafeEngineCtl.ErrorCode);
    document.getElementById("msg").innerHTML = "初始化失败：" + SafeEngineCtl.ErrorCode + " " + Portal.codeText(SafeEngineCtl.ErrorCode);
    SafeEngineCtl.SEH_ClearSession();
    return;
  }
  SafeEngineCtl.SEH_SetConfiguration(0);
  var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
  if (SafeEngineCtl.ErrorCode != 0) {
    alert("获取证书失败！错误码：" + SafeEngineCtl.ErrorCode);
    SafeEngineCtl.SEH_ClearSession();
    return;
  }
  var org = SafeEngineCtl.SEH_GetCertDetail(cert, 14);
  var cn = SafeEngineCtl.SEH_GetCertDetail(cert, 17);
  var code = SafeEngineCtl.SEH_GetCertInfoByOID(cert, "1.2.156.10260.4.1.4");
  if (SafeEngineCtl.ErrorCode != 0) {
    alert("获取组织机构代码失败！错误码：" + SafeEngineCtl.ErrorCode);
    SafeEngineCtl.SEH_ClearSession();
    return;
  }
  var signed = SafeEngineCtl.SEH_SignData(f.random.value, 3);
  if (SafeEngineCtl.ErrorCode != 0) {
    alert("签名失败！错误码：" + SafeEngineCtl.ErrorCode);
    SafeEngineCtl.SEH_ClearSession();
    return;
  }
  SafeEngineCtl.SEH_ClearSession();
  f.cert.value = cert; f.signed.value = signed; f.org.value = org; f.cn.value = cn; f.orgCode.value = code;
  f.submit();
}
</script>`;

const GOV_ASYNC = `<script>
function login() {
  var f = document.forms.LoginForm;
  var pwd = f.password.value;
  var dt = 0xa, dp = "com1";
  function fail(what) {
    return function (e) {
      var code = e && e.LastError;
      alert(what + "！错误码：" + code);
      document.getElementById("msg").innerHTML = what + "：" + code + " " + Portal.codeText(code);
    };
  }
  new SEH_InitialSession(dt, dp, pwd, "0", dt, dp, "", "0").then(function () {
    return new SEH_SetConfiguration(dt, dp, pwd, "0", "", "", "", "0", "0");
  }).then(function () {
    return new SEH_GetSelfCertificate(dt, dp, pwd, "0", "", "", "", "0");
  }).then(function (cert) {
    f.cert.value = cert;
    return new SEH_GetCertDetail(dt, dp, pwd, "0", "", "", "", cert, "14", "0");
  }).then(function (org) {
    f.org.value = org;
    return new SEH_GetCertDetail(dt, dp, pwd, "0", "", "", "", f.cert.value, "17", "0");
  }).then(function (cn) {
    f.cn.value = cn;
    return new SEH_GetCertInfoByOID(dt, dp, pwd, "0", "", "", "", f.cert.value, "1.2.156.10260.4.1.4", "0");
  }).then(function (code) {
    f.orgCode.value = code;
    return new SEH_SignData(dt, dp, pwd, "0", "", "", "", f.random.value, "3", "0");
  }).then(function (signed) {
    f.signed.value = signed;
    f.submit();
  }, fail("登录失败"));
}
</script>`;

export function govLogin(style, random) {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>上海市法人一证通登录</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body data-style="${esc(style)}">
${style === "ie" ? OBJECT : ""}
<div class="main gov"><h1>法人一证通数字证书登录</h1>
<form name="LoginForm" method="post" action="/gov/login">
<input type="hidden" name="random" value="${esc(random)}">
<input type="hidden" name="cert"><input type="hidden" name="signed"><input type="hidden" name="method" value="3">
<input type="hidden" name="org"><input type="hidden" name="cn"><input type="hidden" name="orgCode">
<input type="hidden" name="style" value="${esc(style)}">
<p>请插入法人一证通，输入证书密码：<input type="password" name="password" id="password"></p>
<p><input type="button" id="btnLogin" value="登 录" onclick="login()"></p>
<p id="msg" class="error"></p></form></div>
<script src="/static/portal.js"></script>
${style === "ie" ? GOV_IE : GOV_ASYNC}
</body></html>`;
}

export function govResult(ok, d) {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${ok ? "登录成功" : "登录失败"}</title>
<link rel="stylesheet" href="/static/style.css"></head><body>
<div class="main gov"><h1 id="result" data-ok="${ok}">${ok ? "登录成功" : "登录失败"}</h1>
${ok ? `<table class="unit"><tr><th>单位名称:</th><td id="org">${esc(d.org)}</td></tr>
<tr><th>证书名称:</th><td id="cn">${esc(d.cn)}</td></tr>
<tr><th>组织机构代码:</th><td id="org-code">${esc(d.orgCode)}</td></tr>
<tr><th>证书序列号:</th><td id="serial">${esc(d.serial)}</td></tr></table>`
    : `<p class="error" id="reason">${esc(d.reason)}</p>`}
<p><a href="/gov/${esc(d.style)}/">返回</a></p></div></body></html>`;
}
