#include "ossvp/controller/kube/api_errors.h"

#include <nlohmann/json.hpp>

namespace ossvp::controller::kube {

Status statusFromHttp(int httpCode, const std::string& body, const std::string& what) {
  std::string reason;
  std::string message;
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    reason = parsed.value("reason", "");
    message = parsed.value("message", "");
  }
  if (message.empty()) message = body.substr(0, 512);
  std::string text = what + ": HTTP " + std::to_string(httpCode) +
                     (reason.empty() ? "" : " " + reason) + ": " + message;
  switch (httpCode) {
    case 404:
      return {StatusCode::NotFound, text};
    case 409:
      return {reason == "AlreadyExists" ? StatusCode::AlreadyExists : StatusCode::PreconditionFailed,
              text};
    case 410:
      return {StatusCode::Timeout, text};
    case 400:
    case 415:
    case 422:
      return {StatusCode::InvalidArgument, text};
    case 401:
      return {StatusCode::Unauthenticated, text};
    case 403:
      return {StatusCode::PermissionDenied, text};
    default:
      return {StatusCode::Unavailable, text};
  }
}

bool isNotFound(const Status& s) { return s.code() == StatusCode::NotFound; }
bool isAlreadyExists(const Status& s) { return s.code() == StatusCode::AlreadyExists; }
bool isConflict(const Status& s) { return s.code() == StatusCode::PreconditionFailed; }
bool isExpired(const Status& s) { return s.code() == StatusCode::Timeout; }
bool isInvalid(const Status& s) { return s.code() == StatusCode::InvalidArgument; }

}  // namespace ossvp::controller::kube
