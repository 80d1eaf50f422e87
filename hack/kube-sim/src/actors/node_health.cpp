#include "actors/node_health.h"

#include <algorithm>
#include <cstdlib>

#include "actors/object_util.h"
#include "ossvp/common/rfc3339.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {

bool nodePoweredOff(const json& node) { return annotation(node, names::kPowerAnnotation) == "off"; }

json arrayAt(const json& obj, const char* outer, const char* inner) {
  if (!obj.is_object() || !obj.contains(outer) || !obj[outer].is_object()) return json::array();
  const json& o = obj[outer];
  return o.contains(inner) && o[inner].is_array() ? o[inner] : json::array();
}

std::string nodeReadyStatus(const json& node) {
  for (const auto& c : arrayAt(node, "status", "conditions")) {
    if (c.value("type", "") == "Ready") return c.value("status", "");
  }
  return "";
}

bool nodeHasTaint(const json& node, const std::string& key, const std::string& effect) {
  for (const auto& t : arrayAt(node, "spec", "taints")) {
    if (t.value("key", "") == key && t.value("effect", "") == effect) return true;
  }
  return false;
}

bool toleratesTaint(const json& toleration, const json& taint) {
  std::string effect = toleration.value("effect", "");
  if (!effect.empty() && effect != taint.value("effect", "")) return false;
  std::string key = toleration.value("key", "");
  if (!key.empty() && key != taint.value("key", "")) return false;
  std::string op = toleration.value("operator", "");
  if (op == "Exists") return true;
  return (op.empty() || op == "Equal") && toleration.value("value", "") == taint.value("value", "");
}

NoExecuteDecision noExecuteDecision(const json& taints, const json& tolerations, int64_t nowUnix) {
  NoExecuteDecision d;
  if (!taints.is_array()) return d;
  int64_t start = -1;
  int64_t minSeconds = -1;  // -1: no used toleration has tolerationSeconds
  bool any = false;
  for (const auto& taint : taints) {
    if (taint.value("effect", "") != "NoExecute") continue;
    any = true;
    int64_t added = parseRfc3339Seconds(taint.value("timeAdded", "")).value_or(nowUnix);
    start = start < 0 ? added : std::min(start, added);
    bool tolerated = false;
    if (tolerations.is_array()) {
      for (const auto& t : tolerations) {
        if (!toleratesTaint(t, taint)) continue;
        tolerated = true;
        if (t.contains("tolerationSeconds") && t["tolerationSeconds"].is_number_integer()) {
          int64_t s = std::max<int64_t>(0, t["tolerationSeconds"].get<int64_t>());
          minSeconds = minSeconds < 0 ? s : std::min(minSeconds, s);
        }
      }
    }
    if (!tolerated) {
      d.kind = NoExecuteDecision::Kind::kEvictNow;
      return d;
    }
  }
  if (!any) return d;
  if (minSeconds < 0) {
    d.kind = NoExecuteDecision::Kind::kToleratedForever;
    return d;
  }
  d.kind = NoExecuteDecision::Kind::kEvictAt;
  d.evictAtUnix = start + minSeconds;
  return d;
}

json withCondition(const json& conditions, const json& c) {
  json out = json::array();
  bool replaced = false;
  if (conditions.is_array()) {
    for (const auto& old : conditions) {
      if (old.value("type", "") != c.value("type", "")) {
        out.push_back(old);
        continue;
      }
      json n = c;
      if (old.value("status", "") == c.value("status", "") && old.contains("lastTransitionTime")) {
        n["lastTransitionTime"] = old["lastTransitionTime"];
      }
      out.push_back(n);
      replaced = true;
    }
  }
  if (!replaced) out.push_back(c);
  return out;
}

json disruptionTargetCondition(const std::string& reason, const std::string& message) {
  return {{"type", "DisruptionTarget"}, {"status", "True"},         {"reason", reason},
          {"message", message},         {"lastProbeTime", nullptr}, {"lastTransitionTime", nowRfc3339()}};
}

int64_t secondsFromEnv(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  return (*end == '\0' && n >= 0) ? n : fallback;
}

}  // namespace ossvp::kubesim
