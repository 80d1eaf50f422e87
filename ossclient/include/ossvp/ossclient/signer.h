// Request signing for OSS V1 ("OSS ak:sig"), OSS V4 ("OSS4-HMAC-SHA256"),
// AWS SigV4 (S3-compatible endpoints) and AWS SigV2 (verification only), in
// header and presigned-URL (query) form.
//
// Everything works on a SignableRequest: a plain description of an HTTP
// request (no transport types), so the same functions sign outgoing requests
// in the client and VERIFY incoming ones in the OSS emulator: parse the
// request into a SignableRequest, parse its Authorization header with
// parseAuthorization(), recompute with the *Authorization()/..Signature()
// function for that scheme and compare.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/credentials.h"

namespace ossvp::ossclient {

// Decoded query parameters in wire order; an empty value is a bare key ("?uploads").
using QueryParams = std::vector<std::pair<std::string, std::string>>;
// Header names in any case (lookups are case-insensitive); one value per name
// (join repeated headers with ',').
using HeaderMap = std::map<std::string, std::string>;

struct SignableRequest {
  std::string method;  // "GET", "PUT", "HEAD", "POST", "DELETE"
  std::string bucket;  // empty for service-level requests
  std::string key;     // raw (decoded) object key; empty for bucket-level requests
  QueryParams query;   // decoded
  HeaderMap headers;   // as sent (Date, x-oss-*, Content-Type, Host, ...)
  // S3 signatures only: the decoded request path as sent ("/bucket/key" path
  // style, "/key" virtual-hosted). Empty: "/" + bucket + "/" + key.
  std::string path;
};

// Case-insensitive header lookup; nullptr when absent.
const std::string* findHeader(const HeaderMap& headers, std::string_view name);
// Sets (replacing any differently-cased duplicate) a header.
void setHeader(HeaderMap& headers, std::string_view name, std::string value);

// Encodes params as "k=v&k2" (RFC 3986, %20), optionally sorted by encoded key.
std::string encodeQuery(const QueryParams& params, bool sort);

// base64(HMAC-SHA1(secret, stringToSign)): the OSS V1 and AWS V2 signature.
std::string hmacSha1Base64(std::string_view secret, std::string_view stringToSign);

// ---------------------------------------------------------------- OSS V1
// `dateLine` is the Date header value (header auth) or the Expires number
// (presign). `extraSubResources` are query keys signed besides the standard list.
std::string ossV1StringToSign(const SignableRequest& req, std::string_view dateLine,
                              const std::vector<std::string>& extraSubResources = {});
// "OSS <ak>:<sig>" for a request that already carries its Date header.
std::string ossV1Authorization(const SignableRequest& req, const Credentials& creds);
// Sets Date, x-oss-security-token (STS) and Authorization.
void signOssV1(SignableRequest& req, const Credentials& creds, int64_t now);
// Query parameters to append for a presigned URL valid until `expiresAt`
// (unix seconds): OSSAccessKeyId, Expires, Signature [, security-token].
QueryParams presignOssV1(const SignableRequest& req, const Credentials& creds, int64_t expiresAt);

// ---------------------------------------------------------------- OSS V4
struct OssV4Params {
  std::string region;                          // bare id: "cn-hangzhou"
  std::string product = "oss";                 // "oss-cloudbox" for CloudBox
  std::vector<std::string> additionalHeaders;  // extra headers to sign (any case)
};
// The additional-headers list as signed: lowercased, de-duplicated, minus
// default-signed names and names the request lacks, sorted.
std::vector<std::string> ossV4AdditionalHeaders(const SignableRequest& req, const std::vector<std::string>& requested);
// `normalizedAdditional` as returned by ossV4AdditionalHeaders. The payload
// hash line is the x-oss-content-sha256 header, else UNSIGNED-PAYLOAD.
std::string ossV4CanonicalRequest(const SignableRequest& req, const std::vector<std::string>& normalizedAdditional);
std::string ossV4StringToSign(std::string_view dateTime, std::string_view scope, std::string_view canonicalRequest);
std::string ossV4SigningKey(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                            std::string_view product);  // raw bytes
// Authorization for a request carrying its x-oss-date header.
std::string ossV4Authorization(const SignableRequest& req, const Credentials& creds, const OssV4Params& params);
// Sets x-oss-date, Date, x-oss-content-sha256 (if absent), x-oss-security-token, Authorization.
void signOssV4(SignableRequest& req, const Credentials& creds, const OssV4Params& params, int64_t now);
// Query parameters to append for a presigned URL (x-oss-signature-version,
// x-oss-date, x-oss-expires, x-oss-credential, [x-oss-additional-headers,
// x-oss-security-token,] x-oss-signature).
QueryParams presignOssV4(const SignableRequest& req, const Credentials& creds, const OssV4Params& params,
                         int64_t signTime, int64_t expiresSeconds);
// Recomputes x-oss-signature for a request whose query holds the presign
// parameters (x-oss-signature itself is ignored). Empty on malformed params.
std::string ossV4PresignSignature(const SignableRequest& req, std::string_view secret);

// ---------------------------------------------------------------- AWS SigV4 (S3)
struct S3V4Params {
  std::string region;  // e.g. "us-east-1"
  std::string service = "s3";
  // Lower-case names to sign; empty: host, x-amz-content-sha256, x-amz-date,
  // plus content-md5, content-type and x-amz-security-token when present.
  std::vector<std::string> signedHeaders;
};
// Canonical request; payload hash from x-amz-content-sha256, else UNSIGNED-PAYLOAD.
std::string s3V4CanonicalRequest(const SignableRequest& req, const std::vector<std::string>& signedHeaders);
// Authorization for a request carrying x-amz-date (and Host).
std::string s3V4Authorization(const SignableRequest& req, const Credentials& creds, const S3V4Params& params);
// Sets x-amz-date, x-amz-content-sha256 (if absent), x-amz-security-token, Authorization.
// The Host header must already be set.
void signS3V4(SignableRequest& req, const Credentials& creds, const S3V4Params& params, int64_t now);
// X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders
// [, X-Amz-Security-Token], X-Amz-Signature. Signs only "host".
QueryParams presignS3V4(const SignableRequest& req, const Credentials& creds, const S3V4Params& params,
                        int64_t signTime, int64_t expiresSeconds);
// Recomputes X-Amz-Signature of a presigned request (X-Amz-Signature ignored).
std::string s3V4PresignSignature(const SignableRequest& req, std::string_view secret);

// ---------------------------------------------------------------- AWS SigV2 (S3)
// `dateLine`: the Date header ("" when x-amz-date is sent) or the Expires number.
std::string s3V2StringToSign(const SignableRequest& req, std::string_view dateLine);
// "AWS <ak>:<sig>" for a request carrying Date or x-amz-date.
std::string s3V2Authorization(const SignableRequest& req, const Credentials& creds);

// ---------------------------------------------------------------- parsing
struct ParsedAuthorization {
  enum class Scheme { OssV1, OssV4, AwsV2, AwsV4 } scheme = Scheme::OssV1;
  std::string accessKeyId;
  std::string signature;
  // V4 only: the credential scope parts and the signed/additional header list.
  std::string date;  // YYYYMMDD
  std::string region;
  std::string product;               // "oss" / "s3"
  std::vector<std::string> headers;  // AdditionalHeaders (OSS V4) or SignedHeaders (AWS V4)
};
// Parses an Authorization header of any of the four schemes.
Result<ParsedAuthorization> parseAuthorization(std::string_view header);

}  // namespace ossvp::ossclient
