#include "ossvp/ossclient/client_options.h"

#include "text_util.h"

#include <algorithm>
#include <cctype>

namespace ossvp::ossclient {
namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "https://h:1/x" -> "h".
std::string hostOf(std::string_view endpoint) {
  size_t scheme = endpoint.find("://");
  if (scheme != std::string_view::npos) endpoint.remove_prefix(scheme + 3);
  size_t end = endpoint.find_first_of(":/");
  return asciiLower(endpoint.substr(0, end));
}

}  // namespace

Result<SignatureVersion> parseSignatureVersion(std::string_view text) {
  std::string t = asciiLower(text);
  if (t == "v1") return SignatureVersion::V1;
  if (t == "v4") return SignatureVersion::V4;
  if (t == "s3v4" || t == "s3") return SignatureVersion::S3V4;
  return invalidArgument("unknown signature version '" + std::string(text) + "': use v1, v4 or s3v4");
}

std::string_view signatureVersionName(SignatureVersion v) {
  switch (v) {
    case SignatureVersion::V1: return "v1";
    case SignatureVersion::V4: return "v4";
    case SignatureVersion::S3V4: return "s3v4";
  }
  return "?";
}

Result<EndpointOverride> parseEndpointOverride(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 >= text.size()) {
    return invalidArgument(
        "endpoint override '" + std::string(text) +
        "' must look like HOST=URL, e.g. oss-cn-hangzhou-internal.aliyuncs.com=http://127.0.0.1:9000");
  }
  EndpointOverride out{asciiLower(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (out.url.find("://") == std::string::npos) out.url = "http://" + out.url;
  if (out.url.rfind("http://", 0) != 0 && out.url.rfind("https://", 0) != 0) {
    return invalidArgument("endpoint override URL '" + out.url + "' must start with http:// or https://");
  }
  while (!out.url.empty() && out.url.back() == '/') out.url.pop_back();
  return out;
}

std::string regionFromEndpoint(std::string_view endpoint) {
  std::string host = hostOf(endpoint);
  if (!endsWith(host, ".aliyuncs.com")) return "";
  size_t dot = host.find('.');
  std::string first = host.substr(0, dot);
  std::string rest = host.substr(dot + 1);
  if (rest.rfind("oss.", 0) == 0 || rest.rfind("oss-", 0) == 0) {
    // "<bucket>.oss-cn-hangzhou.aliyuncs.com" or dual-stack "<region>.oss.aliyuncs.com".
    if (rest.rfind("oss.", 0) == 0) return first;
    return regionFromEndpoint(rest);
  }
  if (first.rfind("oss-", 0) != 0) return "";
  std::string region = first.substr(4);
  if (endsWith(region, "-internal")) region.resize(region.size() - 9);
  if (region.rfind("accelerate", 0) == 0) return "";
  return region;
}

Result<ClientOptions> normalizeOptions(ClientOptions o) {
  if (o.endpoint.empty()) {
    return invalidArgument(
        "no OSS endpoint configured: set it, e.g. oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000");
  }
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  if (o.endpoint.find("://") == std::string::npos) o.endpoint = "https://" + o.endpoint;
  if (o.endpoint.rfind("http://", 0) != 0 && o.endpoint.rfind("https://", 0) != 0) {
    return invalidArgument("endpoint '" + o.endpoint + "' must use http:// or https://");
  }
  if (o.region.empty()) o.region = regionFromEndpoint(o.endpoint);
  if (o.region.rfind("oss-", 0) == 0) o.region = o.region.substr(4);  // "oss-cn-hangzhou" -> bare id
  if (o.region.empty() && o.signatureVersion != SignatureVersion::V1) {
    return invalidArgument("signature " + std::string(signatureVersionName(o.signatureVersion)) +
                           " needs a region and none can be derived from endpoint '" + o.endpoint +
                           "': set the region (e.g. cn-hangzhou) or use signature v1");
  }
  if (o.ioThreads < 1) o.ioThreads = 1;
  if (o.maxConnections < 1) o.maxConnections = 1;
  if (o.retry.maxAttempts < 1) o.retry.maxAttempts = 1;
  for (auto& ov : o.endpointOverrides) ov.host = asciiLower(ov.host);
  return o;
}

}  // namespace ossvp::ossclient
