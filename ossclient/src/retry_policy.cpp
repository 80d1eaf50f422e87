#include "ossvp/ossclient/retry_policy.h"

#include <algorithm>

namespace ossvp::ossclient {
namespace {

// libcurl codes that mean the connection or transfer broke (CURLcode values).
bool isTransientCurlCode(int code) {
  switch (code) {
    case 6:   // COULDNT_RESOLVE_HOST (DNS hiccup)
    case 7:   // COULDNT_CONNECT
    case 18:  // PARTIAL_FILE
    case 28:  // OPERATION_TIMEDOUT
    case 35:  // SSL_CONNECT_ERROR
    case 52:  // GOT_NOTHING
    case 55:  // SEND_ERROR
    case 56:  // RECV_ERROR
    case 65:  // SEND_FAIL_REWIND
    case 92:  // HTTP2_STREAM
      return true;
    default: return false;
  }
}

}  // namespace

bool isRetryableFailure(const AttemptFailure& f, bool idempotent) {
  if (!idempotent) {
    // Only rejections that prove the server did not act on the request.
    return f.curlCode == 7 || f.httpStatus == 429 || (f.httpStatus == 503 && f.ossCode == "SlowDown");
  }
  if (f.truncatedBody || f.crcMismatch) return true;
  if (f.curlCode != 0) return isTransientCurlCode(f.curlCode);
  if (f.ossCode == "SlowDown" || f.ossCode == "RequestTimeout" || f.ossCode == "RequestTimeTooSkewed" ||
      f.ossCode == "InternalError" || f.ossCode == "ServiceUnavailable") {
    return true;
  }
  return f.httpStatus >= 500 || f.httpStatus == 408 || f.httpStatus == 429;
}

std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempt, double random01) {
  int shift = std::clamp(attempt - 1, 0, 30);
  long long cap = policy.baseBackoff.count() << shift;
  cap = std::min<long long>(cap, policy.maxBackoff.count());
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(cap) * random01));
}

}  // namespace ossvp::ossclient
