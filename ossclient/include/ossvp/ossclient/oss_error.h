// OssError: an OSS (or S3) error response — HTTP status, error code, message,
// request id — parsed from the XML body, or from the base64 x-oss-err header
// of body-less (HEAD) responses, and its conversion to an ossvp::Status with
// an actionable message, e.g.
//   "AccessDenied (HTTP 403): The OSS Access Key Id you provided does not
//    exist in our records. [RequestId 64F..., bucket b, key k]"
//
// Thread-safety: pure functions over value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ossvp/common/status.h"

namespace ossvp::ossclient {

struct OssError {
  int httpStatus = 0;
  std::string code;  // "NoSuchKey"; empty when the server sent no error document
  std::string message;
  std::string requestId;  // <RequestId> or x-oss-request-id
  std::string hostId;
  std::string ec;  // <EC> or x-oss-ec
};

// Parses an <Error> XML document; nullopt when `body` is not one.
std::optional<OssError> parseOssErrorXml(std::string_view body);

// Builds the error of a failed response from whatever it carries: the body,
// the x-oss-err header (base64 XML), the request-id / ec headers, the status.
OssError ossErrorFromResponse(int httpStatus, std::string_view body, std::string_view xOssErrHeader,
                              std::string_view requestIdHeader, std::string_view ecHeader);

// 403 -> PermissionDenied, NoSuchKey/NoSuchBucket/NoSuchUpload -> NotFound,
// 412 -> PreconditionFailed, 416 -> InvalidArgument, 5xx/SlowDown -> Unavailable, ...
StatusCode statusCodeFor(const OssError& error);

// The Status for `error` on bucket/key (either may be empty), with a hint on
// how to fix common causes (credentials, region, clock). Its serviceCode() is
// the OSS code (error.code) and its httpStatus() error.httpStatus.
Status toStatus(const OssError& error, std::string_view bucket, std::string_view key);

}  // namespace ossvp::ossclient
