#include "ossvp/ossclient/credentials.h"

#include "ossvp/common/secret_redactor.h"

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

}  // namespace

std::shared_ptr<CredentialsProvider> makeStaticCredentialsProvider(Credentials credentials) {
  registerSecret(credentials.accessKeySecret);
  registerSecret(credentials.securityToken);
  return std::make_shared<StaticProvider>(std::move(credentials), "static AccessKey");
}

Result<std::shared_ptr<CredentialsProvider>> makeEnvCredentialsProvider() {
  Credentials c = accessKeyFromEnv();
  if (c.accessKeyId.empty() && c.accessKeySecret.empty()) {
    return notFound("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set");
  }
  if (c.accessKeyId.empty() || c.accessKeySecret.empty()) {
    return invalidArgument(
        std::string("only one of ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET is set; ") +
        "set both (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)");
  }
  std::string name = c.securityToken.empty() ? "env AccessKey" : "env STS token";
  return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticProvider>(std::move(c), name));
}

Result<std::shared_ptr<CredentialsProvider>> makeDefaultCredentialsChain(const ClientOptions& transport) {
  auto env = makeEnvCredentialsProvider();
  if (env.isOk() || env.status().code() != StatusCode::NotFound) return env;
  auto rrsa = rrsaConfigFromEnv();
  if (!rrsa.isOk()) {
    if (rrsa.status().code() != StatusCode::NotFound) return rrsa.status();
    return Status(StatusCode::Unauthenticated,
                  "no OSS credentials configured: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                  "(plus ALIBABA_CLOUD_SECURITY_TOKEN for STS), or the RRSA variables ALIBABA_CLOUD_ROLE_ARN, "
                  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE");
  }
  RrsaOptions options;
  options.rrsa = std::move(rrsa).value();
  options.endpointOverrides = transport.endpointOverrides;
  options.verifyTls = transport.verifyTls;
  options.caFile = transport.caFile;
  return makeRrsaCredentialsProvider(std::move(options));
}

}  // namespace ossvp::ossclient
