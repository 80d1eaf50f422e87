// sendSingleRequest: one blocking HTTP request with libcurl, for the small
// calls beside the object traffic (STS AssumeRoleWithOIDC for RRSA, the
// populator's PATCH of its own pod). The object client's pooled, retrying
// I/O loop is for OSS; this is one request on a fresh handle, no retries.
// TLS peers are verified unless `verifyTls` is false; the proxy comes from
// the environment as curl reads it. URL, headers and body may hold secrets:
// they are never logged or put in an error here.
//
// Thread-safety: safe for concurrent calls (one curl handle per call).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::ossclient {

struct SingleRequest {
  std::string method = "GET";  // POST and PATCH send `body`
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10000};     // the whole exchange
  std::chrono::milliseconds connectTimeout{0};  // 0: bounded by `timeout` only
  bool verifyTls = true;
  std::string caFile;    // PEM bundle; empty: the system's CAs
  bool keepBody = true;  // false: the answer's body is discarded
};

struct SingleReply {
  int status = 0;
  std::string body;
};

// Unavailable with curl's reason when no HTTP answer was received.
Result<SingleReply> sendSingleRequest(const SingleRequest& request);

}  // namespace ossvp::ossclient
