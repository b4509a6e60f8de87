/* SPDX-License-Identifier: Apache-2.0 */
/* Copyright (c) 2026 UKeyLink authors */
/*
 * One project-wide list of error codes.
 *
 * 0 is success; every failure is negative.  Codes that SafeEngine pages know
 * keep SafeEngine's numbers (they are what ErrorCode / LastError show).  New
 * conditions live in a free range: UK_ERR_NEW_BASE (0x82041000 as a signed
 * 32-bit value) plus n.  Codes are never renumbered; a retired code stays in
 * the list as a placeholder.
 *
 * Each entry: symbol, value, stable name for the protocol, Chinese text
 * (what pages and users see), English text.
 */
#ifndef UK_ERR_H
#define UK_ERR_H

#include "uk_setup.h"

#define UK_ERR_NEW_BASE	(-2113662976)	/* 0x82041000 */

#define UK_ERROR_LIST(X) \
X(UK_OK, 0, "OK", "成功", "Success") \
/* SafeEngine codes (safeengine-compat.md, section 4) */ \
X(UK_ERR_LOAD_LIBRARY, -2113667072, "LOAD_LIBRARY", "装载动态库错误", "Cannot load the token library") \
X(UK_ERR_ALLOC_FAIL, -2113667071, "ALLOC_FAIL", "内存分配错误", "Out of memory") \
X(UK_ERR_READ_KEY_DEVICE, -2113667070, "READ_KEY_DEVICE", "读私钥设备错误", "No key device, or it cannot be read") \
X(UK_ERR_PIN_INCORRECT, -2113667069, "PIN_INCORRECT", "私钥密码错误", "Incorrect PIN") \
X(UK_ERR_READ_CHAIN_DEVICE, -2113667068, "READ_CHAIN_DEVICE", "读证书链设备错误", "Cannot read the certificate chain device") \
X(UK_ERR_CHAIN_PIN, -2113667067, "CHAIN_PIN", "证书链密码错误", "Incorrect certificate chain password") \
X(UK_ERR_READ_CERT_DEVICE, -2113667066, "READ_CERT_DEVICE", "读证书设备错误", "Cannot read the certificate device") \
X(UK_ERR_CERT_PIN, -2113667065, "CERT_PIN", "证书密码错误", "Incorrect certificate password") \
X(UK_ERR_KEY_TIMEOUT, -2113667064, "KEY_TIMEOUT", "私钥超时", "Private key session timed out") \
X(UK_ERR_BUFFER_TOO_SMALL, -2113667063, "BUFFER_TOO_SMALL", "缓冲区太小", "Buffer too small") \
X(UK_ERR_INIT_ENV, -2113667062, "INIT_ENV", "初始化环境错误", "Cannot initialise the environment") \
X(UK_ERR_CLEAR_ENV, -2113667061, "CLEAR_ENV", "清除环境错误", "Cannot clear the environment") \
X(UK_ERR_SIGN, -2113667060, "SIGN", "数字签名错误", "Signing failed") \
X(UK_ERR_VERIFY_SIGNATURE, -2113667059, "VERIFY_SIGNATURE", "验证签名错误", "Signature verification failed") \
X(UK_ERR_DIGEST, -2113667058, "DIGEST", "摘要错误", "Digest failed") \
X(UK_ERR_CERT_FORMAT, -2113667057, "CERT_FORMAT", "证书格式错误", "Malformed certificate") \
X(UK_ERR_ENVELOPE, -2113667056, "ENVELOPE", "数字信封错误", "Digital envelope failed") \
X(UK_ERR_LDAP_CERT, -2113667055, "LDAP_CERT", "从LDAP获取证书错误", "Cannot get the certificate from LDAP") \
X(UK_ERR_CERT_EXPIRED, -2113667054, "CERT_EXPIRED", "证书已过期", "Certificate has expired") \
X(UK_ERR_GET_CHAIN, -2113667053, "GET_CHAIN", "获取证书链错误", "Cannot get the certificate chain") \
X(UK_ERR_CHAIN_FORMAT, -2113667052, "CHAIN_FORMAT", "证书链格式错误", "Malformed certificate chain") \
X(UK_ERR_VERIFY_CHAIN, -2113667051, "VERIFY_CHAIN", "验证证书链错误", "Certificate chain does not verify") \
X(UK_ERR_CERT_REVOKED, -2113667050, "CERT_REVOKED", "证书已废除", "Certificate has been revoked") \
X(UK_ERR_CRL_FORMAT, -2113667049, "CRL_FORMAT", "CRL格式错误", "Malformed CRL") \
X(UK_ERR_OCSP_CONNECT, -2113667048, "OCSP_CONNECT", "连接OCSP服务器错误", "Cannot connect to the OCSP server") \
X(UK_ERR_OCSP_REQUEST, -2113667047, "OCSP_REQUEST", "OCSP请求编码错误", "Cannot encode the OCSP request") \
X(UK_ERR_OCSP_RESPONSE, -2113667046, "OCSP_RESPONSE", "OCSP回包错误", "OCSP responder returned an error") \
X(UK_ERR_OCSP_FORMAT, -2113667045, "OCSP_FORMAT", "OCSP回包格式错误", "Malformed OCSP response") \
X(UK_ERR_OCSP_EXPIRED, -2113667044, "OCSP_EXPIRED", "OCSP回包过期", "OCSP response has expired") \
X(UK_ERR_OCSP_SIGNATURE, -2113667043, "OCSP_SIGNATURE", "OCSP回包验证签名错误", "OCSP response signature does not verify") \
X(UK_ERR_CERT_STATUS_UNKNOWN, -2113667042, "CERT_STATUS_UNKNOWN", "证书状态未知", "Certificate status is unknown") \
X(UK_ERR_SYMMETRIC, -2113667041, "SYMMETRIC", "对称加解密错误", "Symmetric encryption failed") \
X(UK_ERR_CERT_INFO, -2113667040, "CERT_INFO", "获取证书信息错误", "Cannot get certificate information") \
X(UK_ERR_CERT_DETAIL, -2113667039, "CERT_DETAIL", "获取证书细目错误", "Cannot get the certificate field") \
X(UK_ERR_CERT_UNIQUE_ID, -2113667038, "CERT_UNIQUE_ID", "获取证书唯一标识错误", "Cannot get the certificate unique id") \
X(UK_ERR_CERT_EXTENSION, -2113667037, "CERT_EXTENSION", "获取证书扩展项错误", "Cannot get the certificate extension") \
X(UK_ERR_PEM_ENCODE, -2113667036, "PEM_ENCODE", "PEM编码错误", "PEM encoding failed") \
X(UK_ERR_PEM_DECODE, -2113667035, "PEM_DECODE", "PEM解码错误", "PEM decoding failed") \
X(UK_ERR_RANDOM, -2113667034, "RANDOM", "产生随机数错误", "Cannot generate random bytes") \
X(UK_ERR_PKCS12_FORMAT, -2113667033, "PKCS12_FORMAT", "PKCS#12格式错误", "Malformed PKCS#12") \
X(UK_ERR_KEY_FORMAT, -2113667032, "KEY_FORMAT", "私钥格式错误", "Malformed private key") \
X(UK_ERR_KEY_MISMATCH, -2113667031, "KEY_MISMATCH", "公私钥不匹配", "Key and certificate do not match") \
X(UK_ERR_ASYMMETRIC, -2113667027, "ASYMMETRIC", "非对称加解密错误", "Asymmetric encryption failed") \
X(UK_ERR_OID_FORMAT, -2113667026, "OID_FORMAT", "OID格式错误", "Malformed OID") \
X(UK_ERR_NO_SUCH_EXTENSION, -2113667021, "NO_SUCH_EXTENSION", "没有OID对应的扩展项", "The certificate has no such extension") \
X(UK_ERR_NOT_LOGGED_IN, -2113667018, "NOT_LOGGED_IN", "私钥未载入", "No session: log in first") \
X(UK_ERR_LOGIN_CREDENTIAL, -2113666824, "LOGIN_CREDENTIAL", "登录凭证无效", "Invalid login credential") \
X(UK_ERR_LOGIN_PARAMETER, -2113666823, "LOGIN_PARAMETER", "登录参数错误", "Invalid login parameter") \
/* New conditions (not in SafeEngine) */ \
X(UK_ERR_INTERNAL, -2113662976, "INTERNAL", "内部错误", "Internal error") \
X(UK_ERR_BAD_REQUEST, -2113662975, "BAD_REQUEST", "请求格式错误", "Malformed request") \
X(UK_ERR_MESSAGE_TOO_LARGE, -2113662974, "MESSAGE_TOO_LARGE", "消息过大", "Message too large") \
X(UK_ERR_NOT_UTF8, -2113662973, "NOT_UTF8", "消息不是有效的UTF-8", "Message is not valid UTF-8") \
X(UK_ERR_NOT_JSON, -2113662972, "NOT_JSON", "消息不是有效的JSON", "Message is not valid JSON") \
X(UK_ERR_TOO_DEEP, -2113662971, "TOO_DEEP", "消息嵌套过深", "Message is nested too deeply") \
X(UK_ERR_UNKNOWN_METHOD, -2113662970, "UNKNOWN_METHOD", "未知的方法", "Unknown method") \
X(UK_ERR_INVALID_PARAM, -2113662969, "INVALID_PARAM", "参数错误", "Invalid parameter") \
X(UK_ERR_ORIGIN_NOT_ALLOWED, -2113662968, "ORIGIN_NOT_ALLOWED", "此网站无权执行该操作", "This site is not allowed to do this") \
X(UK_ERR_CALLER_NOT_ALLOWED, -2113662967, "CALLER_NOT_ALLOWED", "调用者未被授权", "Calling extension is not allowed") \
X(UK_ERR_PIN_LOCKED, -2113662966, "PIN_LOCKED", "私钥密码已锁定，请办理介质解锁", "PIN is locked: unlock the key") \
X(UK_ERR_TOKEN_REMOVED, -2113662965, "TOKEN_REMOVED", "介质已拔出", "The key was removed") \
X(UK_ERR_PIN_LEN_RANGE, -2113662964, "PIN_LEN_RANGE", "密码长度不符合要求", "PIN length is out of range") \
X(UK_ERR_CONFIG, -2113662963, "CONFIG", "配置文件错误", "Configuration error") \
X(UK_ERR_SYSTEM, -2113662962, "SYSTEM", "系统错误", "System error") \
X(UK_ERR_LIBCRYPTO, -2113662961, "LIBCRYPTO", "密码库错误", "Cryptographic library error") \
X(UK_ERR_PCSC_UNAVAILABLE, -2113662960, "PCSC_UNAVAILABLE", "智能卡服务未运行", "Smart card service (pcscd) is not running") \
X(UK_ERR_NO_READER, -2113662959, "NO_READER", "未找到读卡器", "No reader found") \
X(UK_ERR_TOKEN_NOT_FOUND, -2113662958, "TOKEN_NOT_FOUND", "未找到指定的介质", "The requested key was not found") \
X(UK_ERR_CERT_NOT_FOUND, -2113662957, "CERT_NOT_FOUND", "未找到指定的证书", "The requested certificate was not found") \
X(UK_ERR_MECHANISM, -2113662956, "MECHANISM", "介质不支持该算法", "The key does not support this algorithm") \
X(UK_ERR_PIN_CANCELLED, -2113662955, "PIN_CANCELLED", "用户取消了密码输入", "PIN entry was cancelled") \
X(UK_ERR_NETWORK, -2113662954, "NETWORK", "网络错误", "Network error") \
X(UK_ERR_HOST_NOT_ALLOWED, -2113662953, "HOST_NOT_ALLOWED", "下载地址不在允许列表中", "Download host is not allowed") \
X(UK_ERR_TIMEOUT, -2113662952, "TIMEOUT", "操作超时", "Operation timed out") \
X(UK_ERR_TRANSACTION, -2113662951, "TRANSACTION", "证书更新事务错误", "Renewal transaction error") \
X(UK_ERR_CERT_REJECTED, -2113662950, "CERT_REJECTED", "新证书不符合要求，已拒绝安装", "The new certificate was refused") \
X(UK_ERR_SEAL_INVALID, -2113662949, "SEAL_INVALID", "电子印章无效", "The electronic seal is invalid") \
X(UK_ERR_UNLOCK_INVALID, -2113662948, "UNLOCK_INVALID", "解锁应答无效", "The unlock answer is invalid") \
X(UK_ERR_TOKEN_FULL, -2113662947, "TOKEN_FULL", "介质存储空间不足", "The key has no room left") \
X(UK_ERR_BUSY, -2113662946, "BUSY", "介质正忙，请稍后重试", "The key is busy: try again") \
X(UK_ERR_NOT_SUPPORTED, -2113662945, "NOT_SUPPORTED", "不支持该操作", "Operation not supported") \
X(UK_ERR_PIN_NOT_INITIALIZED, -2113662944, "PIN_NOT_INITIALIZED", "介质密码未初始化", "The key's PIN is not initialised") \
X(UK_ERR_PIN_INVALID, -2113662943, "PIN_INVALID", "密码包含无效字符", "The PIN contains invalid characters") \
X(UK_ERR_MESSAGE_TRUNCATED, -2113662942, "MESSAGE_TRUNCATED", "消息不完整", "Message is truncated") \
X(UK_ERR_STALLED, -2113662941, "STALLED", "浏览器停止接收消息", "The browser stopped reading") \
X(UK_ERR_INSECURE_URL, -2113662940, "INSECURE_URL", "下载地址必须使用HTTPS", "Download address must use HTTPS") \
X(UK_ERR_TLS_VERIFY, -2113662939, "TLS_VERIFY", "服务器证书验证失败", "Server certificate verification failed") \
X(UK_ERR_HTTP_STATUS, -2113662938, "HTTP_STATUS", "服务器返回错误状态", "Server answered with an error status") \
X(UK_ERR_DOWNLOAD_TOO_LARGE, -2113662937, "DOWNLOAD_TOO_LARGE", "下载内容超过大小限制", "Download exceeds the size limit") \
X(UK_ERR_DOWNLOAD_TRUNCATED, -2113662936, "DOWNLOAD_TRUNCATED", "下载内容不完整", "Download is truncated") \
X(UK_ERR_DOWNLOAD_CONTENT, -2113662935, "DOWNLOAD_CONTENT", "下载内容格式错误", "Downloaded content is not what was expected") \
X(UK_ERR_CRL_EXPIRED, -2113662934, "CRL_EXPIRED", "CRL已过期", "CRL has expired") \
X(UK_ERR_CRL_SIGNATURE, -2113662933, "CRL_SIGNATURE", "CRL验证签名错误", "CRL signature does not verify") \
X(UK_ERR_NO_REVOCATION_SOURCE, -2113662932, "NO_REVOCATION_SOURCE", "证书未提供OCSP或CRL地址", "Certificate names no OCSP responder or CRL") \
X(UK_ERR_RESERVED_LAST, -2113662719, "RESERVED_LAST", "未定义错误", "Undefined error") /* never use! */

enum uk_err {
#define UK_ERR_ENUM(sym, val, name, zh, en) sym = (val),
	UK_ERROR_LIST(UK_ERR_ENUM)
#undef UK_ERR_ENUM
};

/* Stable protocol name ("PIN_INCORRECT"); "UNKNOWN" for a value not listed. */
const char *uk_err_name(int code);
/* Chinese text for users; a generic text for a value not listed. */
const char *uk_err_zh(int code);
/* English text; a generic text for a value not listed. */
const char *uk_err_en(int code);
/* 1 if code is in the list. */
int uk_err_known(int code);

#endif /* UK_ERR_H */
