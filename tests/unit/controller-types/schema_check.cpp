#include "schema_check.h"

#include <regex>

namespace ossvp_test {
namespace {

bool typeMatches(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;
}

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

}  // namespace

std::vector<std::string> schemaErrors(const nlohmann::json& v, const nlohmann::json& s, const std::string& path) {
  std::vector<std::string> errs;
  auto add = [&](const std::string& msg) { errs.push_back(path + ": " + msg); };
  auto merge = [&](std::vector<std::string> more) { errs.insert(errs.end(), more.begin(), more.end()); };
  if (v.is_null()) return errs;
  if (s.contains("type") && !typeMatches(v, s["type"])) {
    add("Invalid value: " + v.dump() + ": must be of type " + s["type"].get<std::string>());
    return errs;
  }
  if (s.contains("enum")) {
    bool found = false;
    for (const auto& e : s["enum"]) found = found || e == v;
    if (!found) add("Unsupported value: " + v.dump());
  }
  if (v.is_string()) {
    const std::string& str = v.get_ref<const std::string&>();
    if (s.contains("minLength") && str.size() < s["minLength"].get<size_t>()) add("too short");
    if (s.contains("maxLength") && str.size() > s["maxLength"].get<size_t>()) add("too long");
    if (s.contains("pattern") && !std::regex_search(str, std::regex(s["pattern"].get<std::string>()))) {
      add("Invalid value: " + v.dump() + ": should match '" + s["pattern"].get<std::string>() + "'");
    }
  }
  if (v.is_number()) {
    if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) add("below minimum");
    if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) add("above maximum");
  }
  if (v.is_object()) {
    for (const auto& r : s.value("required", nlohmann::json::array())) {
      if (!v.contains(r.get<std::string>())) errs.push_back(child(path, r.get<std::string>()) + ": Required value");
    }
    bool preserve = s.value("x-kubernetes-preserve-unknown-fields", false);
    for (const auto& [k, val] : v.items()) {
      if (s.contains("properties") && s["properties"].contains(k)) {
        merge(schemaErrors(val, s["properties"][k], child(path, k)));
      } else if (s.contains("additionalProperties")) {
        merge(schemaErrors(val, s["additionalProperties"], child(path, k)));
      } else if (!preserve && s.contains("properties")) {
        errs.push_back(child(path, k) + ": unknown field");
      }
    }
  }
  if (v.is_array() && s.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i) merge(schemaErrors(v[i], s["items"], path + "[" + std::to_string(i) + "]"));
  }
  return errs;
}

void applySchemaDefaults(nlohmann::json* v, const nlohmann::json& s) {
  if (!v->is_object() || !s.contains("properties")) return;
  for (const auto& [k, sub] : s["properties"].items()) {
    if (!v->contains(k) && sub.contains("default")) (*v)[k] = sub["default"];
    if (v->contains(k)) applySchemaDefaults(&(*v)[k], sub);
  }
}

}  // namespace ossvp_test
