// Mapping between Kubernetes API error answers and ossvp::Status, and the
// predicates callers use to branch on them (not found, already exists,
// optimistic-concurrency conflict, expired resource version).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "ossvp/common/status.h"

namespace ossvp::controller::kube {

// Builds a Status from an HTTP status code and the response body (a
// Kubernetes `Status` object when the server sends one). `what` names the
// request for the message, e.g. "GET /api/v1/namespaces/a/pods/b". The
// Status's serviceCode() is the answer's `reason` ("NotFound", "Conflict",
// "Expired"; empty without one), its httpStatus() `httpCode`; 410 Gone is
// StatusCode::Expired.
Status statusFromHttp(int httpCode, const std::string& body, const std::string& what);

bool isNotFound(const Status& s);
bool isAlreadyExists(const Status& s);
bool isConflict(const Status& s);  // 409 Conflict: stale resourceVersion
bool isExpired(const Status& s);   // 410 Gone/Expired: relist needed (not a timeout)
bool isInvalid(const Status& s);   // 400/422: the request itself is wrong

}  // namespace ossvp::controller::kube
