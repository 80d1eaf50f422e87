#include "store/patch.h"

#include <map>
#include <set>

namespace ossvp::kubesim {
namespace {

// Merge key of a list field by its name (as declared by the k8s API types).
std::string mergeKeyFor(const std::string& field) {
  static const std::map<std::string, std::string> keys = {
      {"containers", "name"},
      {"initContainers", "name"},
      {"ephemeralContainers", "name"},
      {"volumes", "name"},
      {"env", "name"},
      {"imagePullSecrets", "name"},
      {"volumeMounts", "mountPath"},
      {"volumeDevices", "devicePath"},
      {"ports", "containerPort"},
      {"ownerReferences", "uid"},
      {"conditions", "type"},
      {"tolerations", ""},
      {"hostAliases", "ip"},
      {"topologySpreadConstraints", "topologyKey"},
      {"containerStatuses", "name"},
      {"initContainerStatuses", "name"},
      {"resourceClaims", "name"},
  };
  auto it = keys.find(field);
  return it == keys.end() ? "" : it->second;
}

bool isSetList(const std::string& field) { return field == "finalizers"; }

json smpObject(const json& target, const json& patch);

json smpList(const std::string& field, const json& target, const json& patch) {
  std::string key = mergeKeyFor(field);
  if (isSetList(field)) {
    json out = target.is_array() ? target : json::array();
    for (const auto& v : patch) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
  }
  if (key.empty()) {
    json out = json::array();
    for (const auto& v : patch) {
      if (v.is_object() && v.contains("$patch")) continue;
      out.push_back(v);
    }
    return out;
  }
  // A `{"$patch": "replace"}` element replaces the whole list.
  for (const auto& v : patch) {
    if (v.is_object() && v.value("$patch", "") == "replace") {
      json out = json::array();
      for (const auto& w : patch) {
        if (!(w.is_object() && w.contains("$patch"))) out.push_back(w);
      }
      return out;
    }
  }
  json out = target.is_array() ? target : json::array();
  for (const auto& v : patch) {
    if (!v.is_object() || !v.contains(key)) {
      out.push_back(v);
      continue;
    }
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const json& e) { return e.is_object() && e.contains(key) && e[key] == v[key]; });
    if (v.value("$patch", "") == "delete") {
      if (it != out.end()) out.erase(it);
      continue;
    }
    if (it == out.end()) {
      json clean = smpObject(json::object(), v);
      out.push_back(clean);
    } else {
      *it = smpObject(*it, v);
    }
  }
  return out;
}

json smpObject(const json& target, const json& patch) {
  if (!patch.is_object()) return patch;
  if (patch.value("$patch", "") == "replace") {
    json out = patch;
    out.erase("$patch");
    return out;
  }
  if (patch.value("$patch", "") == "delete") return json();
  json out = target.is_object() ? target : json::object();
  // Scalars to remove from primitive lists.
  for (auto& [k, v] : patch.items()) {
    const std::string prefix = "$deleteFromPrimitiveList/";
    if (k.rfind(prefix, 0) == 0) {
      std::string field = k.substr(prefix.size());
      if (out.contains(field) && out[field].is_array() && v.is_array()) {
        json kept = json::array();
        for (const auto& e : out[field]) {
          if (std::find(v.begin(), v.end(), e) == v.end()) kept.push_back(e);
        }
        out[field] = kept;
      }
    }
  }
  for (auto& [k, v] : patch.items()) {
    if (k.rfind("$", 0) == 0) continue;  // $patch, $setElementOrder/..., $retainKeys
    if (v.is_null()) {
      out.erase(k);
    } else if (v.is_object()) {
      json sub = smpObject(out.contains(k) ? out[k] : json::object(), v);
      if (sub.is_null()) {
        out.erase(k);
      } else {
        out[k] = sub;
      }
    } else if (v.is_array()) {
      out[k] = smpList(k, out.contains(k) ? out[k] : json::array(), v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

}  // namespace

ApiResult<json> applyMergePatch(const json& target, const json& patch) {
  if (!patch.is_object()) return errBadRequest("merge patch body must be a JSON object");
  json out = target;
  out.merge_patch(patch);
  return out;
}

ApiResult<json> applyJsonPatch(const json& target, const json& patch, const std::string& kind,
                               const std::string& name) {
  if (!patch.is_array()) return errBadRequest("json patch body must be a JSON array of operations");
  try {
    return target.patch(patch);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    // nlohmann messages start with "[json.exception.other_error.501] "; keep the tail.
    size_t p = msg.find("] ");
    if (p != std::string::npos) msg = msg.substr(p + 2);
    ApiError err;
    err.code = 422;
    err.reason = "Invalid";
    err.message =
        kind + " \"" + name + "\" is invalid: the server rejected our request due to an error in our request: " + msg;
    err.details = {{"name", name}, {"kind", kind}};
    return err;
  }
}

ApiResult<json> applyStrategicMergePatch(const json& target, const json& patch) {
  if (!patch.is_object()) return errBadRequest("strategic merge patch body must be a JSON object");
  return smpObject(target, patch);
}

}  // namespace ossvp::kubesim
