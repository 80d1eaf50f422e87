// StsService: STS AssumeRoleWithOIDC (RPC style, Version 2015-04-01) on the
// emulator's listener. Checks the OIDC token (a JWT: alg "none" or HS256 when
// a key is configured; `aud` must contain sts.aliyuncs.com; `exp` in the
// future; `iss` when configured), the RoleArn and OIDCProviderArn against the
// configured ones, RoleSessionName and DurationSeconds, then issues temporary
// credentials into the CredentialStore. OSS accepts them only with their
// security token and rejects them after Expiration (SecurityTokenExpired).
// Errors are STS JSON (RequestId/HostId/Code/Message/Recommend).
//
// Thread-safety: internally synchronized through CredentialStore.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ossvp/ossemu/auth.h"
#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

struct StsOptions {
  std::string roleArn;           // empty: any well-formed role ARN is accepted
  std::string oidcProviderArn;   // empty: any well-formed provider ARN is accepted
  std::string hmacKey;           // non-empty: tokens must be HS256-signed with it
  std::string issuer;            // non-empty: `iss` must match
  int64_t durationOverride = 0;  // >0: credentials live this many seconds whatever was asked
};

class StsService {
 public:
  StsService(CredentialStore& store, StsOptions options) : store_(store), opt_(std::move(options)) {}
  // params: the RPC parameters (query and form body merged).
  void assumeRoleWithOidc(const std::map<std::string, std::string>& params, const std::string& requestId, int64_t now,
                          HttpResponse* resp);

 private:
  CredentialStore& store_;
  StsOptions opt_;
};

// An RPC-style JSON error (STS, NAS): {RequestId, HostId, Code, Message, Recommend}.
void renderRpcError(int status, const std::string& code, const std::string& message, const std::string& requestId,
                    const std::string& hostId, HttpResponse* resp);

}  // namespace ossvp::ossemu
