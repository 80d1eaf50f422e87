#include "server/schema_validator.h"

#include <functional>
#include <regex>

#include "server/cel_lite.h"

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool preserves(const json& schema) { return schema.value("x-kubernetes-preserve-unknown-fields", false); }

std::string typeName(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

// How the API server quotes a value in "Invalid value: X".
std::string shown(const json& v) {
  if (v.is_string()) return json(v.get<std::string>()).dump();
  if (v.is_object() || v.is_array()) return "\"" + typeName(v) + "\"";
  return v.dump();
}

bool typeMatches(const std::string& type, const json& v, const json& schema) {
  if (schema.value("x-kubernetes-int-or-string", false)) return v.is_number_integer() || v.is_string();
  if (type.empty()) return true;
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())));
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return true;
}

void validateNode(const json& schema, const json& v, const std::string& path, json& causes, bool root);

void validateRules(const json& schema, const json& v, const std::string& path, json& causes) {
  if (!schema.contains("x-kubernetes-validations")) return;
  for (const auto& rule : schema["x-kubernetes-validations"]) {
    std::string expr = rule.value("rule", "");
    std::string err;
    CelOutcome out = evaluateCelRule(expr, v, &err);
    if (out == CelOutcome::Pass || out == CelOutcome::Unsupported) continue;
    std::string field = path;
    if (rule.contains("fieldPath")) {
      std::string fp = rule["fieldPath"].get<std::string>();
      field = path + (fp.rfind(".", 0) == 0 ? fp : "." + fp);
    }
    std::string msg;
    if (out == CelOutcome::Error) {
      msg = "Invalid value: \"" + typeName(v) + "\": " + err + " evaluating rule: " + expr;
    } else if (rule.contains("message")) {
      msg = "Invalid value: \"" + typeName(v) + "\": " + rule["message"].get<std::string>();
    } else {
      msg = "Invalid value: \"" + typeName(v) + "\": failed rule: " + expr;
    }
    std::string reason = rule.value("reason", "FieldValueInvalid");
    if (reason == "FieldValueForbidden") msg = "Forbidden: " + rule.value("message", "failed rule: " + expr);
    if (reason == "FieldValueRequired") msg = "Required value: " + rule.value("message", "failed rule: " + expr);
    causes.push_back({{"reason", reason}, {"message", msg}, {"field", field}});
  }
}

void validateNode(const json& schema, const json& v, const std::string& path, json& causes, bool root) {
  std::string type = schema.value("type", "");
  if (v.is_null()) {
    if (schema.value("nullable", false)) return;
    if (!type.empty()) {
      causes.push_back(
          {{"reason", "FieldValueTypeInvalid"},
           {"message", "Invalid value: \"null\": " + path + " in body must be of type " + type + ": \"null\""},
           {"field", path}});
    }
    return;
  }
  if (!root && !typeMatches(type, v, schema)) {
    causes.push_back({{"reason", "FieldValueTypeInvalid"},
                      {"message", "Invalid value: \"" + typeName(v) + "\": " + path + " in body must be of type " +
                                      type + ": \"" + typeName(v) + "\""},
                      {"field", path}});
    return;
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    bool ok = false;
    std::string allowed;
    for (const auto& e : schema["enum"]) {
      if (e == v) ok = true;
      allowed += (allowed.empty() ? "" : ", ") + e.dump();
    }
    if (!ok) {
      causes.push_back({{"reason", "FieldValueNotSupported"},
                        {"message", "Unsupported value: " + v.dump() + ": supported values: " + allowed},
                        {"field", path}});
    }
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (schema.contains("minimum")) {
      double min = schema["minimum"].get<double>();
      bool excl = schema.value("exclusiveMinimum", false);
      if (excl ? d <= min : d < min) {
        causes.push_back({{"reason", "FieldValueInvalid"},
                          {"message", "Invalid value: " + v.dump() + ": " + path + " in body should be greater than " +
                                          (excl ? "" : "or equal to ") + schema["minimum"].dump()},
                          {"field", path}});
      }
    }
    if (schema.contains("maximum")) {
      double max = schema["maximum"].get<double>();
      bool excl = schema.value("exclusiveMaximum", false);
      if (excl ? d >= max : d > max) {
        causes.push_back({{"reason", "FieldValueInvalid"},
                          {"message", "Invalid value: " + v.dump() + ": " + path + " in body should be less than " +
                                          (excl ? "" : "or equal to ") + schema["maximum"].dump()},
                          {"field", path}});
      }
    }
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (schema.contains("minLength") && s.size() < schema["minLength"].get<size_t>()) {
      causes.push_back({{"reason", "FieldValueInvalid"},
                        {"message", "Invalid value: " + shown(v) + ": " + path + " in body should be at least " +
                                        schema["minLength"].dump() + " chars long"},
                        {"field", path}});
    }
    if (schema.contains("maxLength") && s.size() > schema["maxLength"].get<size_t>()) {
      causes.push_back({{"reason", "FieldValueTooLong"},
                        {"message", "Too long: may not be more than " + schema["maxLength"].dump() + " bytes"},
                        {"field", path}});
    }
    if (schema.contains("pattern")) {
      std::string pat = schema["pattern"].get<std::string>();
      try {
        if (!std::regex_search(s, std::regex(pat))) {
          causes.push_back(
              {{"reason", "FieldValueInvalid"},
               {"message", "Invalid value: " + shown(v) + ": " + path + " in body should match '" + pat + "'"},
               {"field", path}});
        }
      } catch (const std::regex_error&) {
        // An unsupported pattern is not the user's fault: accept.
      }
    }
  }
  if (v.is_array()) {
    if (schema.contains("minItems") && v.size() < schema["minItems"].get<size_t>()) {
      causes.push_back({{"reason", "FieldValueInvalid"},
                        {"message", "Invalid value: " + std::to_string(v.size()) + ": " + path +
                                        " in body should have at least " + schema["minItems"].dump() + " items"},
                        {"field", path}});
    }
    if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<size_t>()) {
      causes.push_back({{"reason", "FieldValueTooMany"},
                        {"message", "Too many: " + std::to_string(v.size()) + ": must have at most " +
                                        schema["maxItems"].dump() + " items"},
                        {"field", path}});
    }
    if (schema.contains("items")) {
      for (size_t i = 0; i < v.size(); i++) validateNode(schema["items"], v[i], index(path, i), causes, false);
    }
  }
  if (v.is_object()) {
    if (schema.contains("required")) {
      for (const auto& r : schema["required"]) {
        std::string key = r.get<std::string>();
        if (!v.contains(key)) {
          causes.push_back(
              {{"reason", "FieldValueRequired"}, {"message", "Required value"}, {"field", child(path, key)}});
        }
      }
    }
    const json props = schema.value("properties", json::object());
    for (auto& [k, sub] : v.items()) {
      if (root && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;
      if (props.contains(k)) {
        validateNode(props[k], sub, child(path, k), causes, false);
      } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
        validateNode(schema["additionalProperties"], sub, child(path, k), causes, false);
      }
    }
    if (schema.contains("maxProperties") && v.size() > schema["maxProperties"].get<size_t>()) {
      causes.push_back({{"reason", "FieldValueTooMany"},
                        {"message", "Too many: " + std::to_string(v.size()) + ": must have at most " +
                                        schema["maxProperties"].dump() + " items"},
                        {"field", path}});
    }
  }
  size_t before = causes.size();
  (void)before;
  validateRules(schema, v, path.empty() ? "<root>" : path, causes);
}

}  // namespace

void pruneUnknown(const json& schema, json& value, const std::string& path, bool root,
                  std::vector<std::string>& unknown) {
  if (value.is_object()) {
    const json props = schema.value("properties", json::object());
    bool addl = schema.contains("additionalProperties") &&
                (schema["additionalProperties"].is_object() || schema["additionalProperties"] == true);
    std::vector<std::string> drop;
    for (auto& [k, sub] : value.items()) {
      if (root && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;
      if (props.contains(k)) {
        pruneUnknown(props[k], sub, child(path, k), false, unknown);
      } else if (addl) {
        if (schema["additionalProperties"].is_object()) {
          pruneUnknown(schema["additionalProperties"], sub, child(path, k), false, unknown);
        }
      } else if (!preserves(schema)) {
        drop.push_back(k);
      }
    }
    for (const auto& k : drop) {
      unknown.push_back(child(path, k));
      value.erase(k);
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); i++) pruneUnknown(schema["items"], value[i], index(path, i), false, unknown);
  }
}

void applyDefaults(const json& schema, json& value, bool root) {
  (void)root;
  if (value.is_object()) {
    const json props = schema.value("properties", json::object());
    for (auto& [k, sub] : props.items()) {
      if (!value.contains(k) && sub.contains("default")) value[k] = sub["default"];
      if (value.contains(k)) applyDefaults(sub, value[k], false);
    }
    if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
      for (auto& [k, sub] : value.items()) {
        if (!props.contains(k)) applyDefaults(schema["additionalProperties"], sub, false);
      }
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (auto& e : value) applyDefaults(schema["items"], e, false);
  }
}

json validateAgainstSchema(const json& schema, const json& value, const std::string& path, bool root) {
  json causes = json::array();
  validateNode(schema, value, path, causes, root);
  return causes;
}

json structuralErrors(const json& schema, const std::string& path) {
  json causes = json::array();
  std::function<void(const json&, const std::string&, bool)> walk = [&](const json& s, const std::string& p, bool top) {
    if (!s.is_object()) return;
    bool intOrString = s.value("x-kubernetes-int-or-string", false);
    bool preserve = s.value("x-kubernetes-preserve-unknown-fields", false);
    if (!s.contains("type") && !intOrString && !(preserve && !top)) {
      if (!top || !preserve) {
        causes.push_back({{"reason", "FieldValueRequired"},
                          {"message", "Required value: must not be empty for specified object fields"},
                          {"field", p + ".type"}});
      }
    }
    if (s.contains("properties") && s.contains("additionalProperties") && s["additionalProperties"] != false) {
      causes.push_back({{"reason", "FieldValueForbidden"},
                        {"message", "Forbidden: additionalProperties and properties are mutual exclusive"},
                        {"field", p + ".additionalProperties"}});
    }
    if (s.contains("properties")) {
      for (auto& [k, sub] : s["properties"].items()) walk(sub, p + ".properties[" + k + "]", false);
    }
    if (s.contains("items")) walk(s["items"], p + ".items", false);
    if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
      walk(s["additionalProperties"], p + ".additionalProperties", false);
    }
  };
  walk(schema, path, true);
  return causes;
}

}  // namespace ossvp::kubesim
