#include "server/quantity_fields.h"

#include <string>

#include "actors/quantity.h"

namespace ossvp::kubesim {

namespace {

json* child(json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Visits quantities, keeping the first decode error and the first negative
// value where one is not allowed.
class QuantityChecker {
 public:
  std::optional<ApiError> result(const ResourceInfo& info, const json& obj) const {
    if (!decodeError_.empty()) return errUndecodable(info.kind, info.gvr.version, decodeError_);
    if (!negative_.is_null())
      return errInvalid(info.gvr.group, info.kind, obj["metadata"].value("name", ""), json::array({negative_}));
    return std::nullopt;
  }

  void podSpec(json& spec, const std::string& field) {
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
      json* containers = child(spec, list);
      if (!containers || !containers->is_array()) continue;
      for (size_t i = 0; i < containers->size(); ++i) {
        json& c = (*containers)[i];
        std::string at = field + "." + list + "[" + std::to_string(i) + "]";
        requirements(c, at, true);
        json* env = child(c, "env");
        for (size_t j = 0; env && env->is_array() && j < env->size(); ++j) {
          json* ref = child((*env)[j], "valueFrom");
          if (ref) ref = child(*ref, "resourceFieldRef");
          if (ref) optionalValue(*ref, "divisor", at + ".env[" + std::to_string(j) + "].valueFrom.resourceFieldRef");
        }
      }
    }
    requirements(spec, field, true);  // pod-level resources
    quantityMap(spec, "overhead", field, false);
    json* volumes = child(spec, "volumes");
    for (size_t i = 0; volumes && volumes->is_array() && i < volumes->size(); ++i) {
      json& v = (*volumes)[i];
      std::string at = field + ".volumes[" + std::to_string(i) + "]";
      if (json* emptyDir = child(v, "emptyDir")) optionalValue(*emptyDir, "sizeLimit", at + ".emptyDir");
      json* claim = child(v, "ephemeral");
      if (claim) claim = child(*claim, "volumeClaimTemplate");
      if (claim) claimSpec(*claim, at + ".ephemeral.volumeClaimTemplate");
    }
  }

  // The spec of a PersistentVolumeClaim `claim` (a claim, field "", or a claim template).
  void claimSpec(json& claim, const std::string& field) {
    if (json* spec = child(claim, "spec")) requirements(*spec, field.empty() ? "spec" : field + ".spec", false);
  }

  void quantityMap(json& obj, const char* key, const std::string& field, bool nonNegative) {
    json* m = child(obj, key);
    if (!m || !m->is_object()) return;
    for (auto& [name, v] : m->items()) value(v, field + "." + key + "." + name, nonNegative);
  }

 private:
  // `parent`.resources.{limits,requests}.
  void requirements(json& parent, const std::string& field, bool nonNegative) {
    json* r = child(parent, "resources");
    if (!r) return;
    quantityMap(*r, "limits", field + ".resources", nonNegative);
    quantityMap(*r, "requests", field + ".resources", nonNegative);
  }

  void optionalValue(json& obj, const char* key, const std::string& field) {
    if (json* v = child(obj, key)) value(*v, field + "." + key, false);
  }

  void value(json& v, const std::string& field, bool nonNegative) {
    if (v.is_null() || !decodeError_.empty()) return;  // null decodes as an unset quantity
    if (v.is_number()) v = v.dump();
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    decodeError_ = quantityParseError(text);
    if (!decodeError_.empty() || !nonNegative || !negative_.is_null()) return;
    size_t sign = text.find_first_not_of(" \t\r\n");
    if (sign == std::string::npos || text[sign] != '-') return;
    std::string magnitude = text.substr(sign + 1);
    if (parseQuantity(magnitude.empty() ? "0" : magnitude) == uint64_t{0}) return;  // -0: not negative
    negative_ =
        invalidCause("FieldValueInvalid", field, "Invalid value: \"" + text + "\": must be greater than or equal to 0");
  }

  std::string decodeError_;
  json negative_;  // the invalidCause of the first negative value, or null
};

}  // namespace

std::optional<ApiError> admitQuantities(const ResourceInfo& info, json& obj) {
  if (info.isCustom) return std::nullopt;
  QuantityChecker check;
  const std::string& group = info.gvr.group;
  const std::string& resource = info.gvr.resource;
  if (group.empty() && resource == "pods") {
    if (json* spec = child(obj, "spec")) check.podSpec(*spec, "spec");
  } else if (group.empty() && resource == "persistentvolumeclaims") {
    check.claimSpec(obj, "");
  } else if (group.empty() && resource == "persistentvolumes") {
    if (json* spec = child(obj, "spec")) check.quantityMap(*spec, "capacity", "spec", false);
  } else if (group == "apps" &&
             (resource == "deployments" || resource == "replicasets" || resource == "statefulsets")) {
    json* spec = child(obj, "spec");
    json* podSpec = spec ? child(*spec, "template") : nullptr;
    if (podSpec) podSpec = child(*podSpec, "spec");
    if (podSpec) check.podSpec(*podSpec, "spec.template.spec");
    json* claims = spec ? child(*spec, "volumeClaimTemplates") : nullptr;
    for (size_t i = 0; claims && claims->is_array() && i < claims->size(); ++i)
      check.claimSpec((*claims)[i], "spec.volumeClaimTemplates[" + std::to_string(i) + "]");
  }
  return check.result(info, obj);
}

}  // namespace ossvp::kubesim
