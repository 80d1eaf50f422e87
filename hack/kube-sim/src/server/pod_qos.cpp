#include "server/pod_qos.h"

#include <cstdint>
#include <limits>
#include <map>
#include <set>

#include "actors/quantity.h"

namespace ossvp::kubesim {
namespace {

using Sums = std::map<std::string, int64_t>;  // resource -> milli-units

bool isQosResource(const std::string& name) { return name == "cpu" || name == "memory"; }

// A quantity's milli-value; one too large for int64 counts as the largest.
int64_t milliOf(const json& quantity) {
  std::string text = quantity.is_string() ? quantity.get<std::string>() : quantity.dump();
  if (auto milli = quantityMilliValue(text)) return *milli;
  return quantityParseError(text).empty() ? std::numeric_limits<int64_t>::max() : 0;
}

// The member `key` of `obj`, or an empty object when it has none.
const json& member(const json& obj, const char* key) {
  static const json kEmpty = json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it == obj.end() ? kEmpty : *it;
}

// Adds the cpu and memory quantities above zero of `list` (a ResourceList)
// to `sums`; returns the names added.
std::set<std::string> addPositive(const json& list, Sums& sums) {
  std::set<std::string> found;
  if (!list.is_object()) return found;
  for (const auto& [name, quantity] : list.items()) {
    if (!isQosResource(name)) continue;
    int64_t milli = milliOf(quantity);
    if (milli <= 0) continue;
    int64_t& sum = sums[name];
    if (__builtin_add_overflow(sum, milli, &sum)) sum = std::numeric_limits<int64_t>::max();
    found.insert(name);
  }
  return found;
}

}  // namespace

std::string computePodQos(const json& pod) {
  Sums requests, limits;
  bool guaranteed = true;  // every container has cpu and memory limits
  const json& spec = member(pod, "spec");
  for (const char* field : {"containers", "initContainers"}) {
    const json& containers = member(spec, field);
    if (!containers.is_array()) continue;
    for (const json& c : containers) {
      const json& resources = member(c, "resources");
      addPositive(member(resources, "requests"), requests);
      std::set<std::string> limited = addPositive(member(resources, "limits"), limits);
      if (!limited.count("cpu") || !limited.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  // Guaranteed needs each request equal to the limit of its resource, and no limit without a request.
  return guaranteed && requests == limits ? "Guaranteed" : "Burstable";
}

}  // namespace ossvp::kubesim
