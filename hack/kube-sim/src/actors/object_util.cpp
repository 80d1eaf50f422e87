#include "actors/object_util.h"

#include <algorithm>

namespace ossvp::kubesim {

std::string str(const json& obj, std::initializer_list<const char*> path) {
  const json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return "";
    auto it = cur->find(key);
    if (it == cur->end()) return "";
    cur = &*it;
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

std::string nameOf(const json& obj) { return str(obj, {"metadata", "name"}); }
std::string namespaceOf(const json& obj) { return str(obj, {"metadata", "namespace"}); }
std::string uidOf(const json& obj) { return str(obj, {"metadata", "uid"}); }
bool isDeleting(const json& obj) { return !str(obj, {"metadata", "deletionTimestamp"}).empty(); }

std::string annotation(const json& obj, const std::string& key) {
  return str(obj, {"metadata", "annotations", key.c_str()});
}

bool hasAnnotation(const json& obj, const std::string& key) {
  const json& m = obj.value("metadata", json::object());
  return m.contains("annotations") && m["annotations"].is_object() && m["annotations"].contains(key);
}

void setAnnotation(json& obj, const std::string& key, const std::string& value) {
  json& a = obj["metadata"]["annotations"];
  if (!a.is_object()) a = json::object();
  a[key] = value;
}

std::string label(const json& obj, const std::string& key) { return str(obj, {"metadata", "labels", key.c_str()}); }

bool hasFinalizer(const json& obj, const std::string& finalizer) {
  const json& m = obj.value("metadata", json::object());
  if (!m.contains("finalizers") || !m["finalizers"].is_array()) return false;
  for (const auto& f : m["finalizers"]) {
    if (f.is_string() && f.get<std::string>() == finalizer) return true;
  }
  return false;
}

void removeFinalizer(json& obj, const std::string& finalizer) {
  json& f = obj["metadata"]["finalizers"];
  if (!f.is_array()) return;
  json out = json::array();
  for (const auto& x : f) {
    if (!(x.is_string() && x.get<std::string>() == finalizer)) out.push_back(x);
  }
  f = out;
}

json objectReference(const json& obj) {
  json ref = {{"apiVersion", obj.value("apiVersion", "v1")},
              {"kind", obj.value("kind", "")},
              {"name", nameOf(obj)},
              {"uid", uidOf(obj)},
              {"resourceVersion", str(obj, {"metadata", "resourceVersion"})}};
  if (!namespaceOf(obj).empty()) ref["namespace"] = namespaceOf(obj);
  return ref;
}

bool isControlledBy(const json& obj, const std::string& ownerUid) {
  const json& m = obj.value("metadata", json::object());
  if (!m.contains("ownerReferences") || !m["ownerReferences"].is_array()) return false;
  for (const auto& r : m["ownerReferences"]) {
    if (r.value("controller", false) && r.value("uid", "") == ownerUid) return true;
  }
  return false;
}

json controllerOwnerRef(const json& owner) {
  return {{"apiVersion", owner.value("apiVersion", "v1")},
          {"kind", owner.value("kind", "")},
          {"name", nameOf(owner)},
          {"uid", uidOf(owner)},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

std::vector<json> controlledBy(const json& owner, const std::vector<std::shared_ptr<const json>>& candidates) {
  std::vector<json> out;
  for (const auto& c : candidates) {
    if (namespaceOf(*c) == namespaceOf(owner) && isControlledBy(*c, uidOf(owner))) out.push_back(*c);
  }
  return out;
}

bool podIsReady(const json& pod) {
  if (str(pod, {"status", "phase"}) != "Running") return false;
  for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace ossvp::kubesim
