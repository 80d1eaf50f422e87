#include "ossvp/ossclient/oss_error.h"

#include <pugixml.hpp>

#include "ossvp/common/base64.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp::ossclient {
namespace {

std::string hintFor(const OssError& e) {
  const std::string& c = e.code;
  if (c == "InvalidAccessKeyId") {
    return " Check ALIBABA_CLOUD_ACCESS_KEY_ID (or the RRSA role) and that the key belongs to this endpoint's account.";
  }
  if (c == "SignatureDoesNotMatch") {
    return " Check the AccessKey secret, the region (V4 signs it) and --signature; a proxy rewriting the request also "
           "breaks signatures.";
  }
  if (c == "RequestTimeTooSkewed")
    return " The local clock differs from the server's by more than 15 minutes: fix NTP.";
  if (c == "SecurityTokenExpired" || c == "InvalidSecurityToken") {
    return " The STS token expired or is invalid: refresh the credentials (RRSA refreshes automatically).";
  }
  if (c == "AccessDenied")
    return " The credentials lack permission for this bucket/key (check the RAM policy and bucket policy).";
  if (c == "NoSuchBucket") return " Check the bucket name and that the endpoint is in the bucket's region.";
  if (c == "PermanentRedirect" || c == "AccessDeniedWrongRegion") {
    return " The bucket lives in another region: use that region's endpoint.";
  }
  return "";
}

}  // namespace

std::optional<OssError> parseOssErrorXml(std::string_view body) {
  if (body.empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return std::nullopt;
  pugi::xml_node err = doc.child("Error");
  if (!err) return std::nullopt;
  OssError out;
  out.code = err.child_value("Code");
  out.message = err.child_value("Message");
  out.requestId = err.child_value("RequestId");
  out.hostId = err.child_value("HostId");
  out.ec = err.child_value("EC");
  return out;
}

OssError ossErrorFromResponse(int httpStatus, std::string_view body, std::string_view xOssErrHeader,
                              std::string_view requestIdHeader, std::string_view ecHeader) {
  std::optional<OssError> parsed = parseOssErrorXml(body);
  if (!parsed && !xOssErrHeader.empty()) {
    if (auto decoded = base64Decode(xOssErrHeader)) parsed = parseOssErrorXml(*decoded);
  }
  OssError out = parsed.value_or(OssError{});
  out.httpStatus = httpStatus;
  if (out.requestId.empty()) out.requestId = std::string(requestIdHeader);
  if (out.ec.empty()) out.ec = std::string(ecHeader);
  if (out.code.empty()) {
    // No error document (HEAD, proxies): name the status as the SDKs do.
    switch (httpStatus) {
      case 403: out.code = "AccessDenied"; break;
      case 404: out.code = "NotFound"; break;
      case 412: out.code = "PreconditionFailed"; break;
      case 416: out.code = "InvalidRange"; break;
      case 503: out.code = "ServiceUnavailable"; break;
      default: out.code = "BadErrorResponse"; break;
    }
    if (out.message.empty()) {
      std::string snippet(body.substr(0, 200));
      out.message = snippet.empty() ? "the server sent no error details" : "unexpected response body: " + snippet;
    }
  }
  return out;
}

StatusCode statusCodeFor(const OssError& e) {
  const std::string& c = e.code;
  if (c == "NoSuchKey" || c == "NoSuchBucket" || c == "NoSuchUpload" || c == "NotFound") return StatusCode::NotFound;
  if (c == "SlowDown" || c == "ServiceUnavailable" || c == "InternalError" || c == "RequestTimeout") {
    return StatusCode::Unavailable;
  }
  if (c == "InvalidAccessKeyId" || c == "SecurityTokenExpired" || c == "InvalidSecurityToken") {
    return StatusCode::Unauthenticated;
  }
  if (c == "FileAlreadyExists" || c == "BucketAlreadyExists" || c == "ObjectAlreadyExists")
    return StatusCode::AlreadyExists;
  if (c == "EntityTooLarge" || c == "QuotaExceeded") return StatusCode::ResourceExhausted;
  switch (e.httpStatus) {
    case 401: return StatusCode::Unauthenticated;
    case 403: return StatusCode::PermissionDenied;
    case 404: return StatusCode::NotFound;
    case 304:
    case 412: return StatusCode::PreconditionFailed;
    case 409: return StatusCode::AlreadyExists;
    case 408: return StatusCode::Timeout;
    case 429: return StatusCode::Unavailable;
    case 400:
    case 416: return StatusCode::InvalidArgument;
    default: break;
  }
  if (e.httpStatus >= 500) return StatusCode::Unavailable;
  return StatusCode::Internal;
}

Status toStatus(const OssError& e, std::string_view bucket, std::string_view key) {
  std::string msg = e.code + " (HTTP " + std::to_string(e.httpStatus) + ")";
  if (!e.message.empty()) msg += ": " + e.message;
  std::string ctx;
  auto add = [&ctx](std::string_view label, std::string_view value) {
    if (value.empty()) return;
    if (!ctx.empty()) ctx += ", ";
    ctx += std::string(label) + std::string(value);
  };
  add("RequestId ", e.requestId);
  add("EC ", e.ec);
  add("bucket ", bucket);
  add("key ", key);
  if (!ctx.empty()) msg += " [" + ctx + "]";
  msg += hintFor(e);
  return Status::fromService(statusCodeFor(e), redactSecrets(msg), e.code, e.httpStatus);
}

}  // namespace ossvp::ossclient
