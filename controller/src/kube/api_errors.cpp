#include "ossvp/controller/kube/api_errors.h"

#include <nlohmann/json.hpp>

namespace ossvp::controller::kube {
namespace {

StatusCode statusCodeForHttp(int httpCode, const std::string& reason) {
  switch (httpCode) {
    case 404: return StatusCode::NotFound;
    case 409: return reason == "AlreadyExists" ? StatusCode::AlreadyExists : StatusCode::PreconditionFailed;
    case 410: return StatusCode::Expired;
    case 400:
    case 415:
    case 422: return StatusCode::InvalidArgument;
    case 401: return StatusCode::Unauthenticated;
    case 403: return StatusCode::PermissionDenied;
    default: return StatusCode::Unavailable;
  }
}

}  // namespace

Status statusFromHttp(int httpCode, const std::string& body, const std::string& what) {
  std::string reason;
  std::string message;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    reason = parsed.value("reason", "");
    message = parsed.value("message", "");
  }
  if (message.empty()) message = body.substr(0, 512);
  std::string text =
      what + ": HTTP " + std::to_string(httpCode) + (reason.empty() ? "" : " " + reason) + ": " + message;
  return Status::fromService(statusCodeForHttp(httpCode, reason), std::move(text), reason, httpCode);
}

bool isNotFound(const Status& s) { return s.code() == StatusCode::NotFound; }
bool isAlreadyExists(const Status& s) { return s.code() == StatusCode::AlreadyExists; }
bool isConflict(const Status& s) { return s.code() == StatusCode::PreconditionFailed; }
bool isExpired(const Status& s) { return s.code() == StatusCode::Expired; }
bool isInvalid(const Status& s) { return s.code() == StatusCode::InvalidArgument; }

}  // namespace ossvp::controller::kube
