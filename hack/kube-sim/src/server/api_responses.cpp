#include "server/api_responses.h"

namespace ossvp::kubesim {

void sendJson(HttpResponder& out, int code, const json& body, const std::map<std::string, std::string>& headers) {
  out.respond(code, kJsonContentType, body.dump(), headers);
}

void sendError(HttpResponder& out, const ApiError& e) { sendJson(out, e.code, e.toStatus()); }

ApiError errNotFoundPath() {
  ApiError e = errNotFound("", "", "");
  e.message = "the server could not find the requested resource";
  e.details = json::object();
  return e;
}

ApiError errMethodNotAllowedHere() {
  return errMethodNotAllowed("the server does not allow this method on the requested resource");
}

}  // namespace ossvp::kubesim
