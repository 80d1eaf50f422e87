// CloudCredentials: an Alibaba Cloud AccessKey pair, optionally temporary
// (STS: a security token and an expiry), and the standard environment
// variables that configure a long-term or STS AccessKey. Shared by ossclient
// and the controller; RRSA (temporary credentials from an OIDC token) is in
// sts_oidc.h / rrsa_session.h.
//
// Thread-safety: a value type; accessKeyFromEnv only reads the environment.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ossvp {

struct CloudCredentials {
  std::string accessKeyId;
  std::string accessKeySecret;
  std::string securityToken;  // empty for a long-term AccessKey pair
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// ALIBABA_CLOUD_ACCESS_KEY_ID / _ACCESS_KEY_SECRET / ALIBABA_CLOUD_SECURITY_TOKEN,
// each "" when unset; the secret and token are registered for redaction.
// The caller decides what a missing or partial pair means.
CloudCredentials accessKeyFromEnv();

}  // namespace ossvp
