// Status: the outcome of an operation that returns no value — Ok, or a code
// with a human-readable message (what is wrong, where, how to fix it). A
// failure answered by a remote service (OSS, NAS OpenAPI, Kubernetes) also
// carries that service's own error code ("NoSuchKey", "Expired") and HTTP
// status, so callers branch on them instead of searching the message.
// Result<T> (result.h) carries a value or a Status.
//
// Thread-safety: immutable value type; safe to copy across threads.
#pragma once

#include <string>
#include <string_view>

namespace ossvp {

enum class StatusCode {
  Ok = 0,
  NotFound,
  AlreadyExists,
  PermissionDenied,
  Unauthenticated,
  InvalidArgument,
  PreconditionFailed,
  ResourceExhausted,  // out of space, quota, memory budget
  Unavailable,        // transient: retry may succeed
  Timeout,            // a deadline passed: the operation took too long
  Expired,            // a version or token the request named is gone (HTTP 410): start over from fresh state
  Cancelled,
  Corruption,  // checksum mismatch, truncated data
  Unimplemented,
  Internal,
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  // A failure reported by a remote service: `serviceCode` is the error code
  // the service sent ("NoSuchKey", "QuotaExceeded.DataFlow", "Expired"),
  // `httpStatus` the HTTP status of its answer.
  static Status fromService(StatusCode code, std::string message, std::string serviceCode, int httpStatus);

  bool isOk() const { return code_ == StatusCode::Ok; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The remote service's error code; empty when the failure is not a service's answer.
  const std::string& serviceCode() const { return serviceCode_; }
  // The HTTP status of the service's answer; 0 when there was none.
  int httpStatus() const { return httpStatus_; }

  // Returns a copy whose message is prefixed with `context: ` (code, service
  // code and HTTP status unchanged).
  Status withContext(std::string_view context) const;

  // "NotFound: no such key 'a/b'"; "OK" when ok.
  std::string toString() const;

  // The errno a FUSE reply should carry for this status (0 when ok).
  int toErrno() const;

  // A failure that says "overloaded, flaky or cut short", not "wrong": another
  // attempt (after the client's own retries) may succeed. Expired is not: the
  // same request fails again until the caller refreshes its state.
  bool isTransient() const {
    return code_ == StatusCode::Unavailable || code_ == StatusCode::Timeout || code_ == StatusCode::Corruption ||
           code_ == StatusCode::Internal;
  }

 private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
  std::string serviceCode_;
  int httpStatus_ = 0;
};

inline Status notFound(std::string m) { return {StatusCode::NotFound, std::move(m)}; }
inline Status invalidArgument(std::string m) { return {StatusCode::InvalidArgument, std::move(m)}; }
inline Status permissionDenied(std::string m) { return {StatusCode::PermissionDenied, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::Unavailable, std::move(m)}; }
inline Status internalError(std::string m) { return {StatusCode::Internal, std::move(m)}; }
inline Status corruption(std::string m) { return {StatusCode::Corruption, std::move(m)}; }

}  // namespace ossvp

// Returns early from the enclosing function when `expr` yields a non-ok Status.
#define OSSVP_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::ossvp::Status ossvp_status_ = (expr);          \
    if (!ossvp_status_.isOk()) return ossvp_status_; \
  } while (0)
