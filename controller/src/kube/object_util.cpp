#include "ossvp/controller/kube/object_util.h"

#include <ctime>
#include <cstdio>

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
std::string annotationOf(const Object& obj, const std::string& key) {
  return mapValue(obj, "annotations", key);
}
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

std::string formatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string formatMicroTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

std::chrono::system_clock::time_point parseRfc3339(const std::string& text) {
  std::tm tm{};
  if (text.size() < 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return {};
  // system_clock counts nanoseconds in 64 bits: years outside 1678..2261
  // would overflow, and no Kubernetes timestamp is there (fuzz finding).
  if (tm.tm_year + 1900 < 1678 || tm.tm_year + 1900 > 2261) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
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
