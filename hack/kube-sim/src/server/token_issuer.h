// TokenIssuer: mints and verifies service-account JWTs (RS256) shaped like
// the kube-apiserver's bound tokens (iss, sub system:serviceaccount:NS:NAME,
// aud, exp/iat/nbf, kubernetes.io{namespace, serviceaccount, pod}). Used by
// the TokenRequest subresource, projected token volumes (via
// ClusterContext::mintServiceAccountToken) and bearer-token authentication.
//
// Thread-safety: immutable after construction; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "store/cluster_context.h"

namespace ossvp::kubesim {

struct VerifiedToken {
  std::string ns;
  std::string serviceAccount;
  nlohmann::json claims;
};

class TokenIssuer {
 public:
  static constexpr const char* kIssuer = "https://kubernetes.default.svc.cluster.local";

  TokenIssuer(const std::string& privateKeyPem, ObjectStore* store);
  ~TokenIssuer();

  ApiResult<MintedToken> mint(const TokenRequestSpec& spec) const;
  // Signature + expiry check; nullopt if not a valid token of ours.
  std::optional<VerifiedToken> verify(const std::string& token) const;
  // The public key as a JWKS document ({"keys":[...]}).
  nlohmann::json jwks() const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  ObjectStore* store_;
};

}  // namespace ossvp::kubesim
