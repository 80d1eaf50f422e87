// httpPost: one blocking HTTP POST with curl, the controller's transport for
// Alibaba Cloud OpenAPI calls (NAS data flows, STS AssumeRoleWithOIDC). TLS
// peers are verified (system CAs). The URL and body may hold secrets: they
// are never logged or put in an error here.
//
// Thread-safety: safe for concurrent calls (one curl handle per call).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::controller {

struct PostReply {  // not HttpReply: that name is http_endpoint.h's (one definition per name)
  int status = 0;
  std::string body;
};

// Unavailable with curl's reason when no HTTP answer was received.
Result<PostReply> httpPost(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                           std::chrono::seconds timeout);

}  // namespace ossvp::controller
