// Credentials and where they come from: a static AccessKey pair (optionally
// with an STS token), the standard environment variables, or RRSA (the pod's
// projected OIDC token exchanged with STS AssumeRoleWithOIDC, refreshed
// before expiry). Every secret loaded here is passed to ossvp::registerSecret.
//
// Thread-safety: providers are internally synchronized; get() may be called
// concurrently (a refresh happens once, other callers wait for it).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/client_options.h"

namespace ossvp::ossclient {

struct Credentials {
  std::string accessKeyId;
  std::string accessKeySecret;
  std::string securityToken;  // empty for a long-term AccessKey pair
  std::optional<std::chrono::system_clock::time_point> expiration;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials (refreshing them when they are about to expire).
  virtual Result<Credentials> get() = 0;
  // For logs and errors, never containing a secret: "env", "static", "rrsa(role=...)".
  virtual std::string describe() const = 0;
};

std::shared_ptr<CredentialsProvider> makeStaticCredentialsProvider(Credentials credentials);

// ALIBABA_CLOUD_ACCESS_KEY_ID / _ACCESS_KEY_SECRET [/ _SECURITY_TOKEN].
// NotFound when the id or secret is not set.
Result<std::shared_ptr<CredentialsProvider>> makeEnvCredentialsProvider();

struct RrsaOptions {
  std::string roleArn;          // ALIBABA_CLOUD_ROLE_ARN
  std::string oidcProviderArn;  // ALIBABA_CLOUD_OIDC_PROVIDER_ARN
  std::string oidcTokenFile;    // ALIBABA_CLOUD_OIDC_TOKEN_FILE (re-read on every STS call)
  // ALIBABA_CLOUD_STS_ENDPOINT; "host" or "scheme://host[:port]". Default:
  // sts-vpc.<region>.aliyuncs.com with ALIBABA_CLOUD_STS_REGION and
  // ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true, sts.<region>.aliyuncs.com with a
  // region, else sts.aliyuncs.com.
  std::string stsEndpoint;
  std::string roleSessionName = "ossvp";
  int durationSeconds = 3600;   // 900..43200
  std::chrono::seconds refreshBefore{180};  // refresh when expiring within this
  // Transport settings reused from the OSS client (overrides, TLS, timeouts).
  std::vector<EndpointOverride> endpointOverrides;
  bool verifyTls = true;
  std::string caFile;
  std::chrono::milliseconds timeout{10000};
};

// Reads the RRSA env vars; NotFound when ALIBABA_CLOUD_ROLE_ARN is unset,
// InvalidArgument when it is set but the others are missing.
Result<RrsaOptions> rrsaOptionsFromEnv();
Result<std::shared_ptr<CredentialsProvider>> makeRrsaCredentialsProvider(RrsaOptions options);

// The standard chain: env AccessKey, else RRSA env; an actionable error
// saying which variables to set when neither is configured. `transport`
// provides endpoint overrides / TLS settings for the STS call.
Result<std::shared_ptr<CredentialsProvider>> makeDefaultCredentialsChain(const ClientOptions& transport);

// Parses an STS AssumeRoleWithOIDC (or AssumeRole) JSON response. Registers the secrets.
Result<Credentials> parseStsCredentialsResponse(int httpStatus, const std::string& body);

}  // namespace ossvp::ossclient
