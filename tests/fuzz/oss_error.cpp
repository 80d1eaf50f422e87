// Fuzz target: OSS/S3 error responses — the <Error> XML body, the base64
// x-oss-err header of body-less responses — and their conversion to a Status.
// Input: status byte pair, then fields separated by '\n': x-oss-err header,
// request id, EC, bucket, key; the rest is the body.
// Invariants: no crash/UB/exception; a failed response never maps to an OK
// status and its message is never empty.
#include "ossvp/ossclient/oss_error.h"
#include "fuzz_util.h"

using namespace ossvp::ossclient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::FuzzInput in(data, size);
  int httpStatus = 400 + (in.byte() % 200);
  std::string_view errHeader = in.next();
  std::string_view requestId = in.next();
  std::string_view ec = in.next();
  std::string_view bucket = in.next();
  std::string_view key = in.next();
  std::string_view body = in.rest();

  auto parsed = parseOssErrorXml(body);
  if (parsed) (void)toStatus(*parsed, bucket, key);
  OssError err = ossErrorFromResponse(httpStatus, body, errHeader, requestId, ec);
  FUZZ_CHECK(err.httpStatus == httpStatus, "status changed");
  ossvp::Status s = toStatus(err, bucket, key);
  FUZZ_CHECK(!s.isOk(), "an HTTP " + std::to_string(httpStatus) + " error became OK");
  FUZZ_CHECK(!s.message().empty(), "empty error message");
  return 0;
}
