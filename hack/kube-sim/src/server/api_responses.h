// How the API server's handlers answer: a JSON body, or an ApiError as the
// meta/v1 Status body with the error's HTTP code (what kubectl and client-go
// decode).
//
// Thread-safety: stateless functions; `out` belongs to the calling
// connection's thread.
#pragma once

#include <map>
#include <string>

#include "server/http_server.h"
#include "store/api_error.h"

namespace ossvp::kubesim {

inline constexpr const char* kJsonContentType = "application/json";

void sendJson(HttpResponder& out, int code, const json& body, const std::map<std::string, std::string>& headers = {});
void sendError(HttpResponder& out, const ApiError& e);

// 404 for a path the server does not serve (no such group, version or resource).
ApiError errNotFoundPath();
// 405 for a method the requested resource or subresource does not take.
ApiError errMethodNotAllowedHere();

}  // namespace ossvp::kubesim
