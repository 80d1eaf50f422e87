#include "ossvp/ossemu/auth.h"

#include <cstdlib>

#include "ossvp/ossclient/signer.h"
#include "ossvp/ossemu/oss_error.h"

namespace ossvp::ossemu {

namespace oc = ossvp::ossclient;

void CredentialStore::add(const StoredCredential& c) {
  std::lock_guard<std::mutex> lock(mu_);
  byAk_[c.accessKeyId] = c;
  if (!c.securityToken.empty()) tokenToAk_[c.securityToken] = c.accessKeyId;
}

std::optional<StoredCredential> CredentialStore::byAccessKey(const std::string& ak) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = byAk_.find(ak);
  if (it == byAk_.end()) return std::nullopt;
  return it->second;
}

std::optional<StoredCredential> CredentialStore::byToken(const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokenToAk_.find(token);
  if (it == tokenToAk_.end()) return std::nullopt;
  auto c = byAk_.find(it->second);
  if (c == byAk_.end()) return std::nullopt;
  return c->second;
}

namespace {

oc::SignableRequest signable(const HttpRequest& req, const RequestTarget& t, bool dropPresign) {
  static const char* kPresignKeys[] = {"OSSAccessKeyId", "Expires", "Signature", "AWSAccessKeyId"};
  oc::SignableRequest sr;
  sr.method = req.method;
  sr.bucket = t.bucket;
  sr.key = t.key;
  sr.path = t.decodedPath;
  for (const auto& [k, v] : req.query) {
    bool drop = false;
    if (dropPresign) {
      for (const char* p : kPresignKeys) drop = drop || k == p;
    }
    if (!drop) sr.query.emplace_back(k, v);
  }
  for (const auto& [k, v] : req.headers) {
    auto it = sr.headers.find(k);
    if (it == sr.headers.end()) {
      sr.headers[k] = v;
    } else {
      it->second += "," + v;
    }
  }
  return sr;
}

oc::Credentials toCreds(const StoredCredential& c) {
  oc::Credentials out;
  out.accessKeyId = c.accessKeyId;
  out.accessKeySecret = c.secret;
  out.securityToken = c.securityToken;
  return out;
}

std::string signatureOf(const std::string& authorization) {
  auto parsed = oc::parseAuthorization(authorization);
  return parsed.isOk() ? parsed->signature : std::string();
}

Status mismatch(const std::string& stringToSign) { return ossStatus("SignatureDoesNotMatch", stringToSign); }

Status expiredRequest() { return ossStatus("AccessDenied", "Request has expired."); }

}  // namespace

bool Authenticator::isS3Dialect(const HttpRequest& req) {
  const std::string* auth = req.header("authorization");
  if (auth) return auth->rfind("AWS", 0) == 0;
  if (req.hasQuery("X-Amz-Algorithm") || req.hasQuery("AWSAccessKeyId")) return true;
  if (req.hasQuery("OSSAccessKeyId") || req.hasQuery("x-oss-signature-version")) return false;
  for (const auto& [k, v] : req.headers) {
    if (k.rfind("x-amz-", 0) == 0) return true;
  }
  return false;
}

Status Authenticator::checkToken(const StoredCredential& c, const std::string* token, int64_t now) const {
  if (token && !token->empty()) {
    auto owner = store_.byToken(*token);
    if (!owner || owner->accessKeyId != c.accessKeyId) return ossStatus("InvalidSecurityToken");
  } else if (!c.securityToken.empty()) {
    return ossStatus("InvalidAccessKeyId");  // a temporary AccessKeyId is only valid with its token
  }
  if (c.expiresAt != 0 && now >= c.expiresAt) return ossStatus("SecurityTokenExpired");
  return Status::ok();
}

Status Authenticator::verify(const HttpRequest& req, const RequestTarget& target, int64_t now,
                             std::string* accessKeyId) const {
  accessKeyId->clear();
  auto lookup = [&](const std::string& ak, const std::string* token) -> Result<StoredCredential> {
    auto c = store_.byAccessKey(ak);
    if (!c) {
      if (token && !token->empty() && !store_.byToken(*token)) return ossStatus("InvalidSecurityToken");
      return ossStatus("InvalidAccessKeyId");
    }
    OSSVP_RETURN_IF_ERROR(checkToken(*c, token, now));
    *accessKeyId = ak;
    return *c;
  };
  auto skewed = [&](std::optional<int64_t> t) { return t && std::llabs(*t - now) > opt_.maxSkewSeconds; };

  if (const std::string* auth = req.header("authorization")) {
    auto parsed = oc::parseAuthorization(*auth);
    if (!parsed.isOk()) return ossStatus("InvalidArgument", "Authorization header is invalid.");
    oc::SignableRequest sr = signable(req, target, false);
    using S = oc::ParsedAuthorization::Scheme;
    bool aws = parsed->scheme == S::AwsV2 || parsed->scheme == S::AwsV4;
    const std::string* token = req.header(aws ? "x-amz-security-token" : "x-oss-security-token");
    OSSVP_ASSIGN_OR_RETURN(StoredCredential c, lookup(parsed->accessKeyId, token));
    oc::Credentials creds = toCreds(c);
    switch (parsed->scheme) {
      case S::OssV1: {
        const std::string* date = req.header("date");
        const std::string* ossDate = req.header("x-oss-date");
        if (skewed(date ? parseHttpDate(*date) : std::nullopt)) return ossStatus("RequestTimeTooSkewed");
        // The Date line is the Date header; clients sending only x-oss-date
        // (ali-oss) put that value there. Clients may also declare extra
        // sub-resources: accept a signature over all query keys too.
        std::vector<std::string> all;
        for (const auto& [k, v] : req.query) all.push_back(k);
        std::vector<std::string> dateLines{date ? *date : ""};
        if (ossDate && (!date || *date != *ossDate)) dateLines.push_back(*ossDate);
        for (const auto& line : dateLines) {
          const std::vector<std::string>* variants[] = {nullptr, &all};
          for (const auto* extra : variants) {
            std::string sts = extra ? oc::ossV1StringToSign(sr, line, *extra) : oc::ossV1StringToSign(sr, line);
            if (oc::hmacSha1Base64(c.secret, sts) == parsed->signature) return Status::ok();
          }
        }
        return mismatch(oc::ossV1StringToSign(sr, dateLines.back()));
      }
      case S::OssV4: {
        const std::string* date = req.header("x-oss-date");
        if (skewed(date ? parseIsoBasic(*date) : std::nullopt)) return ossStatus("RequestTimeTooSkewed");
        oc::OssV4Params p;
        p.region = parsed->region;
        p.product = parsed->product.empty() ? "oss" : parsed->product;
        p.additionalHeaders = parsed->headers;
        if (signatureOf(oc::ossV4Authorization(sr, creds, p)) == parsed->signature) return Status::ok();
        return mismatch(oc::ossV4CanonicalRequest(sr, oc::ossV4AdditionalHeaders(sr, parsed->headers)));
      }
      case S::AwsV4: {
        const std::string* date = req.header("x-amz-date");
        if (skewed(date ? parseIsoBasic(*date) : std::nullopt)) return ossStatus("RequestTimeTooSkewed");
        oc::S3V4Params p;
        p.region = parsed->region;
        p.service = parsed->product.empty() ? "s3" : parsed->product;
        p.signedHeaders = parsed->headers;
        if (signatureOf(oc::s3V4Authorization(sr, creds, p)) == parsed->signature) return Status::ok();
        return mismatch(oc::s3V4CanonicalRequest(sr, parsed->headers));
      }
      case S::AwsV2: {
        const std::string* date = req.header("x-amz-date");
        if (!date) date = req.header("date");
        if (skewed(date ? parseHttpDate(*date) : std::nullopt)) return ossStatus("RequestTimeTooSkewed");
        if (signatureOf(oc::s3V2Authorization(sr, creds)) == parsed->signature) return Status::ok();
        return mismatch(oc::s3V2StringToSign(sr, req.header("x-amz-date") ? "" : req.headerOr("date")));
      }
    }
    return ossStatus("AccessDenied", "unsupported authorization scheme");
  }

  // ---- presigned URLs
  if (const std::string* ak = req.queryValue("OSSAccessKeyId")) {
    int64_t expires = std::atoll(req.queryOr("Expires").c_str());
    if (expires < now) return expiredRequest();
    OSSVP_ASSIGN_OR_RETURN(StoredCredential c, lookup(*ak, req.queryValue("security-token")));
    oc::SignableRequest sr = signable(req, target, true);
    std::string sts = oc::ossV1StringToSign(sr, std::to_string(expires));
    if (oc::hmacSha1Base64(c.secret, sts) == req.queryOr("Signature")) return Status::ok();
    return mismatch(sts);
  }
  // V4 presigns (OSS and AWS): credential/date/expires/token/signature query names differ.
  auto v4Presign = [&](const char* credKey, const char* dateKey, const char* expiresKey, const char* tokenKey,
                       const char* sigKey, bool oss) -> Status {
    std::string cred = req.queryOr(credKey);
    auto signedAt = parseIsoBasic(req.queryOr(dateKey));
    int64_t validFor = std::atoll(req.queryOr(expiresKey).c_str());
    if (!signedAt) return ossStatus("InvalidArgument", std::string(dateKey) + " is invalid.");
    if (*signedAt + validFor < now) return expiredRequest();
    OSSVP_ASSIGN_OR_RETURN(StoredCredential c, lookup(cred.substr(0, cred.find('/')), req.queryValue(tokenKey)));
    oc::SignableRequest sr = signable(req, target, false);
    std::string want = oss ? oc::ossV4PresignSignature(sr, c.secret) : oc::s3V4PresignSignature(sr, c.secret);
    return want == req.queryOr(sigKey) ? Status::ok() : mismatch("");
  };
  if (req.queryOr("x-oss-signature-version") == "OSS4-HMAC-SHA256") {
    return v4Presign("x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-security-token", "x-oss-signature",
                     true);
  }
  if (req.queryOr("X-Amz-Algorithm") == "AWS4-HMAC-SHA256") {
    return v4Presign("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Security-Token", "X-Amz-Signature",
                     false);
  }
  if (const std::string* ak = req.queryValue("AWSAccessKeyId")) {
    int64_t expires = std::atoll(req.queryOr("Expires").c_str());
    if (expires < now) return expiredRequest();
    OSSVP_ASSIGN_OR_RETURN(StoredCredential c, lookup(*ak, req.queryValue("x-amz-security-token")));
    oc::SignableRequest sr = signable(req, target, true);
    std::string sts = oc::s3V2StringToSign(sr, std::to_string(expires));
    if (oc::hmacSha1Base64(c.secret, sts) == req.queryOr("Signature")) return Status::ok();
    return mismatch(sts);
  }
  if (opt_.allowAnonymous) return Status::ok();
  return ossStatus("AccessDenied", "anonymous");
}

}  // namespace ossvp::ossemu
