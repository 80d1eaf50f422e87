#include "ossvp/ossemu/sts_service.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "ossvp/common/base64.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossemu/object_meta.h"

namespace ossvp::ossemu {

namespace oc = ossvp::ossclient;

void renderRpcError(int status, const std::string& code, const std::string& message, const std::string& requestId,
                    const std::string& hostId, HttpResponse* resp) {
  nlohmann::json j = {{"RequestId", requestId},
                      {"HostId", hostId},
                      {"Code", code},
                      {"Message", message},
                      {"Recommend", "https://api.aliyun.com/troubleshoot?q=" + code}};
  resp->status = status;
  // Host and parameters are echoed from the request and may be invalid UTF-8;
  // dump() would throw (fuzz finding: a 500 instead of the RPC error).
  resp->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  resp->setHeader("Content-Type", "application/json;charset=utf-8");
}

namespace {

std::string randomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return raw;
}

struct StsFailure {
  int status;
  std::string code;
  std::string message;
};

}  // namespace

void StsService::assumeRoleWithOidc(const std::map<std::string, std::string>& params, const std::string& requestId,
                                    int64_t now, HttpResponse* resp) {
  const std::string host = "sts.aliyuncs.com";
  auto fail = [&](const StsFailure& f) { renderRpcError(f.status, f.code, f.message, requestId, host, resp); };
  auto get = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  std::string roleArn = get("RoleArn"), providerArn = get("OIDCProviderArn"), token = get("OIDCToken");
  std::string session = get("RoleSessionName");
  if (roleArn.empty()) return fail({400, "MissingRoleArn", "RoleArn is mandatory for this action."});
  if (providerArn.empty())
    return fail({400, "MissingOIDCProviderArn", "OIDCProviderArn is mandatory for this action."});
  if (token.empty()) return fail({400, "MissingOIDCToken", "OIDCToken is mandatory for this action."});
  if (session.empty()) return fail({400, "MissingRoleSessionName", "RoleSessionName is mandatory for this action."});
  registerSecret(token);
  static const std::regex kSession("^[A-Za-z0-9.@_-]{2,64}$");
  if (!std::regex_match(session, kSession)) {
    return fail({400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed."});
  }
  static const std::regex kRole("^acs:ram::[0-9*]+:role/.+$");
  static const std::regex kProvider("^acs:ram::[0-9*]+:oidc-provider/.+$");
  if (!std::regex_match(roleArn, kRole))
    return fail({400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed."});
  if (!std::regex_match(providerArn, kProvider) ||
      (!opt_.oidcProviderArn.empty() && providerArn != opt_.oidcProviderArn)) {
    return fail({401, "AuthenticationFail.NoPermission", "No such OIDC Provider registered."});
  }
  if (!opt_.roleArn.empty() && roleArn != opt_.roleArn) {
    return fail({404, "EntityNotExist.Role", "The specified Role not exists ."});
  }
  int64_t duration = 3600;
  if (!get("DurationSeconds").empty()) {
    duration = std::atoll(get("DurationSeconds").c_str());
    if (duration < 900 || duration > 43200) {
      return fail({400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr."});
    }
  }
  if (opt_.durationOverride > 0) duration = opt_.durationOverride;

  // ---- the OIDC token: header.payload.signature
  size_t d1 = token.find('.'), d2 = token.find('.', d1 == std::string::npos ? 0 : d1 + 1);
  auto invalid = [&](const std::string& why) {
    fail({401, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken is invalid: " + why});
  };
  if (token.size() < 4 || d1 == std::string::npos || d2 == std::string::npos) return invalid("not a JWT");
  auto header = base64UrlDecode(token.substr(0, d1));
  auto payload = base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!header || !payload) return invalid("bad base64url");
  nlohmann::json h, p;
  try {
    h = nlohmann::json::parse(*header);
    p = nlohmann::json::parse(*payload);
  } catch (const std::exception&) {
    return invalid("header or payload is not JSON");
  }
  std::string alg = h.value("alg", "");
  if (!opt_.hmacKey.empty()) {
    if (alg != "HS256")
      return fail({401, "AuthenticationFail.OIDCToken.InvalidSignature", "The OIDCToken signature is invalid."});
    if (base64UrlDecode(token.substr(d2 + 1)) != oc::hmacSha256(opt_.hmacKey, token.substr(0, d2))) {
      return fail({401, "AuthenticationFail.OIDCToken.InvalidSignature", "The OIDCToken signature is invalid."});
    }
  } else if (alg != "none" && alg != "HS256" && alg != "RS256") {
    return invalid("unsupported alg");
  }
  bool audOk = false;
  if (p.contains("aud")) {
    if (p["aud"].is_string()) audOk = p["aud"] == "sts.aliyuncs.com";
    if (p["aud"].is_array()) {
      for (const auto& a : p["aud"]) audOk = audOk || a == "sts.aliyuncs.com";
    }
  }
  if (!audOk) {
    return fail({401, "AuthenticationFail.OIDCToken.AudienceNotMatch",
                 "The audience of the OIDCToken does not match: expected sts.aliyuncs.com."});
  }
  if (!p.contains("exp") || !p["exp"].is_number()) return invalid("missing exp");
  int64_t exp = p["exp"].get<int64_t>();
  if (exp <= now) return fail({401, "AuthenticationFail.OIDCToken.Expired", "The OIDCToken is expired."});
  std::string iss = p.value("iss", "");
  if (!opt_.issuer.empty() && iss != opt_.issuer) {
    return fail(
        {401, "AuthenticationFail.OIDCToken.Invalid", "The issuer of the OIDCToken does not match the provider."});
  }

  StoredCredential cred;
  cred.accessKeyId = "STS." + hexUpper(randomToken(12));
  cred.secret = base64Encode(randomToken(30));
  cred.securityToken = "CAIS" + base64Encode(randomToken(300));
  cred.expiresAt = now + duration;
  registerSecret(cred.secret);
  registerSecret(cred.securityToken);
  store_.add(cred);
  std::string roleName = roleArn.substr(roleArn.find(":role/") + 6);
  nlohmann::json j = {{"RequestId", requestId},
                      {"OIDCTokenInfo",
                       {{"Subject", p.value("sub", "")},
                        {"Issuer", iss},
                        {"ClientIds", "sts.aliyuncs.com"},
                        {"ExpirationTime", formatRfc3339(exp)},
                        {"IssuanceTime", formatRfc3339(p.value("iat", now))},
                        {"VerificationInfo", "Success"}}},
                      {"AssumedRoleUser",
                       {{"AssumedRoleId", hexUpper(randomToken(8)) + ":" + session}, {"Arn", roleArn + "/" + session}}},
                      {"Credentials",
                       {{"SecurityToken", cred.securityToken},
                        {"Expiration", formatRfc3339(cred.expiresAt)},
                        {"AccessKeySecret", cred.secret},
                        {"AccessKeyId", cred.accessKeyId}}},
                      {"SourceIdentity", ""}};
  (void)roleName;
  resp->status = 200;
  resp->body = j.dump();
  resp->setHeader("Content-Type", "application/json;charset=utf-8");
}

}  // namespace ossvp::ossemu
