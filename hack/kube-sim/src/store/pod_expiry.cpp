#include "store/pod_expiry.h"

#include <optional>
#include <string>

#include "ossvp/common/rfc3339.h"
#include "store/object_meta.h"

namespace ossvp::kubesim {
namespace {

// Seconds a terminating pod is left to the kubelet actor after its grace period.
constexpr int64_t kKubeletSlackSeconds = 5;

bool poweredOff(const ObjectMap* nodes, const std::string& nodeName) {
  if (!nodes) return false;
  auto node = nodes->find({"", nodeName});
  if (node == nodes->end()) return false;
  return objmeta::meta(*node->second).value("annotations", json::object()).value("kubesim.io/power", "") == "off";
}

}  // namespace

std::vector<ObjectId> expiredPods(const ObjectTable& objects, int64_t now) {
  std::vector<ObjectId> expired;
  auto pods = objects.find("/pods");
  if (pods == objects.end()) return expired;
  auto nodesIt = objects.find("/nodes");
  const ObjectMap* nodes = nodesIt == objects.end() ? nullptr : &nodesIt->second;
  for (const auto& [id, ptr] : pods->second) {
    const json& pod = *ptr;
    std::string ts = objmeta::metaStr(pod, "deletionTimestamp");
    if (ts.empty() || objmeta::hasFinalizers(pod)) continue;
    std::string nodeName = pod.contains("spec") ? pod["spec"].value("nodeName", "") : "";
    if (poweredOff(nodes, nodeName)) continue;
    std::optional<int64_t> t = parseRfc3339Seconds(ts);
    if (t && now > *t + kKubeletSlackSeconds) expired.push_back(id);
  }
  return expired;
}

}  // namespace ossvp::kubesim
