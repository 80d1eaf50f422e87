// Fuzz target: request signing and Authorization parsing (signer.h), the code
// both the client (signing) and the OSS emulator (verification) run.
// Input: method byte, then '\n'-separated fields: bucket, key, query
// ("k=v&k2", decoded), path, header lines ("Name: value", until an empty
// line); the rest is parsed as a raw Authorization header.
// Invariants, for every scheme (OSS V1, OSS V4, AWS V4, AWS V2):
//  - signing never crashes and parseAuthorization() reads back the access
//    key id and signature it produced (and, for V4, the scope);
//  - presigned URLs verify: recomputing the signature over the request plus
//    its presign parameters gives the signature that was issued;
//  - parseAuthorization() of arbitrary text never crashes.
#include <cctype>

#include "fuzz_util.h"
#include "ossvp/ossclient/signer.h"

using namespace ossvp::ossclient;

namespace {

constexpr int64_t kNow = 1700000000;  // 2023-11-14T22:13:20Z

SignableRequest requestFrom(ossvp::fuzz::FuzzInput& in) {
  static const char* kMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};
  SignableRequest req;
  req.method = kMethods[in.byte() % 5];
  req.bucket = std::string(in.next());
  req.key = std::string(in.next());
  std::string_view query = in.next();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    req.query.emplace_back(std::string(kv.substr(0, eq)),
                           eq == std::string_view::npos ? std::string() : std::string(kv.substr(eq + 1)));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  req.path = std::string(in.next());
  for (std::string_view line = in.next(); !line.empty(); line = in.next()) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    setHeader(req.headers, line.substr(0, colon), std::string(line.substr(colon + 1)));
  }
  return req;
}

void checkParsedBack(const std::string& header, const Credentials& creds, ParsedAuthorization::Scheme scheme) {
  auto parsed = parseAuthorization(header);
  FUZZ_CHECK(parsed.isOk(), "own Authorization header does not parse: " + header + ": " + parsed.status().message());
  FUZZ_CHECK(parsed->scheme == scheme, "scheme changed: " + header);
  FUZZ_CHECK(parsed->accessKeyId == creds.accessKeyId, "access key id changed: " + header);
  FUZZ_CHECK(!parsed->signature.empty(), "empty signature: " + header);
}

// A presigned copy of `base`: without query parameters that are themselves
// presign parameters (a request cannot be presigned twice).
SignableRequest presignable(const SignableRequest& base, std::string_view reservedPrefix) {
  SignableRequest req = base;
  std::erase_if(req.query, [&](const auto& kv) {
    if (kv.first.size() < reservedPrefix.size()) return false;
    for (size_t i = 0; i < reservedPrefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(kv.first[i])) != reservedPrefix[i]) return false;
    }
    return true;
  });
  return req;
}

std::string queryValue(const QueryParams& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::FuzzInput in(data, size);
  const SignableRequest base = requestFrom(in);
  Credentials creds{"LTAIfuzzAccessKey", "fuzz-secret-value", "", std::nullopt};
  if (!in.empty() && in.rest().front() == 'T') creds.securityToken = "sts-token-value";

  // Arbitrary Authorization text.
  auto any = parseAuthorization(in.rest());
  (void)any;

  {  // OSS V1
    SignableRequest req = base;
    signOssV1(req, creds, kNow);
    const std::string* auth = findHeader(req.headers, "Authorization");
    FUZZ_CHECK(auth != nullptr, "signOssV1 set no Authorization");
    checkParsedBack(*auth, creds, ParsedAuthorization::Scheme::OssV1);
    FUZZ_CHECK(*auth == ossV1Authorization(req, creds), "OSS V1 signature not reproducible");
  }
  {  // OSS V4, header and presigned
    OssV4Params params{"cn-hangzhou", "oss", {"Host", "content-md5", "X-Custom"}};
    SignableRequest req = base;
    signOssV4(req, creds, params, kNow);
    const std::string* auth = findHeader(req.headers, "Authorization");
    FUZZ_CHECK(auth != nullptr, "signOssV4 set no Authorization");
    checkParsedBack(*auth, creds, ParsedAuthorization::Scheme::OssV4);
    FUZZ_CHECK(*auth == ossV4Authorization(req, creds, params), "OSS V4 signature not reproducible");

    SignableRequest pre = presignable(base, "x-oss-");
    QueryParams extra = presignOssV4(pre, creds, params, kNow, 3600);
    pre.query.insert(pre.query.end(), extra.begin(), extra.end());
    std::string issued = queryValue(extra, "x-oss-signature");
    FUZZ_CHECK(!issued.empty(), "presignOssV4 issued no x-oss-signature");
    FUZZ_CHECK(ossV4PresignSignature(pre, creds.accessKeySecret) == issued, "OSS V4 presigned URL does not verify");
  }
  {  // AWS SigV4, header and presigned
    S3V4Params params{"us-east-1", "s3", {}};
    SignableRequest req = base;
    if (!findHeader(req.headers, "Host")) setHeader(req.headers, "Host", "s3.example.test");
    signS3V4(req, creds, params, kNow);
    const std::string* auth = findHeader(req.headers, "Authorization");
    FUZZ_CHECK(auth != nullptr, "signS3V4 set no Authorization");
    checkParsedBack(*auth, creds, ParsedAuthorization::Scheme::AwsV4);
    FUZZ_CHECK(*auth == s3V4Authorization(req, creds, params), "AWS V4 signature not reproducible");

    SignableRequest pre = presignable(base, "x-amz-");
    if (!findHeader(pre.headers, "Host")) setHeader(pre.headers, "Host", "s3.example.test");
    QueryParams extra = presignS3V4(pre, creds, params, kNow, 3600);
    pre.query.insert(pre.query.end(), extra.begin(), extra.end());
    std::string issued = queryValue(extra, "X-Amz-Signature");
    FUZZ_CHECK(!issued.empty(), "presignS3V4 issued no X-Amz-Signature");
    FUZZ_CHECK(s3V4PresignSignature(pre, creds.accessKeySecret) == issued, "AWS V4 presigned URL does not verify");
  }
  {  // AWS SigV2 (verification side only)
    SignableRequest req = base;
    if (!findHeader(req.headers, "Date")) setHeader(req.headers, "Date", "Tue, 14 Nov 2023 22:13:20 GMT");
    std::string auth = s3V2Authorization(req, creds);
    checkParsedBack(auth, creds, ParsedAuthorization::Scheme::AwsV2);
    (void)s3V2StringToSign(req, "1700003600");
  }
  (void)encodeQuery(base.query, true);
  (void)ossV1StringToSign(base, "1700003600", {"x-custom"});
  return 0;
}
