// OssError: an error as real OSS reports it: HTTP status, Code, Message, and
// optional extra elements (BucketName, Key, StringToSign, ...). Rendered as
// the OSS error XML body (Code/Message/RequestId/HostId/...), or for HEAD
// requests as the base64 `x-oss-err` header with no body.
//
// Internally, storage and auth code return ossvp::Status whose message is
// "<OssCode>:<detail>"; ossErrorFromStatus() turns that into an OssError with
// the real status and message for that code.
//
// Thread-safety: pure functions on value types.
#pragma once

#include <string>

#include "ossvp/common/status.h"
#include "ossvp/ossemu/http.h"

namespace ossvp::ossemu {

struct OssError {
  int status = 500;
  std::string code = "InternalError";
  std::string message;
  KeyValues extra;  // extra child elements of <Error>
};

// The HTTP status and default message of a known OSS error code; unknown
// codes map to 500 InternalError.
OssError makeOssError(const std::string& code, std::string message = "");
OssError ossErrorFromStatus(const Status& st);
// "<code>:<detail>" as a Status, for code paths returning Status.
Status ossStatus(const std::string& code, const std::string& detail = "");

// Fills resp with the error (XML body, or x-oss-err header for HEAD).
void renderOssError(const OssError& err, const std::string& requestId, const std::string& hostId, bool headOnly,
                    HttpResponse* resp);

// 24 upper-case hex characters, like OSS request ids.
std::string newRequestId();

}  // namespace ossvp::ossemu
