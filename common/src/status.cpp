#include "ossvp/common/status.h"

#include <cerrno>

namespace ossvp {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::Ok: return "OK";
    case StatusCode::NotFound: return "NotFound";
    case StatusCode::AlreadyExists: return "AlreadyExists";
    case StatusCode::PermissionDenied: return "PermissionDenied";
    case StatusCode::Unauthenticated: return "Unauthenticated";
    case StatusCode::InvalidArgument: return "InvalidArgument";
    case StatusCode::PreconditionFailed: return "PreconditionFailed";
    case StatusCode::ResourceExhausted: return "ResourceExhausted";
    case StatusCode::Unavailable: return "Unavailable";
    case StatusCode::Timeout: return "Timeout";
    case StatusCode::Expired: return "Expired";
    case StatusCode::Cancelled: return "Cancelled";
    case StatusCode::Corruption: return "Corruption";
    case StatusCode::Unimplemented: return "Unimplemented";
    case StatusCode::Internal: return "Internal";
  }
  return "Unknown";
}

Status Status::fromService(StatusCode code, std::string message, std::string serviceCode, int httpStatus) {
  Status s(code, std::move(message));
  if (s.isOk()) return s;
  s.serviceCode_ = std::move(serviceCode);
  s.httpStatus_ = httpStatus;
  return s;
}

Status Status::withContext(std::string_view context) const {
  if (isOk()) return *this;
  Status s = *this;
  s.message_ = std::string(context) + ": " + message_;
  return s;
}

std::string Status::toString() const {
  if (isOk()) return "OK";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

int Status::toErrno() const {
  switch (code_) {
    case StatusCode::Ok: return 0;
    case StatusCode::NotFound: return ENOENT;
    case StatusCode::AlreadyExists: return EEXIST;
    case StatusCode::PermissionDenied:
    case StatusCode::Unauthenticated: return EACCES;
    case StatusCode::InvalidArgument: return EINVAL;
    case StatusCode::PreconditionFailed:
    case StatusCode::Expired: return ESTALE;
    case StatusCode::ResourceExhausted: return ENOSPC;
    case StatusCode::Timeout: return ETIMEDOUT;
    case StatusCode::Cancelled: return EINTR;
    case StatusCode::Unimplemented: return ENOTSUP;
    case StatusCode::Unavailable:
    case StatusCode::Corruption:
    case StatusCode::Internal: return EIO;
  }
  return EIO;
}

}  // namespace ossvp
