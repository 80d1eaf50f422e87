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

#include "ossvp/common/cloud_credentials.h"
#include "ossvp/common/result.h"
#include "ossvp/common/sts_oidc.h"
#include "ossvp/ossclient/client_options.h"

namespace ossvp::ossclient {

// The AccessKey pair and STS token/expiry type is common's (cloud_credentials.h).
using Credentials = ossvp::CloudCredentials;

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

// RRSA (common's RrsaSession, rrsa_session.h) with the STS call made by
// curl using the OSS client's transport settings.
struct RrsaOptions {
  RrsaConfig rrsa;  // role, provider, token file, STS endpoint: rrsaConfigFromEnv()
  std::vector<EndpointOverride> endpointOverrides;
  bool verifyTls = true;
  std::string caFile;
  std::chrono::milliseconds timeout{10000};
};

Result<std::shared_ptr<CredentialsProvider>> makeRrsaCredentialsProvider(RrsaOptions options);

// The standard chain: env AccessKey, else RRSA env; an actionable error
// saying which variables to set when neither is configured. `transport`
// provides endpoint overrides / TLS settings for the STS call.
Result<std::shared_ptr<CredentialsProvider>> makeDefaultCredentialsChain(const ClientOptions& transport);

}  // namespace ossvp::ossclient
