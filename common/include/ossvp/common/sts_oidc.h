// RRSA building blocks, independent of any HTTP stack: the RRSA environment
// (ALIBABA_CLOUD_ROLE_ARN / _OIDC_PROVIDER_ARN / _OIDC_TOKEN_FILE / STS
// endpoint), reading the projected OIDC token, the STS AssumeRoleWithOIDC
// request (RPC style, Version 2015-04-01, anonymous POST, Format=JSON), its
// response parsed into temporary credentials, and when to refresh them.
// Used by ossclient (curl) and the controller (its own HTTP code) through
// RrsaSession (rrsa_session.h).
//
// Every secret seen here (OIDC token, AccessKeySecret, SecurityToken, also
// in percent-encoded form) is passed to ossvp::registerSecret.
//
// Thread-safety: pure functions (the environment is read, not written).
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>

#include "ossvp/common/cloud_credentials.h"
#include "ossvp/common/result.h"

namespace ossvp {

struct RrsaConfig {
  std::string roleArn;          // ALIBABA_CLOUD_ROLE_ARN
  std::string oidcProviderArn;  // ALIBABA_CLOUD_OIDC_PROVIDER_ARN
  std::string oidcTokenFile;    // ALIBABA_CLOUD_OIDC_TOKEN_FILE (re-read on every STS call: it is rotated)
  // ALIBABA_CLOUD_STS_ENDPOINT; "host" or "scheme://host[:port]". Default:
  // sts-vpc.<region>.aliyuncs.com with ALIBABA_CLOUD_STS_REGION and
  // ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true, sts.<region>.aliyuncs.com with a
  // region, else sts.aliyuncs.com.
  std::string stsEndpoint;
  std::string roleSessionName = "ossvp";    // ALIBABA_CLOUD_ROLE_SESSION_NAME
  int durationSeconds = 3600;               // 900..43200
  std::chrono::seconds refreshBefore{180};  // see stsRefreshDue
};

// Reads the RRSA variables. NotFound when ALIBABA_CLOUD_ROLE_ARN is unset,
// InvalidArgument (naming the missing variables) when only some are set.
Result<RrsaConfig> rrsaConfigFromEnv();

// The token in `file`, surrounding whitespace removed, registered as a
// secret. Unauthenticated, naming ALIBABA_CLOUD_OIDC_TOKEN_FILE and the file,
// when it cannot be read or is empty.
Result<std::string> readOidcToken(const std::string& file);

// One AssumeRoleWithOIDC call, for the caller's HTTP stack: POST
// baseUrl + target with `body` (Content-Type kStsContentType). `body` holds
// the OIDC token: never log it.
inline constexpr const char* kStsContentType = "application/x-www-form-urlencoded";
struct StsHttpRequest {
  std::string baseUrl;  // scheme://host[:port] from the config (https:// when none)
  std::string host;     // host[:port]: what an endpoint override maps
  std::string target;   // "/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=..."
  std::string body;     // RoleArn, OIDCProviderArn, OIDCToken, RoleSessionName, DurationSeconds
};
StsHttpRequest buildAssumeRoleWithOidcRequest(const RrsaConfig& config, const std::string& oidcToken, std::time_t now);

// Parses an STS AssumeRoleWithOIDC (or AssumeRole) JSON response. Non-200:
// PermissionDenied (401/403), Unavailable (5xx), InvalidArgument otherwise,
// with STS's Code, Message and RequestId and what to check. Registers the secrets.
Result<CloudCredentials> parseStsCredentialsResponse(int httpStatus, const std::string& body);

// True when `credentials` should be replaced at `now`: never without an
// expiration; otherwise once the time left is at most `refreshBefore`
// (credentials shorter-lived than that are exchanged on every use).
bool stsRefreshDue(const CloudCredentials& credentials, std::chrono::system_clock::time_point now,
                   std::chrono::seconds refreshBefore);

}  // namespace ossvp
