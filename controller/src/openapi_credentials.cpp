#include "ossvp/controller/openapi_credentials.h"

#include "http_post.h"
#include "ossvp/common/rrsa_session.h"

namespace ossvp::controller {
namespace {

class AccessKeyCredentials final : public OpenApiCredentials {
 public:
  explicit AccessKeyCredentials(CloudCredentials c) : creds_(std::move(c)) {}
  Result<CloudCredentials> get() override { return creds_; }
  std::string describe() const override {
    return creds_.securityToken.empty() ? "AccessKey from the environment" : "STS token from the environment";
  }

 private:
  const CloudCredentials creds_;
};

class RrsaCredentials final : public OpenApiCredentials {
 public:
  RrsaCredentials(RrsaConfig config, std::vector<std::string> overrides)
      : session_(std::move(config), [overrides = std::move(overrides)](const StsHttpRequest& r) {
          std::string over = endpointOverrideFor(r.host, overrides);
          return post(over.empty() ? r.baseUrl : over, r);
        }) {}
  Result<CloudCredentials> get() override { return session_.get(); }
  std::string describe() const override { return session_.describe(); }

 private:
  static Result<StsHttpReply> post(const std::string& base, const StsHttpRequest& r) {
    auto reply =
        httpPost(base + r.target, {std::string("Content-Type: ") + kStsContentType}, r.body, std::chrono::seconds(10));
    if (!reply.isOk()) return reply.status();
    return StsHttpReply{reply->status, std::move(reply->body)};
  }

  RrsaSession session_;
};

}  // namespace

std::string endpointOverrideFor(const std::string& host, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq != std::string::npos && o.substr(0, eq) == host) return o.substr(eq + 1);
  }
  return "";
}

std::shared_ptr<OpenApiCredentials> makeRrsaOpenApiCredentials(RrsaConfig config,
                                                               std::vector<std::string> endpointOverrides) {
  return std::make_shared<RrsaCredentials>(std::move(config), std::move(endpointOverrides));
}

Result<std::shared_ptr<OpenApiCredentials>> openApiCredentialsFromEnvironment(
    const std::vector<std::string>& endpointOverrides) {
  CloudCredentials c = accessKeyFromEnv();
  if (!c.accessKeyId.empty() && !c.accessKeySecret.empty()) {
    return std::shared_ptr<OpenApiCredentials>(std::make_shared<AccessKeyCredentials>(std::move(c)));
  }
  if (!c.accessKeyId.empty() || !c.accessKeySecret.empty()) {
    return invalidArgument(
        "only one of ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET is set in the controller's "
        "environment: set both (Secret ossvp-controller-credentials, keys accessKeyId/accessKeySecret)");
  }
  auto rrsa = rrsaConfigFromEnv();
  if (rrsa.isOk()) return makeRrsaOpenApiCredentials(std::move(rrsa).value(), endpointOverrides);
  if (rrsa.status().code() != StatusCode::NotFound) return rrsa.status();
  return notFound(
      "no OpenAPI credentials for the NAS data-flow API: either set ALIBABA_CLOUD_ACCESS_KEY_ID and "
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET in the controller's environment (the Deployment reads them from Secret "
      "ossvp-controller-credentials, keys accessKeyId/accessKeySecret), or use RRSA: set ALIBABA_CLOUD_ROLE_ARN, "
      "ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (see docs/user-guide.md, bmcpfs "
      "credentials)");
}

}  // namespace ossvp::controller
