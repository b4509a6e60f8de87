// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The replica portal's own page code (not the extension). Token steps that
// have a SafeEngine method are written inline in each page, in its style;
// the steps that do not (key generation, certificate install, seals,
// unlock) use the extension's portal API window.UKeyLink.call().
(function () {
  "use strict";

  var CODE_TEXT = {
    "-2113667072": "装载动态库错误", "-2113667070": "读私钥设备错误（未插入 usbkey）",
    "-2113667069": "私钥密码错误", "-2113667060": "数字签名错误", "-2113667054": "证书已过期",
    "-2113667050": "证书已废除", "-2113667021": "没有OID对应的扩展项", "-2113667018": "私钥未载入",
    "-2113664001": "未安装 UKeyLink 本地程序", "-2113664004": "与 UKeyLink 本地程序的连接已断开",
    "-2113664005": "请求超时", "-2113664007": "本网站未被允许使用证书",
  };
  var INSTALL_HINT = "请安装 UKeyLink 本地程序（见“驱动下载”），安装后刷新页面。";

  function $(id) { return document.getElementById(id); }

  var Portal = {};
  window.Portal = Portal;

  Portal.log = function (text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    var log = $("log");
    if (log) log.appendChild(li);
    try { console.log("[portal] " + text); } catch (e) { /* ignore */ }
  };

  Portal.status = function (state, text) {
    var s = $("status");
    if (!s) return;
    s.setAttribute("data-state", state);
    s.textContent = text || "";
    s.className = state;
  };

  Portal.codeText = function (code) {
    return CODE_TEXT[String(code)] || "";
  };

  /** Readable text of whatever a call rejected with. */
  Portal.errMsg = function (e) {
    if (e === undefined || e === null) return "未知错误";
    if (typeof e === "string") return e;
    var parts = [];
    if (e.message) parts.push(e.message);
    var code = e.LastError !== undefined ? e.LastError : e.lastError !== undefined ? e.lastError : e.code;
    if (e.code && typeof e.code === "string" && e.code !== "HOST_ERROR") parts.push("[" + e.code + (e.hostName ? "/" + e.hostName : "") + "]");
    else if (e.hostName) parts.push("[" + e.hostName + "]");
    if (code !== undefined && code !== null) {
      parts.push("错误码 " + code);
      var t = Portal.codeText(code);
      if (t && (!e.message || e.message.indexOf(t) < 0)) parts.push(t);
    }
    if (e.name && e.name !== "Error") parts.push("(" + e.name + ")");
    if (!parts.length) { try { parts.push(JSON.stringify(e)); } catch (x) { parts.push(String(e)); } }
    var s = parts.join(" ");
    if (/NATIVE_HOST_NOT_FOUND|NativeHostNotFound|-2113664001|未安装/.test(s + " " + (e.code || "") + " " + (e.name || "")) && s.indexOf("驱动下载") < 0)
      s += "。" + INSTALL_HINT;
    return s;
  };

  Portal.fail = function (text, err) {
    Portal.log(text, "error");
    Portal.status("error", text);
    if (err) { try { console.error(err); } catch (e) { /* ignore */ } }
  };

  Portal.show = function (id) {
    var all = document.querySelectorAll("section.step");
    for (var i = 0; i < all.length; i++) all[i].hidden = all[i].id !== id;
  };

  Portal.post = function (url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}), credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
          return j;
        });
      });
  };

  Portal.get = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || ("HTTP " + r.status)); return j; });
    });
  };

  /** The extension's portal API. */
  Portal.uk = function (method, params) {
    if (!window.UKeyLink || typeof window.UKeyLink.call !== "function")
      return Promise.reject(new Error("未检测到 UKeyLink 浏览器扩展。" + INSTALL_HINT));
    return Promise.resolve(window.UKeyLink.call(method, params || {}));
  };

  function sameSerial(a, b) {
    return String(a || "").toUpperCase().replace(/[^0-9A-F]/g, "").replace(/^0+/, "") ===
      String(b || "").toUpperCase().replace(/[^0-9A-F]/g, "").replace(/^0+/, "");
  }

  /** {token, tokenInfo, cert} of the key holding serial (or the first certificate). */
  Portal.findKey = function (serial) {
    return Portal.uk("token.list", {}).then(function (r) {
      var tokens = (r && r.tokens) || [];
      if (!tokens.length) throw { LastError: -2113667070, message: "未检测到 usbkey，请插入证书介质" };
      return Portal.uk("cert.list", {}).then(function (cl) {
        var certs = (cl && cl.certs) || [];
        var found = null;
        for (var i = 0; i < certs.length; i++) {
          if (serial ? sameSerial(certs[i].serial, serial) : certs[i].hasKey !== false) { found = certs[i]; break; }
        }
        if (!found) throw new Error(serial ? "usbkey 中没有序列号为 " + serial + " 的证书，请插入登录时使用的证书" : "usbkey 中没有证书");
        var info = null;
        for (var j = 0; j < tokens.length; j++) if (tokens[j].token === found.token) info = tokens[j];
        return { token: found.token, tokenInfo: info || tokens[0], cert: found, certs: certs };
      });
    });
  };

  Portal.tokenLogin = function (token, pin) {
    return Portal.uk("token.login", { token: token, pin: pin }).then(null, function (e) {
      if (/ALREADY_LOGGED_IN|USER_ALREADY/.test(e && [e.hostName, e.name, e.code, e.message].join(" "))) return {};
      throw e;
    });
  };

  // ---- home ----------------------------------------------------------
  Portal.homeDetect = function () {
    var el = $("key-state");
    function show() {
      Portal.uk("token.list", {}).then(function (r) {
        var n = (r && r.tokens && r.tokens.length) || 0;
        el.textContent = n ? "已检测到 usbkey（" + r.tokens[0].label + "）" : "未检测到 usbkey，请插入证书介质";
        el.setAttribute("data-state", n ? "present" : "absent");
      }, function (e) {
        el.textContent = "无法检测 usbkey：" + Portal.errMsg(e);
        el.setAttribute("data-state", "error");
      });
    }
    window.addEventListener("load", function () {
      show();
      if (window.UKeyLink && window.UKeyLink.on) {
        window.UKeyLink.on("token.inserted", show);
        window.UKeyLink.on("token.removed", show);
      }
    });
  };

  // ---- renewal / change ----------------------------------------------
  Portal.fee = function () {
    var m = Number($("period").value);
    $("fee").textContent = String(m * 10);
    if ($("months")) $("months").textContent = String(m);
    if ($("amount")) $("amount").textContent = String(m * 10);
  };

  Portal.afterConfirm = function () {
    Portal.fee();
    if (window.PAGE.certIndex >= 2 && $("paid").textContent !== "已支付") Portal.show("pay");
    else Portal.show("pinstep");
  };

  Portal.pay = function () {
    var method = document.querySelector("input[name=paymethod]:checked").value;
    if (!$("recipient").value || !$("phone").value) { Portal.fail("请填写收件人和联系电话"); return; }
    Portal.post("/api/pay", { months: Number($("period").value), method: method }).then(function () {
      $("paid").textContent = "已支付";
      Portal.log("支付成功（" + (method === "wechat" ? "微信" : "转账") + "）");
      Portal.show("pinstep");
    }, function (e) { Portal.fail("支付失败：" + Portal.errMsg(e)); });
  };

  var running = false;

  /**
   * The button handler. checkPin (inline in the page, in the page's style)
   * runs first and synchronously: on the IE branch it is the SafeEngineCtl
   * call that the extension suspends and replays.
   */
  Portal.startEnroll = function (mode) {
    var pin = $("pin").value;
    if (!running) Portal.status("busy", "正在验证证书密码……");
    var checked = checkPin(pin);      // eslint-disable-line no-undef
    if (running) return;
    running = true;
    Portal.status("busy", mode === "renew" ? "证书更新中" : "证书签发中");
    checked.then(function () {
      Portal.log("证书密码验证通过");
      return Portal.runEnroll(mode, pin);
    }).then(function (done) {
      running = false;
      $("new-serial").textContent = done.serial;
      $("new-validity").textContent = done.notBefore + " 至 " + done.notAfter;
      if (mode === "change" && $("new-numbers")) {
        $("new-numbers").innerHTML = "";
        done.numbers.forEach(function (n) {
          var tr = document.createElement("tr");
          tr.innerHTML = "<th></th><td></td>";
          tr.firstChild.textContent = n.label + ":";
          tr.lastChild.textContent = n.value || "（无）";
          $("new-numbers").appendChild(tr);
        });
      }
      Portal.show("done");
      Portal.log((mode === "renew" ? "开通应用更新成功" : "变更成功") + "，新证书序列号 " + done.serial);
      Portal.status("ok", mode === "renew" ? "开通应用更新成功" : "变更成功");
    }, function (e) {
      running = false;
      var msg = (mode === "renew" ? "证书更新失败：" : "证书变更失败：") + Portal.errMsg(e);
      Portal.fail(msg, e);
      if (document.querySelector("#retry")) {
        var sec = $("retry");
        sec.hidden = false;
        var p = $("progress"); if (p) p.hidden = true;
        var ps = $("pinstep") || $("numbers"); if (ps) ps.hidden = false;
      }
      Portal.post("/api/enroll/failed", { stage: Portal.stage || "", error: msg }).then(null, function () {});
    });
  };

  function stage(name, text, pct) {
    Portal.stage = name;
    Portal.show("progress");
    if (text) $("progress-title").textContent = text;
    $("bar").value = pct;
    Portal.log(text + "（" + pct + "%）");
    Portal.status("busy", text);
  }

  /** The enrollment transaction (protocol.md, enroll.*). Resolves with /api/enroll/done's answer. */
  Portal.runEnroll = function (mode, pin) {
    var renew = mode === "renew";
    var busy = renew ? "证书更新中，请不要拔出 usbkey，耐心等待" : "证书签发中，请耐心等待……";
    var k, txn, issued, sealId = null, lost = null;
    if (window.UKeyLink && window.UKeyLink.on) {
      var onRemoved = function () { lost = lost || "usbkey 已被拔出，请重新插入后重试"; Portal.log("usbkey 已被拔出", "error"); };
      var onLost = function () {
        lost = lost || "与 UKeyLink 本地程序的连接已断开（本地程序已退出），请重试";
        Portal.log("与 UKeyLink 本地程序的连接已断开", "error");
      };
      window.UKeyLink.on("token.removed", onRemoved);
      window.UKeyLink.on("host.disconnected", onLost);
    }
    function check(v) { if (lost) throw new Error(lost); return v; }
    stage("detect", busy, 5);
    return Portal.findKey(window.PAGE.serial).then(function (key) {
      k = key;
      return Portal.tokenLogin(k.token, pin);
    }).then(function () {
      // an interrupted transaction from an earlier attempt is finished or rolled back first
      return Portal.uk("enroll.status", { token: k.token }).then(function (st) {
        if (st && st.transaction) {
          Portal.log("发现未完成的更新事务，正在恢复……");
          return Portal.uk("enroll.recover", { token: k.token }).then(function (r) {
            Portal.log("恢复结果：" + (r && (r.action || r.state)));
            // a request the CA answered before the interruption: drop it, start again
            if (r && r.action === "awaitingCertificate" && r.transaction)
              return Portal.uk("enroll.abort", { token: k.token, transaction: r.transaction }).then(function () {
                Portal.log("已撤销未完成的更新，原证书保持不变");
              });
          }).then(function () {
            return Portal.findKey(window.PAGE.serial).then(function (key) { k = key; });
          });
        }
      });
    }).then(function () {
      stage("begin", busy, 10);
      return Portal.uk("enroll.begin", { token: k.token, certId: k.cert.certId, mode: mode });
    }).then(function (r) {
      txn = r.transaction;
      stage("keygen", busy, 20);
      return Portal.uk("enroll.generateKeyPair", { token: k.token, transaction: txn, keyType: "rsa2048" });
    }).then(check).then(function () {
      stage("csr", busy, 35);
      return Portal.uk("enroll.createRequest", { token: k.token, transaction: txn, countersign: true });
    }).then(function (r) {
      stage("issue", renew ? busy : "证书签发中，请耐心等待……", 50);
      if (!renew && $("st-cert")) $("st-cert").className = "current";
      return Portal.post("/api/enroll/issue", { mode: mode, csr: r.csr, countersignature: r.countersignature,
        months: renew ? Number($("period").value) : undefined });
    }).then(function (r) {
      issued = r;
      Portal.log("CA 已签发新证书 " + r.serial);
      stage("install", busy, 65);
      check();
      return Portal.uk("enroll.installCertificate", { token: k.token, transaction: txn, cert: r.cert, chain: r.chain });
    }).then(check).then(function () {
      return Portal.uk("seal.list", { token: k.token });
    }).then(function (sl) {
      var seals = (sl && sl.seals) || [];
      if (!seals.length) return null;
      stage("seal", renew ? "电子印章更新中，请不要拔出 usbkey，耐心等待" : "正在下载电子印章……", 80);
      if (!renew && $("st-seal")) $("st-seal").className = "current";
      var s = seals[0];
      return Portal.uk("seal.read", { token: k.token, id: s.id }).then(function (r) {
        return Portal.post("/api/seal/rebind", { package: r["package"], certSerial: issued.serial });
      }).then(function (p) {
        return Portal.uk("seal.install", { token: k.token, "package": p["package"], transaction: txn });
      }).then(function (r) { sealId = r.id; Portal.log("电子印章已绑定新证书"); });
    }).then(check).then(function () {
      stage("commit", renew ? busy : "开通应用……", 92);
      if (!renew && $("st-app")) $("st-app").className = "current";
      return Portal.uk("enroll.commit", { token: k.token, transaction: txn });
    }).then(function (r) {
      Portal.log("旧证书已停用" + (r && r.retired ? "（" + r.retired.certId + "）" : ""));
      stage("done", renew ? "开通应用……" : "开通应用……", 100);
      return Portal.post("/api/enroll/done", { serial: issued.serial, sealId: sealId });
    }).then(function (r) {
      if (window.UKeyLink && window.UKeyLink.off) { window.UKeyLink.off("token.removed", onRemoved); window.UKeyLink.off("host.disconnected", onLost); }
      return r;
    }, function (e) {
      if (window.UKeyLink && window.UKeyLink.off) { window.UKeyLink.off("token.removed", onRemoved); window.UKeyLink.off("host.disconnected", onLost); }
      // roll back what this attempt did (when the host is still there); the old key and certificate stay
      if (txn && k && !lost) Portal.uk("enroll.abort", { token: k.token, transaction: txn }).then(null, function () {});
      if (lost && !(e && e.message === lost)) { var x = new Error(lost + "（" + Portal.errMsg(e) + "）"); throw x; }
      throw e;
    });
  };

  // ---- seal ------------------------------------------------------------
  var sealImage = null;

  Portal.previewSeal = function () {
    var f = $("seal-file").files[0];
    if (!f) return;
    var rd = new FileReader();
    rd.onload = function () { sealImage = rd.result; $("seal-preview").src = sealImage; };
    rd.readAsDataURL(f);
  };

  Portal.applySeal = function () {
    if (!sealImage) { Portal.fail("请先上传盖章图片"); return; }
    Portal.post("/api/seal/apply", { image: sealImage }).then(function (st) {
      $("seal-status").textContent = "已提交申请，审核中";
      $("seal-status").setAttribute("data-status", st.status);
      Portal.log("印章申请已提交，一般三个工作日内审核");
      Portal.status("ok", "印章申请已提交");
      Portal.pollSeal();
    }, function (e) { Portal.fail("申请失败：" + Portal.errMsg(e)); });
  };

  Portal.pollSeal = function () {
    Portal.get("/api/seal/status").then(function (st) {
      if (st.status === "approved") {
        $("seal-status").textContent = "申请审核通过";
        $("seal-status").setAttribute("data-status", "approved");
        $("apply").hidden = true;
        $("download").hidden = false;
        Portal.log("印章申请审核通过");
      } else setTimeout(Portal.pollSeal, 1000);
    }, function () { setTimeout(Portal.pollSeal, 3000); });
  };

  Portal.downloadSeal = function () {
    var pin = $("pin").value;
    var checked = checkPin(pin);      // eslint-disable-line no-undef
    var k;
    Portal.status("busy", "正在下载电子印章……");
    checked.then(function () {
      return Portal.findKey(window.PAGE.serial);
    }).then(function (key) {
      k = key;
      return Portal.tokenLogin(k.token, pin);
    }).then(function () {
      return Portal.post("/api/seal/package", { certSerial: window.PAGE.serial });
    }).then(function (p) {
      Portal.log("已获取 CA 签发的印章包");
      return Portal.uk("seal.install", { token: k.token, "package": p["package"] });
    }).then(function (r) {
      return Portal.uk("seal.list", { token: k.token }).then(function (sl) {
        var n = ((sl && sl.seals) || []).length;
        Portal.log("印章已写入 usbkey（" + r.id + "，共 " + n + " 枚）");
        return Portal.post("/api/seal/installed", { id: r.id });
      });
    }).then(function () {
      $("seal-status").textContent = "印章已下载";
      $("seal-status").setAttribute("data-status", "installed");
      Portal.status("ok", "印章下载成功");
    }, function (e) { Portal.fail("下载印章失败：" + Portal.errMsg(e), e); });
  };

  // ---- unlock ----------------------------------------------------------
  var unlockKey = null, unlockId = null;

  Portal.unlockInit = function () {
    if (typeof detectKey === "function") detectKey();    // eslint-disable-line no-undef
    if (window.UKeyLink && window.UKeyLink.on) {
      window.UKeyLink.on("token.inserted", function () { detectKey(); });   // eslint-disable-line no-undef
      window.UKeyLink.on("token.removed", function () { Portal.noKey(-2113667070); });
    }
  };

  function ymd(s) {
    var d = new Date(s);
    if (isNaN(d)) return String(s || "");
    return d.getFullYear() + "年" + ("0" + (d.getMonth() + 1)).slice(-2) + "月" + ("0" + d.getDate()).slice(-2) + "日";
  }

  Portal.noKey = function (code) {
    unlockKey = null;
    $("unlock-submit").disabled = true;
    ["media-type", "cert-name", "cert-serial", "cert-validity"].forEach(function (id) { $(id).textContent = ""; });
    var msg = typeof code === "number" ? "未检测到 usbkey（" + code + " " + Portal.codeText(code) + "）" : String(code);
    Portal.status("error", msg);
  };

  Portal.showKey = function (se) {
    $("cert-name").textContent = se.name;
    $("cert-serial").textContent = se.serial;
    Portal.findKey(se.serial).then(function (k) {
      unlockKey = k;
      var make = k.tokenInfo && k.tokenInfo.make;
      $("media-type").textContent = (make && (make.name || make.type)) || (k.tokenInfo && k.tokenInfo.model) || "";
      $("cert-validity").textContent = ymd(k.cert.notBefore) + "至" + ymd(k.cert.notAfter);
      $("unlock-submit").disabled = false;
      var pin = k.tokenInfo && k.tokenInfo.pin;
      Portal.status("ok", "已检测到 usbkey" + (pin && pin.locked ? "（密码已锁定）" : ""));
      Portal.log("检测到 usbkey：" + se.name + " " + se.serial);
    }, function (e) { Portal.fail("读取 usbkey 信息失败：" + Portal.errMsg(e), e); });
  };

  Portal.submitUnlock = function () {
    if (!unlockKey) return;
    Portal.status("busy", "正在提交解锁申请……");
    Portal.uk("unlock.request", { token: unlockKey.token }).then(function (r) {
      return Portal.post("/api/unlock/request", { request: r.request });
    }).then(function (r) {
      unlockId = r.id;
      $("unlock-id").textContent = r.id;
      $("submitted").hidden = false;
      $("unlock-submit").disabled = true;
      Portal.log("解锁申请已提交，编号 " + r.id);
      Portal.status("ok", "您的解锁申请已成功提交。");
      pollUnlock();
    }, function (e) { Portal.fail("提交申请失败：" + Portal.errMsg(e), e); });
  };

  function pollUnlock() {
    Portal.get("/api/unlock/status?id=" + encodeURIComponent(unlockId)).then(function (r) {
      if (r.status === "approved") {
        $("unlock-state").textContent = "审核通过";
        $("approved").hidden = false;
        Portal.log("解锁申请审核通过");
      } else setTimeout(pollUnlock, 1000);
    }, function () { setTimeout(pollUnlock, 3000); });
  }

  Portal.applyUnlock = function () {
    Portal.status("busy", "正在解锁……");
    Portal.post("/api/unlock/response", { id: unlockId }).then(function (r) {
      return Portal.uk("unlock.apply", { token: unlockKey.token, response: r.response });
    }).then(function (r) {
      $("new-pin").textContent = r.newPin;
      $("newpin-box").hidden = false;
      $("approved").hidden = true;
      Portal.log("介质解锁成功，密码已重置为8位数字");
      Portal.status("ok", "介质解锁成功");
      return Portal.post("/api/unlock/done", { id: unlockId });
    }, function (e) { Portal.fail("介质解锁失败：" + Portal.errMsg(e), e); });
  };
})();
