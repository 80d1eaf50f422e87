// ApiError / ApiResult<T>: a Kubernetes API failure (HTTP code + Status reason
// + message + details) as returned by the object store and the API server, so
// that every layer produces the exact `Status` body kubectl expects.
//
// Thread-safety: value types.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

using json = nlohmann::json;

struct ApiError {
  int code = 500;                 // HTTP status code
  std::string reason;             // NotFound, AlreadyExists, Conflict, Invalid, Expired, ...
  std::string message;            // human-readable, shown by kubectl
  json details = json::object();  // {name, group, kind, causes[]}

  // The meta/v1 Status body for this error.
  json toStatus() const;
};

// Builders for the errors of apimachinery pkg/api/errors. `resource` is the
// plural, `group` may be empty (core).
ApiError errNotFound(const std::string& group, const std::string& resource, const std::string& name);
ApiError errAlreadyExists(const std::string& group, const std::string& resource, const std::string& name);
ApiError errConflict(const std::string& group, const std::string& resource, const std::string& name,
                     const std::string& why =
                         "the object has been modified; please apply your changes "
                         "to the latest version and try again");
// 422 Invalid: `kind` is the Kind (e.g. "ConfigMap"); causes = [{reason, message, field}].
ApiError errInvalid(const std::string& group, const std::string& kind, const std::string& name, const json& causes);
ApiError errBadRequest(const std::string& message);
// 400 BadRequest for a body the decoder rejects: `<kind> in version "<version>"
// cannot be handled as a <kind>: <why>`.
ApiError errUndecodable(const std::string& kind, const std::string& version, const std::string& why);
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

// A value or the ApiError that stopped it: common's Result with ApiError in
// place of Status (error() gives the ApiError).
template <typename T>
using ApiResult = Result<T, ApiError>;

}  // namespace ossvp::kubesim
