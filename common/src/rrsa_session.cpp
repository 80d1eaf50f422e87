#include "ossvp/common/rrsa_session.h"

#include "ossvp/common/log.h"

namespace ossvp {

RrsaSession::RrsaSession(RrsaConfig config, Transport transport)
    : config_(std::move(config)), transport_(std::move(transport)) {}

std::string RrsaSession::describe() const { return "RRSA (role " + config_.roleArn + ")"; }

Result<CloudCredentials> RrsaSession::get() {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::system_clock::now();
  if (cached_ && !stsRefreshDue(*cached_, now, config_.refreshBefore)) return *cached_;
  Result<CloudCredentials> fresh = fetch();
  if (fresh.isOk()) {
    cached_ = fresh.value();
    logInfo("RRSA: obtained STS credentials for role {} (AccessKeyId {})", config_.roleArn, cached_->accessKeyId);
    return *cached_;
  }
  if (cached_ && cached_->expiration && *cached_->expiration > now) {
    logWarn("RRSA: refresh failed, using the current credentials until they expire: {}", fresh.status().toString());
    return *cached_;
  }
  return fresh.status();
}

Result<CloudCredentials> RrsaSession::fetch() {
  OSSVP_ASSIGN_OR_RETURN(std::string token, readOidcToken(config_.oidcTokenFile));
  StsHttpRequest request = buildAssumeRoleWithOidcRequest(config_, token, std::time(nullptr));
  Result<StsHttpReply> reply = transport_(request);
  if (!reply.isOk()) {
    return Status(reply.status().code(), "STS AssumeRoleWithOIDC request to " + request.baseUrl +
                                             " failed: " + reply.status().message() +
                                             " (set ALIBABA_CLOUD_STS_ENDPOINT to a reachable STS endpoint)");
  }
  return parseStsCredentialsResponse(reply->status, reply->body);
}

}  // namespace ossvp
