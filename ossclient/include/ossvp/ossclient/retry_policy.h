// RetryPolicy: which failures are retried and how long to wait between
// attempts (exponential backoff with full jitter, bounded attempts).
// Idempotent requests (GET, HEAD, PUT object/part, DELETE) are retried on any
// transient failure; the others (POST initiate/complete multipart) only on
// rejections proving the server did not act: connection refused, 429, 503 SlowDown.
//
// Thread-safety: pure functions over value types.
#pragma once

#include <chrono>
#include <string_view>

namespace ossvp::ossclient {

struct RetryPolicy {
  int maxAttempts = 4;  // total attempts, >= 1
  std::chrono::milliseconds baseBackoff{200};
  std::chrono::milliseconds maxBackoff{20000};
};

// One failed attempt, as the transport saw it.
struct AttemptFailure {
  int httpStatus = 0;          // 0 when no HTTP response arrived
  std::string_view ossCode;    // OSS error code from the body / x-oss-err, may be empty
  int curlCode = 0;            // CURLcode, 0 when the transfer itself succeeded
  bool truncatedBody = false;  // fewer body bytes than Content-Length / the range promised
  bool crcMismatch = false;    // whole-object / upload CRC64 check failed
};

// True when this failure is transient and the request may be retried.
bool isRetryableFailure(const AttemptFailure& failure, bool idempotent);

// Delay before attempt number `attempt` (1 = the first retry):
// random01 * min(maxBackoff, baseBackoff * 2^(attempt-1)), random01 in [0,1).
std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempt, double random01);

}  // namespace ossvp::ossclient
