#include <catch2/catch.hpp>

#include "ossvp/ossclient/retry_policy.h"

using namespace ossvp::ossclient;

namespace {
AttemptFailure http(int status, std::string_view code = "") {
  AttemptFailure f;
  f.httpStatus = status;
  f.ossCode = code;
  return f;
}
AttemptFailure curl(int code) {
  AttemptFailure f;
  f.curlCode = code;
  return f;
}
}  // namespace

TEST_CASE("retry: transient failures of idempotent requests are retried", "[retry]") {
  CHECK(isRetryableFailure(http(500, "InternalError"), true));
  CHECK(isRetryableFailure(http(502), true));
  CHECK(isRetryableFailure(http(503, "SlowDown"), true));
  CHECK(isRetryableFailure(http(503, "ServiceUnavailable"), true));
  CHECK(isRetryableFailure(http(400, "RequestTimeout"), true));
  CHECK(isRetryableFailure(http(403, "RequestTimeTooSkewed"), true));
  CHECK(isRetryableFailure(http(429), true));
  CHECK(isRetryableFailure(http(408), true));
  for (int c : {7, 18, 28, 52, 55, 56}) CHECK(isRetryableFailure(curl(c), true));
  AttemptFailure truncated;
  truncated.truncatedBody = true;
  CHECK(isRetryableFailure(truncated, true));
  AttemptFailure crc;
  crc.crcMismatch = true;
  CHECK(isRetryableFailure(crc, true));
}

TEST_CASE("retry: permanent failures are not retried", "[retry]") {
  CHECK_FALSE(isRetryableFailure(http(403, "AccessDenied"), true));
  CHECK_FALSE(isRetryableFailure(http(403, "SignatureDoesNotMatch"), true));
  CHECK_FALSE(isRetryableFailure(http(404, "NoSuchKey"), true));
  CHECK_FALSE(isRetryableFailure(http(412, "PreconditionFailed"), true));
  CHECK_FALSE(isRetryableFailure(http(416, "InvalidRange"), true));
  CHECK_FALSE(isRetryableFailure(http(400, "InvalidArgument"), true));
  CHECK_FALSE(isRetryableFailure(curl(60), true));  // 60: peer certificate cannot be authenticated
  CHECK_FALSE(isRetryableFailure(curl(1), true));   // unsupported protocol
}

TEST_CASE("retry: non-idempotent requests only retry proven rejections", "[retry]") {
  CHECK_FALSE(isRetryableFailure(http(500, "InternalError"), false));
  CHECK_FALSE(isRetryableFailure(curl(56), false));  // reset mid-response: the server may have acted
  AttemptFailure truncated;
  truncated.truncatedBody = true;
  CHECK_FALSE(isRetryableFailure(truncated, false));
  CHECK(isRetryableFailure(curl(7), false));  // connection refused: nothing was sent
  CHECK(isRetryableFailure(http(503, "SlowDown"), false));
  CHECK(isRetryableFailure(http(429), false));
}

TEST_CASE("retry: exponential backoff with full jitter, capped", "[retry]") {
  RetryPolicy p;
  p.baseBackoff = std::chrono::milliseconds(200);
  p.maxBackoff = std::chrono::milliseconds(5000);
  CHECK(backoffDelay(p, 1, 0.999).count() == 199);
  CHECK(backoffDelay(p, 2, 0.5).count() == 200);
  CHECK(backoffDelay(p, 3, 0.5).count() == 400);
  CHECK(backoffDelay(p, 10, 0.5).count() == 2500);  // capped at maxBackoff
  CHECK(backoffDelay(p, 60, 0.5).count() == 2500);  // no overflow
  CHECK(backoffDelay(p, 1, 0.0).count() == 0);
  CHECK(backoffDelay(p, 4, 2.0).count() == 1600);  // random clamped to 1
}
