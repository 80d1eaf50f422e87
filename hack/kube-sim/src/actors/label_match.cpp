#include "actors/label_match.h"

#include <cstdlib>

#include "actors/node_health.h"
#include "actors/object_util.h"

namespace ossvp::kubesim {

namespace {

bool valueIn(const json& values, const std::string& v) {
  if (!values.is_array()) return false;
  for (const auto& x : values) {
    if (x.is_string() && x.get<std::string>() == v) return true;
  }
  return false;
}

// One requirement {key, operator, values} against a string map.
bool requirementMatches(const json& req, const json& map) {
  std::string key = req.value("key", "");
  std::string op = req.value("operator", "");
  bool has = map.is_object() && map.contains(key) && map[key].is_string();
  std::string v = has ? map[key].get<std::string>() : "";
  const json values = req.value("values", json::array());
  if (op == "In") return has && valueIn(values, v);
  if (op == "NotIn") return !has || !valueIn(values, v);
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "Gt" || op == "Lt") {
    if (!has || !values.is_array() || values.empty() || !values[0].is_string()) return false;
    long long a = std::atoll(v.c_str());
    long long b = std::atoll(values[0].get<std::string>().c_str());
    return op == "Gt" ? a > b : a < b;
  }
  return false;
}

}  // namespace

bool labelSelectorMatches(const json& selector, const json& labels) {
  if (!selector.is_object()) return true;
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (const auto& [k, v] : selector["matchLabels"].items()) {
      if (!labels.is_object() || !labels.contains(k) || labels[k] != v) return false;
    }
  }
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const auto& req : selector["matchExpressions"]) {
      if (!requirementMatches(req, labels)) return false;
    }
  }
  return true;
}

bool nodeSelectorTermMatches(const json& term, const json& node) {
  json labels = node.value("metadata", json::object()).value("labels", json::object());
  json fields = {{"metadata.name", nameOf(node)}};
  bool any = false;
  if (term.contains("matchExpressions") && term["matchExpressions"].is_array()) {
    for (const auto& req : term["matchExpressions"]) {
      any = true;
      if (!requirementMatches(req, labels)) return false;
    }
  }
  if (term.contains("matchFields") && term["matchFields"].is_array()) {
    for (const auto& req : term["matchFields"]) {
      any = true;
      if (!requirementMatches(req, fields)) return false;
    }
  }
  return any;  // an empty term matches nothing
}

bool nodeSelectorMatches(const json& nodeSelector, const json& node) {
  if (!nodeSelector.is_object() || !nodeSelector.contains("nodeSelectorTerms")) return true;
  for (const auto& term : nodeSelector["nodeSelectorTerms"]) {
    if (nodeSelectorTermMatches(term, node)) return true;
  }
  return false;
}

json untoleratedTaint(const json& taints, const json& tolerations) {
  if (!taints.is_array()) return nullptr;
  for (const auto& taint : taints) {
    std::string effect = taint.value("effect", "");
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    bool tolerated = false;
    if (tolerations.is_array()) {
      for (const auto& t : tolerations) tolerated = tolerated || toleratesTaint(t, taint);
    }
    if (!tolerated) return taint;
  }
  return nullptr;
}

}  // namespace ossvp::kubesim
