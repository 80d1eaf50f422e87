// ClientOptions: everything that configures a real OSS client — endpoint,
// region, URL style, signature version, endpoint overrides (curl
// --connect-to style), TLS, timeouts, retries, connection and thread limits.
//
// Thread-safety: plain value type.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/retry_policy.h"

namespace ossvp::ossclient {

enum class SignatureVersion { V1, V4, S3V4 };
enum class UrlStyle { Auto, VirtualHosted, Path };  // Auto: path style for IP / localhost endpoints

// "v1" | "v4" | "s3v4" (case-insensitive).
Result<SignatureVersion> parseSignatureVersion(std::string_view text);
std::string_view signatureVersionName(SignatureVersion v);

// Requests whose Host is `host` are sent to `url` (scheme://addr:port) instead;
// the Host header and the signature still use `host`.
struct EndpointOverride {
  std::string host;  // e.g. "bucket.oss-cn-hangzhou-internal.aliyuncs.com" or "oss-cn-hangzhou-internal.aliyuncs.com"
  std::string url;   // e.g. "http://127.0.0.1:9000"
};
// Parses "HOST=URL". An override for an endpoint host also applies to the
// virtual-hosted "<bucket>.<host>" names under it.
Result<EndpointOverride> parseEndpointOverride(std::string_view text);

struct ClientOptions {
  // "oss-cn-hangzhou.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com",
  // "http://127.0.0.1:9000". Scheme defaults to https.
  std::string endpoint;
  // Bare region id, e.g. "cn-hangzhou". Derived from an aliyuncs.com endpoint
  // when empty; required for V4 / S3V4 otherwise.
  std::string region;
  UrlStyle urlStyle = UrlStyle::Auto;
  SignatureVersion signatureVersion = SignatureVersion::V4;
  std::string product = "oss";  // V4 scope product ("oss-cloudbox" for CloudBox)
  std::vector<EndpointOverride> endpointOverrides;

  bool verifyTls = true;
  std::string caFile;  // PEM bundle; empty: system default

  std::chrono::milliseconds connectTimeout{5000};
  long lowSpeedLimitBytes = 1;            // abort when below this many bytes/s ...
  std::chrono::seconds lowSpeedTime{30};  // ... for this long
  RetryPolicy retry;

  int maxConnections = 64;  // total keep-alive connections
  int ioThreads = 2;        // libcurl multi event loops
  std::string userAgent = "ossvp-ossclient/0.1";
};

// "oss-cn-hangzhou-internal.aliyuncs.com" -> "cn-hangzhou"; "" when unknown.
std::string regionFromEndpoint(std::string_view endpoint);

// Checks an options set and fills derived fields (region); explains what is wrong.
Result<ClientOptions> normalizeOptions(ClientOptions options);

}  // namespace ossvp::ossclient
