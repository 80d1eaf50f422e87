#include "store/api_error.h"

namespace ossvp::kubesim {
namespace {

ApiError make(int code, std::string reason, std::string message, json details = json::object()) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}

std::string qualified(const std::string& group, const std::string& resource) {
  return group.empty() ? resource : resource + "." + group;
}

json nameDetails(const std::string& group, const std::string& kind, const std::string& name) {
  json d = json::object();
  d["name"] = name;
  if (!group.empty()) d["group"] = group;
  d["kind"] = kind;
  return d;
}

}  // namespace

json ApiError::toStatus() const {
  json s = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason},
            {"code", code}};
  if (!details.empty()) s["details"] = details;
  return s;
}

ApiError errNotFound(const std::string& group, const std::string& resource, const std::string& name) {
  return make(404, "NotFound", qualified(group, resource) + " \"" + name + "\" not found",
              nameDetails(group, resource, name));
}

ApiError errAlreadyExists(const std::string& group, const std::string& resource, const std::string& name) {
  return make(409, "AlreadyExists", qualified(group, resource) + " \"" + name + "\" already exists",
              nameDetails(group, resource, name));
}

ApiError errConflict(const std::string& group, const std::string& resource, const std::string& name,
                     const std::string& why) {
  return make(409, "Conflict",
              "Operation cannot be fulfilled on " + qualified(group, resource) + " \"" + name + "\": " + why,
              nameDetails(group, resource, name));
}

ApiError errInvalid(const std::string& group, const std::string& kind, const std::string& name, const json& causes) {
  std::string msg = qualified(group, kind) + " \"" + name + "\" is invalid: ";
  std::string joined;
  for (const auto& c : causes) {
    if (!joined.empty()) joined += ", ";
    std::string field = c.value("field", "");
    joined += field.empty() ? c.value("message", "") : field + ": " + c.value("message", "");
  }
  if (causes.size() > 1) joined = "[" + joined + "]";
  json d = nameDetails(group, kind, name);
  d["causes"] = causes;
  return make(422, "Invalid", msg + joined, d);
}

json invalidCause(const std::string& reason, const std::string& field, const std::string& message) {
  return {{"reason", reason}, {"message", message}, {"field", field}};
}

ApiError errBadRequest(const std::string& message) { return make(400, "BadRequest", message); }
ApiError errUndecodable(const std::string& kind, const std::string& version, const std::string& why) {
  return errBadRequest(kind + " in version \"" + version + "\" cannot be handled as a " + kind + ": " + why);
}
ApiError errForbidden(const std::string& message) { return make(403, "Forbidden", message); }
ApiError errExpired(const std::string& message) { return make(410, "Expired", message); }
ApiError errGone(const std::string& message) { return make(410, "Gone", message); }
ApiError errMethodNotAllowed(const std::string& message) { return make(405, "MethodNotAllowed", message); }
ApiError errUnsupportedMediaType(const std::string& message) { return make(415, "UnsupportedMediaType", message); }
ApiError errTooManyRequests(const std::string& message) { return make(429, "TooManyRequests", message); }
ApiError errInternal(const std::string& message) { return make(500, "InternalError", message); }
ApiError errUnauthorized(const std::string& message) { return make(401, "Unauthorized", message); }

}  // namespace ossvp::kubesim
