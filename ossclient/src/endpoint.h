// Endpoint resolution: which URL a request for (bucket, key) goes to, which
// Host header it carries, and the path S3 signing sees — virtual-hosted vs
// path style, and endpoint overrides (curl --connect-to style).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ossvp/ossclient/client_options.h"

namespace ossvp::ossclient {

struct RequestTarget {
  std::string url;         // what libcurl connects to, query included
  std::string hostHeader;  // Host header ("bucket.oss-cn-hangzhou.aliyuncs.com[:port]")
  std::string path;        // decoded path as sent ("/key" or "/bucket/key"), for S3 signing
  bool overridden = false;
};

// True for dotted IPv4, bracketed IPv6 and "localhost" hosts.
bool isIpOrLocalHost(std::string_view host);

// The override URL for `host` (exact match, or an endpoint host that `host`
// is a subdomain of); empty when none applies.
std::string overrideFor(const std::vector<EndpointOverride>& overrides, std::string_view host);

// `options` must be normalized (endpoint has a scheme). `encodedQuery` has no '?'.
RequestTarget resolveTarget(const ClientOptions& options, const std::string& bucket, const std::string& key,
                            const std::string& encodedQuery);

}  // namespace ossvp::ossclient
