// httpPost: one blocking HTTP POST, the controller's transport for Alibaba
// Cloud OpenAPI calls (NAS data flows, STS AssumeRoleWithOIDC). It uses
// cpprestsdk, the controller's one HTTP client stack (the Kubernetes client
// uses it too). TLS peers are verified against the system CAs, host name
// included. The proxy comes from the environment as curl reads it:
// https_proxy / HTTPS_PROXY for https URLs, http_proxy for http ones,
// all_proxy / ALL_PROXY otherwise, except for hosts in no_proxy / NO_PROXY.
// The URL and body may hold secrets: they are never logged or put in an
// error here.
//
// Thread-safety: safe for concurrent calls (one client per call).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::controller {

struct PostReply {  // not HttpReply: that name is http_endpoint.h's (one definition per name)
  int status = 0;
  std::string body;
};

// `headers` are "Name: value" lines. `timeout` bounds connecting and every
// wait for the server's next bytes. Unavailable with the transport's reason
// when no HTTP answer was received.
Result<PostReply> httpPost(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                           std::chrono::seconds timeout);

// The proxy URL for `url` ("" for a direct connection), from the variables
// `getenv` returns (nullptr: unset). A proxy without a scheme is http://.
using EnvLookup = std::function<const char*(const char*)>;
std::string proxyForUrl(const std::string& url, const EnvLookup& getenv);

}  // namespace ossvp::controller
