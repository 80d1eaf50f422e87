#include "endpoint.h"

#include <cctype>

#include "ossvp/common/percent_encoding.h"
#include "text_util.h"

namespace ossvp::ossclient {
namespace {

std::string stripPort(std::string_view hostPort) {
  if (!hostPort.empty() && hostPort.front() == '[') {
    size_t close = hostPort.find(']');
    return std::string(hostPort.substr(0, close == std::string_view::npos ? hostPort.size() : close + 1));
  }
  return std::string(hostPort.substr(0, hostPort.find(':')));
}

}  // namespace

bool isIpOrLocalHost(std::string_view host) {
  std::string h = stripPort(host);
  if (h == "localhost" || (!h.empty() && h.front() == '[')) return true;
  int dots = 0;
  for (char c : h) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

std::string overrideFor(const std::vector<EndpointOverride>& overrides, std::string_view host) {
  std::string h = asciiLower(stripPort(host));
  std::string hp = asciiLower(host);
  for (const auto& o : overrides) {
    if (o.host == h || o.host == hp) return o.url;
  }
  for (const auto& o : overrides) {
    if (h.size() > o.host.size() && h.compare(h.size() - o.host.size(), o.host.size(), o.host) == 0 &&
        h[h.size() - o.host.size() - 1] == '.') {
      return o.url;
    }
  }
  return "";
}

RequestTarget resolveTarget(const ClientOptions& options, const std::string& bucket, const std::string& key,
                            const std::string& encodedQuery) {
  const std::string& ep = options.endpoint;
  size_t schemeEnd = ep.find("://");
  std::string scheme = ep.substr(0, schemeEnd);
  std::string hostPort = ep.substr(schemeEnd + 3);
  hostPort = hostPort.substr(0, hostPort.find('/'));

  bool pathStyle =
      options.urlStyle == UrlStyle::Path || (options.urlStyle == UrlStyle::Auto && isIpOrLocalHost(hostPort));
  RequestTarget t;
  if (bucket.empty()) {
    t.hostHeader = hostPort;
    t.path.push_back('/');
  } else if (pathStyle) {
    t.hostHeader = hostPort;
    t.path.append("/").append(bucket).append("/").append(key);
  } else {
    t.hostHeader = bucket + "." + hostPort;
    t.path.append("/").append(key);
  }
  std::string pathAndQuery = percentEncode(t.path, SlashEncoding::kKeep);
  if (!encodedQuery.empty()) pathAndQuery += "?" + encodedQuery;
  std::string over = overrideFor(options.endpointOverrides, t.hostHeader);
  if (!over.empty()) {
    t.overridden = true;
    t.url = over + pathAndQuery;
  } else {
    t.url = scheme + "://" + t.hostHeader + pathAndQuery;
  }
  return t;
}

}  // namespace ossvp::ossclient
