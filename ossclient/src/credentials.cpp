#include "ossvp/ossclient/credentials.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/time_format.h"

namespace ossvp::ossclient {
namespace {

class StaticProvider final : public CredentialsProvider {
 public:
  StaticProvider(Credentials c, std::string name) : creds_(std::move(c)), name_(std::move(name)) {}
  Result<Credentials> get() override { return creds_; }
  std::string describe() const override { return name_; }

 private:
  Credentials creds_;
  std::string name_;
};

std::string envOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::shared_ptr<CredentialsProvider> makeStaticCredentialsProvider(Credentials credentials) {
  registerSecret(credentials.accessKeySecret);
  registerSecret(credentials.securityToken);
  return std::make_shared<StaticProvider>(std::move(credentials), "static AccessKey");
}

Result<std::shared_ptr<CredentialsProvider>> makeEnvCredentialsProvider() {
  Credentials c;
  c.accessKeyId = envOrEmpty("ALIBABA_CLOUD_ACCESS_KEY_ID");
  c.accessKeySecret = envOrEmpty("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  c.securityToken = envOrEmpty("ALIBABA_CLOUD_SECURITY_TOKEN");
  registerSecret(c.accessKeySecret);
  registerSecret(c.securityToken);
  if (c.accessKeyId.empty() && c.accessKeySecret.empty()) {
    return notFound("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set");
  }
  if (c.accessKeyId.empty() || c.accessKeySecret.empty()) {
    return invalidArgument(std::string("only one of ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET is set; ") +
                           "set both (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)");
  }
  std::string name = c.securityToken.empty() ? "env AccessKey" : "env STS token";
  return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticProvider>(std::move(c), name));
}

Result<std::shared_ptr<CredentialsProvider>> makeDefaultCredentialsChain(const ClientOptions& transport) {
  auto env = makeEnvCredentialsProvider();
  if (env.isOk() || env.status().code() != StatusCode::NotFound) return env;
  auto rrsa = rrsaOptionsFromEnv();
  if (!rrsa.isOk()) {
    if (rrsa.status().code() != StatusCode::NotFound) return rrsa.status();
    return Status(StatusCode::Unauthenticated,
                  "no OSS credentials configured: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                  "(plus ALIBABA_CLOUD_SECURITY_TOKEN for STS), or the RRSA variables ALIBABA_CLOUD_ROLE_ARN, "
                  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE");
  }
  RrsaOptions options = std::move(rrsa).value();
  options.endpointOverrides = transport.endpointOverrides;
  options.verifyTls = transport.verifyTls;
  options.caFile = transport.caFile;
  return makeRrsaCredentialsProvider(std::move(options));
}

Result<Credentials> parseStsCredentialsResponse(int httpStatus, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  auto str = [](const nlohmann::json& o, const char* k) {
    return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  if (httpStatus != 200) {
    std::string code = j.is_discarded() ? "" : str(j, "Code");
    std::string message = j.is_discarded() ? body.substr(0, 300) : str(j, "Message");
    std::string requestId = j.is_discarded() ? "" : str(j, "RequestId");
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
  Credentials out;
  out.accessKeyId = str(c, "AccessKeyId");
  out.accessKeySecret = str(c, "AccessKeySecret");
  out.securityToken = str(c, "SecurityToken");
  registerSecret(out.accessKeySecret);
  registerSecret(out.securityToken);
  if (out.accessKeyId.empty() || out.accessKeySecret.empty() || out.securityToken.empty()) {
    return unavailable("STS response lacks AccessKeyId, AccessKeySecret or SecurityToken");
  }
  if (auto exp = parseIso8601Extended(str(c, "Expiration"))) {
    out.expiration = std::chrono::system_clock::time_point(std::chrono::seconds(*exp));
  }
  return out;
}

}  // namespace ossvp::ossclient
