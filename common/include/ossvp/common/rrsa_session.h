// RrsaSession: RRSA credentials for one process. get() returns cached STS
// credentials, or exchanges the (re-read) OIDC token for new ones with
// AssumeRoleWithOIDC when none are cached or stsRefreshDue says so. A failed
// refresh keeps serving the current credentials until they expire (logged
// as a warning). The HTTP call itself is the caller's: a Transport that
// POSTs a StsHttpRequest and returns the HTTP status and body (or a Status
// for a transport failure), so ossclient and the controller share all of
// this without sharing an HTTP stack.
//
// Thread-safety: get() may be called concurrently; one refresh runs at a
// time and other callers wait for it.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "ossvp/common/result.h"
#include "ossvp/common/sts_oidc.h"

namespace ossvp {

struct StsHttpReply {
  int status = 0;
  std::string body;
};

class RrsaSession {
 public:
  using Transport = std::function<Result<StsHttpReply>(const StsHttpRequest&)>;

  RrsaSession(RrsaConfig config, Transport transport);

  Result<CloudCredentials> get();
  // For logs and errors, never a secret: "RRSA (role acs:ram::...:role/x)".
  std::string describe() const;
  const RrsaConfig& config() const { return config_; }

 private:
  Result<CloudCredentials> fetch();

  const RrsaConfig config_;
  const Transport transport_;
  std::mutex mu_;
  std::optional<CloudCredentials> cached_;
};

}  // namespace ossvp
