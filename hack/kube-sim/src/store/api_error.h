// ApiError / ApiResult<T>: a Kubernetes API failure (HTTP code + Status reason
// + message + details) as returned by the object store and the API server, so
// that every layer produces the exact `Status` body kubectl expects.
//
// Thread-safety: value types.
#pragma once

#include <nlohmann/json.hpp>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ossvp::kubesim {

using json = nlohmann::json;

struct ApiError {
  int code = 500;              // HTTP status code
  std::string reason;          // NotFound, AlreadyExists, Conflict, Invalid, Expired, ...
  std::string message;         // human-readable, shown by kubectl
  json details = json::object();  // {name, group, kind, causes[]}

  // The meta/v1 Status body for this error.
  json toStatus() const;
};

// Builders for the errors of apimachinery pkg/api/errors. `resource` is the
// plural, `group` may be empty (core).
ApiError errNotFound(const std::string& group, const std::string& resource, const std::string& name);
ApiError errAlreadyExists(const std::string& group, const std::string& resource, const std::string& name);
ApiError errConflict(const std::string& group, const std::string& resource, const std::string& name,
                     const std::string& why = "the object has been modified; please apply your changes "
                                              "to the latest version and try again");
// 422 Invalid: `kind` is the Kind (e.g. "ConfigMap"); causes = [{reason, message, field}].
ApiError errInvalid(const std::string& group, const std::string& kind, const std::string& name,
                    const json& causes);
ApiError errBadRequest(const std::string& message);
ApiError errForbidden(const std::string& message);
ApiError errExpired(const std::string& message);  // 410 Expired
ApiError errGone(const std::string& message);     // 410 Gone
ApiError errMethodNotAllowed(const std::string& message);
ApiError errUnsupportedMediaType(const std::string& message);
ApiError errTooManyRequests(const std::string& message);
ApiError errInternal(const std::string& message);
ApiError errUnauthorized(const std::string& message);
// One `causes` entry for errInvalid.
json invalidCause(const std::string& reason, const std::string& field, const std::string& message);

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const ApiError& error() const { return std::get<ApiError>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace ossvp::kubesim
