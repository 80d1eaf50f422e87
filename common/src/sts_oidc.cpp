#include "ossvp/common/sts_oidc.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ossvp/common/openapi_rpc_signature.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp {
namespace {

std::string envVar(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

void registerWithEncoding(const std::string& secret) {
  registerSecret(secret);
  std::string encoded = percentEncode(secret);
  if (encoded != secret) registerSecret(encoded);
}

std::string trimmed(std::string s) {
  auto space = [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t start = 0;
  while (start < s.size() && space(s[start])) ++start;
  return s.substr(start);
}

std::string jsonString(const nlohmann::json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
}

}  // namespace

Result<RrsaConfig> rrsaConfigFromEnv() {
  RrsaConfig c;
  c.roleArn = envVar("ALIBABA_CLOUD_ROLE_ARN");
  c.oidcProviderArn = envVar("ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
  c.oidcTokenFile = envVar("ALIBABA_CLOUD_OIDC_TOKEN_FILE");
  if (c.roleArn.empty()) return notFound("ALIBABA_CLOUD_ROLE_ARN is not set");
  if (c.oidcProviderArn.empty() || c.oidcTokenFile.empty()) {
    return invalidArgument(
        "RRSA: ALIBABA_CLOUD_ROLE_ARN is set but ALIBABA_CLOUD_OIDC_PROVIDER_ARN and "
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE must be set too");
  }
  c.stsEndpoint = envVar("ALIBABA_CLOUD_STS_ENDPOINT");
  if (c.stsEndpoint.empty()) {
    std::string region = envVar("ALIBABA_CLOUD_STS_REGION");
    bool vpc = envVar("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED") == "true";
    c.stsEndpoint = region.empty() ? "sts.aliyuncs.com" : (vpc ? "sts-vpc." : "sts.") + region + ".aliyuncs.com";
  }
  if (std::string name = envVar("ALIBABA_CLOUD_ROLE_SESSION_NAME"); !name.empty()) c.roleSessionName = name;
  return c;
}

Result<std::string> readOidcToken(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    return Status(StatusCode::Unauthenticated,
                  "cannot read the OIDC token file '" + file + "' named by ALIBABA_CLOUD_OIDC_TOKEN_FILE (" +
                      std::strerror(errno) +
                      "): is the RRSA projected service-account token volume mounted at that path? (on ACK, "
                      "enable RRSA for the cluster and the pod, e.g. the pod label "
                      "pod-identity.alibabacloud.com/injection: on)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = trimmed(ss.str());
  if (token.empty()) {
    return Status(StatusCode::Unauthenticated,
                  "the OIDC token file '" + file + "' named by ALIBABA_CLOUD_OIDC_TOKEN_FILE is empty");
  }
  registerWithEncoding(token);
  return token;
}

StsHttpRequest buildAssumeRoleWithOidcRequest(const RrsaConfig& config, const std::string& oidcToken, std::time_t now) {
  StsHttpRequest r;
  r.baseUrl = config.stsEndpoint.empty() ? "sts.aliyuncs.com" : config.stsEndpoint;
  if (r.baseUrl.find("://") == std::string::npos) r.baseUrl = "https://" + r.baseUrl;
  while (!r.baseUrl.empty() && r.baseUrl.back() == '/') r.baseUrl.pop_back();
  r.host = r.baseUrl.substr(r.baseUrl.find("://") + 3);
  r.target = "/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=" +
             percentEncode(formatRfc3339(int64_t{now}));
  int duration = config.durationSeconds < 900 ? 900 : config.durationSeconds > 43200 ? 43200 : config.durationSeconds;
  r.body = "RoleArn=" + percentEncode(config.roleArn) + "&OIDCProviderArn=" + percentEncode(config.oidcProviderArn) +
           "&OIDCToken=" + percentEncode(oidcToken) + "&RoleSessionName=" + percentEncode(config.roleSessionName) +
           "&DurationSeconds=" + std::to_string(duration);
  return r;
}

Result<CloudCredentials> parseStsCredentialsResponse(int httpStatus, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (httpStatus != 200) {
    std::string code = jsonString(j, "Code");
    std::string message = j.is_discarded() ? body.substr(0, 300) : jsonString(j, "Message");
    std::string requestId = jsonString(j, "RequestId");
    StatusCode sc = httpStatus == 401 || httpStatus == 403 ? StatusCode::PermissionDenied
                    : httpStatus >= 500                    ? StatusCode::Unavailable
                                                           : StatusCode::InvalidArgument;
    return Status(sc, redactSecrets("STS AssumeRoleWithOIDC failed: " + (code.empty() ? "HTTP error" : code) +
                                    " (HTTP " + std::to_string(httpStatus) + "): " + message +
                                    (requestId.empty() ? "" : " [RequestId " + requestId + "]") +
                                    ". Check ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, the role's "
                                    "trust policy and that the token file holds a current service-account token."));
  }
  if (j.is_discarded() || !j.contains("Credentials") || !j["Credentials"].is_object()) {
    return unavailable("STS response is not JSON with a Credentials object");
  }
  const auto& c = j["Credentials"];
  CloudCredentials out;
  out.accessKeyId = jsonString(c, "AccessKeyId");
  out.accessKeySecret = jsonString(c, "AccessKeySecret");
  out.securityToken = jsonString(c, "SecurityToken");
  registerWithEncoding(out.accessKeySecret);
  registerWithEncoding(out.securityToken);
  if (out.accessKeyId.empty() || out.accessKeySecret.empty() || out.securityToken.empty()) {
    return unavailable("STS response lacks AccessKeyId, AccessKeySecret or SecurityToken");
  }
  out.expiration = parseRfc3339(jsonString(c, "Expiration"));
  return out;
}

bool stsRefreshDue(const CloudCredentials& credentials, std::chrono::system_clock::time_point now,
                   std::chrono::seconds refreshBefore) {
  return credentials.expiration && *credentials.expiration - now <= refreshBefore;
}

}  // namespace ossvp
