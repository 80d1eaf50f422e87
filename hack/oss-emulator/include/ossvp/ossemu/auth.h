// Request authentication, as real OSS does it, for both dialects: OSS V1
// ("OSS ak:sig") and V4 ("OSS4-HMAC-SHA256") in header and presigned forms,
// AWS SigV4 (header and presigned query) and AWS SigV2 (header and query).
// Signatures are recomputed with ossclient's signing functions (one signing
// implementation in the project) and compared.
//
// CredentialStore holds the long-term AccessKey pair and the temporary
// credentials STS issued (AccessKeyId, secret, security token, expiry).
//
// Thread-safety: CredentialStore is internally synchronized; Authenticator
// is immutable after construction.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ossvp/common/status.h"
#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

struct StoredCredential {
  std::string accessKeyId;
  std::string secret;
  std::string securityToken;  // empty for the long-term pair
  int64_t expiresAt = 0;      // unix seconds; 0 = never
};

class CredentialStore {
 public:
  void add(const StoredCredential& c);
  std::optional<StoredCredential> byAccessKey(const std::string& ak) const;
  std::optional<StoredCredential> byToken(const std::string& token) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, StoredCredential> byAk_;
  std::map<std::string, std::string> tokenToAk_;
};

// What a request is addressed to (from Host and path), needed for signing.
struct RequestTarget {
  std::string bucket;
  std::string key;          // decoded
  std::string decodedPath;  // decoded path as sent ("/key" virtual-hosted)
};

struct AuthOptions {
  bool allowAnonymous = false;
  int64_t maxSkewSeconds = 15 * 60;
};

class Authenticator {
 public:
  Authenticator(const CredentialStore& store, AuthOptions options) : store_(store), opt_(options) {}
  // Ok, or a Status "<OssCode>:<detail>" (see oss_error.h). *accessKeyId is
  // set to the caller's AccessKeyId (empty when anonymous).
  Status verify(const HttpRequest& req, const RequestTarget& target, int64_t now, std::string* accessKeyId) const;
  // True when the request uses the S3 dialect (AWS signature or x-amz-* headers).
  static bool isS3Dialect(const HttpRequest& req);

 private:
  Status checkToken(const StoredCredential& c, const std::string* token, int64_t now) const;
  const CredentialStore& store_;
  AuthOptions opt_;
};

}  // namespace ossvp::ossemu
