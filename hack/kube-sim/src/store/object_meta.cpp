#include "store/object_meta.h"

namespace ossvp::kubesim::objmeta {

const json& meta(const json& obj) {
  static const json empty = json::object();
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : empty;
}

std::string metaStr(const json& obj, const char* field) {
  const json& m = meta(obj);
  auto it = m.find(field);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

bool hasFinalizers(const json& obj) {
  const json& m = meta(obj);
  return m.contains("finalizers") && m["finalizers"].is_array() && !m["finalizers"].empty();
}

bool isDeleting(const json& obj) { return !metaStr(obj, "deletionTimestamp").empty(); }

bool hasFinalizer(const json& obj, const std::string& f) {
  const json& m = meta(obj);
  if (!m.contains("finalizers") || !m["finalizers"].is_array()) return false;
  for (const auto& e : m["finalizers"]) {
    if (e == f) return true;
  }
  return false;
}

void removeFinalizer(json& obj, const std::string& f) {
  json& fins = obj["metadata"]["finalizers"];
  json kept = json::array();
  for (const auto& e : fins) {
    if (e != f) kept.push_back(e);
  }
  if (kept.empty()) {
    obj["metadata"].erase("finalizers");
  } else {
    fins = kept;
  }
}

uint64_t parseResourceVersion(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoull(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace ossvp::kubesim::objmeta
