#include "ossvp/ossclient/signer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "ossvp/common/base64.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/time_format.h"
#include "text_util.h"

namespace ossvp::ossclient {
namespace {

constexpr std::string_view kOssV4Algorithm = "OSS4-HMAC-SHA256";
constexpr std::string_view kAwsV4Algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Query keys OSS V1 signs (union of the Go v2 and C++ SDK lists).
const std::set<std::string, std::less<>>& ossV1SubResources() {
  static const std::set<std::string, std::less<>> k = {"acl",
                                                       "bucketInfo",
                                                       "location",
                                                       "stat",
                                                       "delete",
                                                       "append",
                                                       "tagging",
                                                       "objectMeta",
                                                       "uploads",
                                                       "uploadId",
                                                       "partNumber",
                                                       "security-token",
                                                       "position",
                                                       "response-content-type",
                                                       "response-content-language",
                                                       "response-expires",
                                                       "response-cache-control",
                                                       "response-content-disposition",
                                                       "response-content-encoding",
                                                       "restore",
                                                       "callback",
                                                       "callback-var",
                                                       "versions",
                                                       "versioning",
                                                       "versionId",
                                                       "sequential",
                                                       "continuation-token",
                                                       "regionList",
                                                       "cloudboxes",
                                                       "symlink",
                                                       "referer",
                                                       "cors",
                                                       "website",
                                                       "logging",
                                                       "qos",
                                                       "lifecycle",
                                                       "live",
                                                       "status",
                                                       "comp",
                                                       "vod",
                                                       "startTime",
                                                       "endTime",
                                                       "x-oss-process",
                                                       "policy",
                                                       "requestPayment",
                                                       "x-oss-traffic-limit",
                                                       "encryption",
                                                       "qosInfo",
                                                       "x-oss-request-payer",
                                                       "inventory",
                                                       "inventoryId",
                                                       "worm",
                                                       "wormId",
                                                       "wormExtend"};
  return k;
}

// Query keys AWS SigV2 signs.
const std::set<std::string, std::less<>>& s3V2SubResources() {
  static const std::set<std::string, std::less<>> k = {"acl",
                                                       "cors",
                                                       "delete",
                                                       "lifecycle",
                                                       "location",
                                                       "logging",
                                                       "notification",
                                                       "partNumber",
                                                       "policy",
                                                       "requestPayment",
                                                       "restore",
                                                       "tagging",
                                                       "torrent",
                                                       "uploadId",
                                                       "uploads",
                                                       "versionId",
                                                       "versioning",
                                                       "versions",
                                                       "website",
                                                       "response-content-type",
                                                       "response-content-language",
                                                       "response-expires",
                                                       "response-cache-control",
                                                       "response-content-disposition",
                                                       "response-content-encoding"};
  return k;
}

std::string headerOrEmpty(const HeaderMap& h, std::string_view name) {
  const std::string* v = findHeader(h, name);
  return v ? trimSpace(*v) : std::string();
}

const std::string* findQuery(const QueryParams& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) pos = s.size();
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

// Lowercased name -> trimmed value(s joined with ',') for headers passing `keep`.
template <typename Pred>
std::map<std::string, std::string> collectHeaders(const HeaderMap& headers, Pred keep) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : headers) {
    std::string n = asciiLower(trimSpace(name));
    if (!keep(n)) continue;
    auto [it, inserted] = out.emplace(n, trimSpace(value));
    if (!inserted) it->second += "," + trimSpace(value);
  }
  return out;
}

// "?k=v&k2" of the query keys `signed` selects, sorted, decoded values; "" if none.
template <typename Pred>
std::string subResourceString(const QueryParams& query, Pred isSigned) {
  std::vector<std::pair<std::string, std::string>> picked;
  for (const auto& kv : query) {
    if (isSigned(kv.first)) picked.push_back(kv);
  }
  if (picked.empty()) return "";
  std::stable_sort(picked.begin(), picked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "?";
  for (size_t i = 0; i < picked.size(); ++i) {
    if (i) out += '&';
    out += picked[i].first;
    if (!picked[i].second.empty()) out += "=" + picked[i].second;
  }
  return out;
}

// Canonical query for V4 schemes: encoded keys and values sorted by encoded key.
// `alwaysEquals`: AWS writes "k=" for empty values, OSS writes a bare "k".
std::string canonicalQuery(const QueryParams& query, bool alwaysEquals, std::string_view skipKey) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : query) {
    if (!skipKey.empty() && k == skipKey) continue;
    enc.emplace_back(percentEncode(k), percentEncode(v));
  }
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (size_t i = 0; i < enc.size(); ++i) {
    if (i) out += '&';
    out += enc[i].first;
    if (alwaysEquals || !enc[i].second.empty()) out += "=" + enc[i].second;
  }
  return out;
}

std::string resourcePath(const SignableRequest& req) {
  if (req.bucket.empty()) return "/" + req.key;
  return "/" + req.bucket + "/" + req.key;
}

std::string s3Path(const SignableRequest& req) { return req.path.empty() ? resourcePath(req) : req.path; }

std::string hmacChain(std::string key, const std::vector<std::string_view>& parts) {
  for (std::string_view p : parts) key = hmacSha256(key, p);
  return key;
}

// hmacChain, remembered per thread for its last inputs. A V4 signing key
// depends only on the secret, the day, the region and the product, so a
// client derives the same key for every request of the day: the memo spares
// four of the five HMACs per signature. Other inputs (the emulator verifying
// requests of several keys) just recompute.
std::string memoHmacChain(const std::string& key, const std::vector<std::string_view>& parts) {
  struct Memo {
    std::string key;
    std::vector<std::string> parts;
    std::string derived;
  };
  thread_local Memo memo;
  // The empty initial memo matches no call: every caller passes parts.
  if (memo.key != key || !std::equal(memo.parts.begin(), memo.parts.end(), parts.begin(), parts.end())) {
    memo.derived = hmacChain(key, parts);
    memo.key = key;
    memo.parts.assign(parts.begin(), parts.end());
  }
  return memo.derived;
}

std::string ossV4Scope(std::string_view date, const OssV4Params& p) {
  return std::string(date) + "/" + p.region + "/" + p.product + "/aliyun_v4_request";
}

std::string awsV4Scope(std::string_view date, const S3V4Params& p) {
  return std::string(date) + "/" + p.region + "/" + p.service + "/aws4_request";
}

std::string ossV4SignatureFor(const SignableRequest& req, std::string_view secret, std::string_view dateTime,
                              const OssV4Params& p, const std::vector<std::string>& additional) {
  std::string date(dateTime.substr(0, 8));
  std::string sts = ossV4StringToSign(dateTime, ossV4Scope(date, p), ossV4CanonicalRequest(req, additional));
  return hexEncode(hmacSha256(ossV4SigningKey(secret, date, p.region, p.product), sts));
}

std::string awsV4SignatureFor(const SignableRequest& req, std::string_view secret, std::string_view dateTime,
                              const S3V4Params& p, const std::vector<std::string>& signedHeaders) {
  std::string date(dateTime.substr(0, 8));
  std::string sts = std::string(kAwsV4Algorithm) + "\n" + std::string(dateTime) + "\n" + awsV4Scope(date, p) + "\n" +
                    sha256Hex(s3V4CanonicalRequest(req, signedHeaders));
  std::string key = memoHmacChain("AWS4" + std::string(secret), {date, p.region, p.service, "aws4_request"});
  return hexEncode(hmacSha256(key, sts));
}

std::vector<std::string> defaultS3SignedHeaders(const SignableRequest& req) {
  std::set<std::string> names = {"host", "x-amz-date"};
  for (const auto& [name, value] : req.headers) {
    std::string n = asciiLower(trimSpace(name));
    if (n.rfind("x-amz-", 0) == 0 || n == "content-md5" || n == "content-type" || n == "host") names.insert(n);
  }
  return {names.begin(), names.end()};
}

// "a=b, c=d" (either separator) -> map.
std::map<std::string, std::string> parseKeyValues(std::string_view s) {
  std::map<std::string, std::string> out;
  for (const std::string& item : split(s, ',')) {
    std::string t = trimSpace(item);
    size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    out[trimSpace(t.substr(0, eq))] = trimSpace(t.substr(eq + 1));
  }
  return out;
}

// Sets the payload-hash header (UNSIGNED-PAYLOAD unless present) and the STS token header.
void setPayloadAndToken(HeaderMap& headers, std::string_view payloadHeader, std::string_view tokenHeader,
                        const Credentials& creds) {
  if (findHeader(headers, payloadHeader) == nullptr) setHeader(headers, payloadHeader, std::string(kUnsignedPayload));
  if (!creds.securityToken.empty()) setHeader(headers, tokenHeader, creds.securityToken);
}

// Region and product/service of a presign credential "<ak>/<date>/<region>/<product>/<terminator>".
bool parseCredentialScope(const std::string* credential, std::string* region, std::string* product) {
  if (credential == nullptr) return false;
  std::vector<std::string> parts = split(*credential, '/');
  if (parts.size() < 5) return false;
  *region = parts[parts.size() - 3];
  *product = parts[parts.size() - 2];
  return true;
}

}  // namespace

const std::string* findHeader(const HeaderMap& headers, std::string_view name) {
  auto exact = headers.find(std::string(name));
  if (exact != headers.end()) return &exact->second;
  for (const auto& [k, v] : headers) {
    if (asciiIEquals(k, name)) return &v;
  }
  return nullptr;
}

void setHeader(HeaderMap& headers, std::string_view name, std::string value) {
  for (auto it = headers.begin(); it != headers.end();) {
    if (asciiIEquals(it->first, name)) {
      it = headers.erase(it);
    } else {
      ++it;
    }
  }
  headers[std::string(name)] = std::move(value);
}

std::string encodeQuery(const QueryParams& params, bool sort) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : params) enc.emplace_back(percentEncode(k), percentEncode(v));
  if (sort) std::stable_sort(enc.begin(), enc.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (size_t i = 0; i < enc.size(); ++i) {
    if (i) out += '&';
    out += enc[i].first;
    if (!enc[i].second.empty()) out += "=" + enc[i].second;
  }
  return out;
}

std::string hmacSha1Base64(std::string_view secret, std::string_view stringToSign) {
  return base64Encode(hmacSha1(secret, stringToSign));
}

// ------------------------------------------------------------------ OSS V1

std::string ossV1StringToSign(const SignableRequest& req, std::string_view dateLine,
                              const std::vector<std::string>& extraSubResources) {
  std::string out = req.method + "\n" + headerOrEmpty(req.headers, "Content-MD5") + "\n" +
                    headerOrEmpty(req.headers, "Content-Type") + "\n" + std::string(dateLine) + "\n";
  for (const auto& [name, value] :
       collectHeaders(req.headers, [](const std::string& n) { return n.rfind("x-oss-", 0) == 0; })) {
    out += name + ":" + value + "\n";
  }
  out += resourcePath(req);
  out += subResourceString(req.query, [&](const std::string& k) {
    return ossV1SubResources().count(k) > 0 || k.rfind("x-oss-", 0) == 0 ||
           std::find(extraSubResources.begin(), extraSubResources.end(), k) != extraSubResources.end();
  });
  return out;
}

std::string ossV1Authorization(const SignableRequest& req, const Credentials& creds) {
  std::string sts = ossV1StringToSign(req, headerOrEmpty(req.headers, "Date"));
  return "OSS " + creds.accessKeyId + ":" + hmacSha1Base64(creds.accessKeySecret, sts);
}

void signOssV1(SignableRequest& req, const Credentials& creds, int64_t now) {
  setHeader(req.headers, "Date", formatRfc1123(now));
  if (!creds.securityToken.empty()) setHeader(req.headers, "x-oss-security-token", creds.securityToken);
  setHeader(req.headers, "Authorization", ossV1Authorization(req, creds));
}

QueryParams presignOssV1(const SignableRequest& req, const Credentials& creds, int64_t expiresAt) {
  SignableRequest copy = req;
  if (!creds.securityToken.empty()) copy.query.emplace_back("security-token", creds.securityToken);
  std::string expires = std::to_string(expiresAt);
  QueryParams out = {{"OSSAccessKeyId", creds.accessKeyId},
                     {"Expires", expires},
                     {"Signature", hmacSha1Base64(creds.accessKeySecret, ossV1StringToSign(copy, expires))}};
  if (!creds.securityToken.empty()) out.emplace_back("security-token", creds.securityToken);
  return out;
}

// ------------------------------------------------------------------ OSS V4

std::vector<std::string> ossV4AdditionalHeaders(const SignableRequest& req, const std::vector<std::string>& requested) {
  std::set<std::string> out;
  for (const std::string& raw : requested) {
    std::string n = asciiLower(trimSpace(raw));
    if (n.empty() || n.rfind("x-oss-", 0) == 0 || n == "content-type" || n == "content-md5") continue;
    if (findHeader(req.headers, n) == nullptr) continue;
    out.insert(n);
  }
  return {out.begin(), out.end()};
}

std::string ossV4CanonicalRequest(const SignableRequest& req, const std::vector<std::string>& normalizedAdditional) {
  std::string out = req.method + "\n" + percentEncode(resourcePath(req), SlashEncoding::kKeep) + "\n" +
                    canonicalQuery(req.query, false, "x-oss-signature") + "\n";
  for (const auto& [name, value] : collectHeaders(req.headers, [&](const std::string& n) {
         return n.rfind("x-oss-", 0) == 0 || n == "content-type" || n == "content-md5" ||
                std::find(normalizedAdditional.begin(), normalizedAdditional.end(), n) != normalizedAdditional.end();
       })) {
    out += name + ":" + value + "\n";
  }
  out += "\n" + join(normalizedAdditional, ";") + "\n";
  const std::string* payload = findHeader(req.headers, "x-oss-content-sha256");
  out += payload ? trimSpace(*payload) : std::string(kUnsignedPayload);
  return out;
}

std::string ossV4StringToSign(std::string_view dateTime, std::string_view scope, std::string_view canonicalRequest) {
  return std::string(kOssV4Algorithm) + "\n" + std::string(dateTime) + "\n" + std::string(scope) + "\n" +
         sha256Hex(canonicalRequest);
}

std::string ossV4SigningKey(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                            std::string_view product) {
  return memoHmacChain("aliyun_v4" + std::string(secret), {yyyymmdd, region, product, "aliyun_v4_request"});
}

std::string ossV4Authorization(const SignableRequest& req, const Credentials& creds, const OssV4Params& params) {
  std::string dateTime = headerOrEmpty(req.headers, "x-oss-date");
  std::vector<std::string> additional = ossV4AdditionalHeaders(req, params.additionalHeaders);
  std::string out = std::string(kOssV4Algorithm) + " Credential=" + creds.accessKeyId + "/" +
                    ossV4Scope(dateTime.substr(0, 8), params);
  if (!additional.empty()) out += ",AdditionalHeaders=" + join(additional, ";");
  out += ",Signature=" + ossV4SignatureFor(req, creds.accessKeySecret, dateTime, params, additional);
  return out;
}

void signOssV4(SignableRequest& req, const Credentials& creds, const OssV4Params& params, int64_t now) {
  setHeader(req.headers, "x-oss-date", formatIso8601Basic(now));
  setHeader(req.headers, "Date", formatRfc1123(now));
  setPayloadAndToken(req.headers, "x-oss-content-sha256", "x-oss-security-token", creds);
  setHeader(req.headers, "Authorization", ossV4Authorization(req, creds, params));
}

QueryParams presignOssV4(const SignableRequest& req, const Credentials& creds, const OssV4Params& params,
                         int64_t signTime, int64_t expiresSeconds) {
  std::string dateTime = formatIso8601Basic(signTime);
  std::vector<std::string> additional = ossV4AdditionalHeaders(req, params.additionalHeaders);
  QueryParams added = {{"x-oss-signature-version", std::string(kOssV4Algorithm)},
                       {"x-oss-date", dateTime},
                       {"x-oss-expires", std::to_string(expiresSeconds)},
                       {"x-oss-credential", creds.accessKeyId + "/" + ossV4Scope(dateTime.substr(0, 8), params)}};
  if (!additional.empty()) added.emplace_back("x-oss-additional-headers", join(additional, ";"));
  if (!creds.securityToken.empty()) added.emplace_back("x-oss-security-token", creds.securityToken);
  SignableRequest copy = req;
  copy.query.insert(copy.query.end(), added.begin(), added.end());
  added.emplace_back("x-oss-signature", ossV4SignatureFor(copy, creds.accessKeySecret, dateTime, params, additional));
  return added;
}

std::string ossV4PresignSignature(const SignableRequest& req, std::string_view secret) {
  const std::string* dateTime = findQuery(req.query, "x-oss-date");
  OssV4Params params;
  if (!dateTime || dateTime->size() < 8 ||
      !parseCredentialScope(findQuery(req.query, "x-oss-credential"), &params.region, &params.product)) {
    return "";
  }
  std::vector<std::string> additional;
  if (const std::string* extra = findQuery(req.query, "x-oss-additional-headers"); extra && !extra->empty()) {
    additional = split(*extra, ';');
  }
  return ossV4SignatureFor(req, secret, *dateTime, params, additional);
}

// ------------------------------------------------------------------ AWS SigV4

std::string s3V4CanonicalRequest(const SignableRequest& req, const std::vector<std::string>& signedHeaders) {
  std::string out = req.method + "\n" + percentEncode(s3Path(req), SlashEncoding::kKeep) + "\n" +
                    canonicalQuery(req.query, true, "X-Amz-Signature") + "\n";
  std::vector<std::string> names;
  for (const std::string& n : signedHeaders) names.push_back(asciiLower(trimSpace(n)));
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string value = headerOrEmpty(req.headers, n);
    std::string collapsed;
    for (char c : value) {
      if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
      collapsed.push_back(c);
    }
    out += n + ":" + collapsed + "\n";
  }
  out += "\n" + join(names, ";") + "\n";
  const std::string* payload = findHeader(req.headers, "x-amz-content-sha256");
  out += payload ? trimSpace(*payload) : std::string(kUnsignedPayload);
  return out;
}

std::string s3V4Authorization(const SignableRequest& req, const Credentials& creds, const S3V4Params& params) {
  std::string dateTime = headerOrEmpty(req.headers, "x-amz-date");
  std::vector<std::string> names = params.signedHeaders.empty() ? defaultS3SignedHeaders(req) : params.signedHeaders;
  for (std::string& n : names) n = asciiLower(trimSpace(n));
  std::sort(names.begin(), names.end());
  return std::string(kAwsV4Algorithm) + " Credential=" + creds.accessKeyId + "/" +
         awsV4Scope(dateTime.substr(0, 8), params) + ", SignedHeaders=" + join(names, ";") +
         ", Signature=" + awsV4SignatureFor(req, creds.accessKeySecret, dateTime, params, names);
}

void signS3V4(SignableRequest& req, const Credentials& creds, const S3V4Params& params, int64_t now) {
  setHeader(req.headers, "x-amz-date", formatIso8601Basic(now));
  setPayloadAndToken(req.headers, "x-amz-content-sha256", "x-amz-security-token", creds);
  setHeader(req.headers, "Authorization", s3V4Authorization(req, creds, params));
}

QueryParams presignS3V4(const SignableRequest& req, const Credentials& creds, const S3V4Params& params,
                        int64_t signTime, int64_t expiresSeconds) {
  std::string dateTime = formatIso8601Basic(signTime);
  QueryParams added = {{"X-Amz-Algorithm", std::string(kAwsV4Algorithm)},
                       {"X-Amz-Credential", creds.accessKeyId + "/" + awsV4Scope(dateTime.substr(0, 8), params)},
                       {"X-Amz-Date", dateTime},
                       {"X-Amz-Expires", std::to_string(expiresSeconds)},
                       {"X-Amz-SignedHeaders", "host"}};
  if (!creds.securityToken.empty()) added.emplace_back("X-Amz-Security-Token", creds.securityToken);
  SignableRequest copy = req;
  copy.query.insert(copy.query.end(), added.begin(), added.end());
  added.emplace_back("X-Amz-Signature", awsV4SignatureFor(copy, creds.accessKeySecret, dateTime, params, {"host"}));
  return added;
}

std::string s3V4PresignSignature(const SignableRequest& req, std::string_view secret) {
  const std::string* dateTime = findQuery(req.query, "X-Amz-Date");
  const std::string* signedHeaders = findQuery(req.query, "X-Amz-SignedHeaders");
  S3V4Params params;
  if (!dateTime || !signedHeaders || dateTime->size() < 8 ||
      !parseCredentialScope(findQuery(req.query, "X-Amz-Credential"), &params.region, &params.service)) {
    return "";
  }
  return awsV4SignatureFor(req, secret, *dateTime, params, split(*signedHeaders, ';'));
}

// ------------------------------------------------------------------ AWS SigV2

std::string s3V2StringToSign(const SignableRequest& req, std::string_view dateLine) {
  std::string out = req.method + "\n" + headerOrEmpty(req.headers, "Content-MD5") + "\n" +
                    headerOrEmpty(req.headers, "Content-Type") + "\n" + std::string(dateLine) + "\n";
  for (const auto& [name, value] :
       collectHeaders(req.headers, [](const std::string& n) { return n.rfind("x-amz-", 0) == 0; })) {
    out += name + ":" + value + "\n";
  }
  out += percentEncode(resourcePath(req), SlashEncoding::kKeep);
  out += subResourceString(req.query, [](const std::string& k) { return s3V2SubResources().count(k) > 0; });
  return out;
}

std::string s3V2Authorization(const SignableRequest& req, const Credentials& creds) {
  std::string date = findHeader(req.headers, "x-amz-date") ? "" : headerOrEmpty(req.headers, "Date");
  return "AWS " + creds.accessKeyId + ":" + hmacSha1Base64(creds.accessKeySecret, s3V2StringToSign(req, date));
}

// ------------------------------------------------------------------ parsing

Result<ParsedAuthorization> parseAuthorization(std::string_view header) {
  std::string h = trimSpace(header);
  size_t space = h.find(' ');
  if (space == std::string::npos) {
    return invalidArgument("malformed Authorization header: no scheme/credential separator");
  }
  std::string scheme = h.substr(0, space);
  std::string rest = trimSpace(h.substr(space + 1));
  ParsedAuthorization out;
  if (scheme == "OSS" || scheme == "AWS") {
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return invalidArgument("malformed " + scheme + " Authorization header: expected '" + scheme +
                             " <AccessKeyId>:<Signature>'");
    }
    out.scheme = scheme == "OSS" ? ParsedAuthorization::Scheme::OssV1 : ParsedAuthorization::Scheme::AwsV2;
    out.accessKeyId = rest.substr(0, colon);
    out.signature = rest.substr(colon + 1);
    return out;
  }
  bool oss = scheme == kOssV4Algorithm;
  if (!oss && scheme != kAwsV4Algorithm) {
    return invalidArgument("unsupported Authorization scheme '" + scheme + "'");
  }
  out.scheme = oss ? ParsedAuthorization::Scheme::OssV4 : ParsedAuthorization::Scheme::AwsV4;
  auto kv = parseKeyValues(rest);
  std::vector<std::string> cred = split(kv["Credential"], '/');
  if (cred.size() < 5 || kv["Signature"].empty()) {
    return invalidArgument(
        "malformed " + scheme +
        " Authorization header: need Credential=<ak>/<date>/<region>/<product>/<terminator> and Signature=");
  }
  size_t n = cred.size();
  out.product = cred[n - 2];
  out.region = cred[n - 3];
  out.date = cred[n - 4];
  std::vector<std::string> akParts(cred.begin(), cred.begin() + static_cast<long>(n - 4));
  out.accessKeyId = join(akParts, "/");
  out.signature = kv["Signature"];
  std::string list = oss ? kv["AdditionalHeaders"] : kv["SignedHeaders"];
  if (!list.empty()) out.headers = split(list, ';');
  return out;
}

}  // namespace ossvp::ossclient
