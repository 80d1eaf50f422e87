#include "ossvp/controller/kube/object_util.h"

#include "ossvp/controller/kube/api_errors.h"

namespace ossvp::controller::kube {
namespace {
const Object& metadataOf(const Object& obj) {
  static const Object empty = Object::object();
  if (obj.is_object()) {
    auto it = obj.find("metadata");
    if (it != obj.end() && it->is_object()) return *it;
  }
  return empty;
}

// map[key] when it is a string, else "" (value() would throw on another type;
// fuzz finding: a numeric uid from the API server must not kill a worker thread).
std::string stringIn(const Object& map, const std::string& key) {
  auto v = map.find(key);
  return v != map.end() && v->is_string() ? v->get<std::string>() : "";
}

std::string metadataString(const Object& obj, const char* key) { return stringIn(metadataOf(obj), key); }

std::string mapValue(const Object& obj, const char* map, const std::string& key) {
  const Object& md = metadataOf(obj);
  auto it = md.find(map);
  if (it == md.end() || !it->is_object()) return "";
  return stringIn(*it, key);
}
}  // namespace

std::string nameOf(const Object& obj) { return metadataString(obj, "name"); }
std::string namespaceOf(const Object& obj) { return metadataString(obj, "namespace"); }
std::string uidOf(const Object& obj) { return metadataString(obj, "uid"); }
std::string resourceVersionOf(const Object& obj) { return metadataString(obj, "resourceVersion"); }
bool isDeleting(const Object& obj) {
  const Object& md = metadataOf(obj);
  return md.contains("deletionTimestamp") && !md["deletionTimestamp"].is_null();
}
std::string annotationOf(const Object& obj, const std::string& key) { return mapValue(obj, "annotations", key); }
std::string labelOf(const Object& obj, const std::string& key) { return mapValue(obj, "labels", key); }

bool hasFinalizer(const Object& obj, const std::string& finalizer) {
  const Object& md = metadataOf(obj);
  auto it = md.find("finalizers");
  if (it == md.end() || !it->is_array()) return false;
  for (const auto& f : *it) {
    if (f.is_string() && f.get<std::string>() == finalizer) return true;
  }
  return false;
}

bool labelsMatch(const Object& obj, const LabelPairs& want) {
  for (const auto& [k, v] : want) {
    const Object& md = metadataOf(obj);
    auto it = md.find("labels");
    if (it == md.end() || !it->is_object()) return false;
    auto l = it->find(k);
    if (l == it->end() || !l->is_string() || l->get<std::string>() != v) return false;
  }
  return true;
}

std::string stringAt(const Object& obj, const std::string& pointer) {
  try {
    const Object& v = obj.at(Object::json_pointer(pointer));
    return v.is_string() ? v.get<std::string>() : "";
  } catch (const std::exception&) {
    return "";
  }
}

Status retryOnConflict(const std::function<Status()>& fn, int attempts) {
  Status s;
  for (int i = 0; i < attempts; ++i) {
    s = fn();
    if (!isConflict(s)) return s;
  }
  return s;
}

}  // namespace ossvp::controller::kube
