#include "ossvp/controller/node_check.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/names.h"

namespace ossvp::controller {

using kube::Object;

namespace {
const kube::Resource& nodes() {
  static const kube::Resource r{"", "v1", "nodes", "Node", false};
  return r;
}
}  // namespace

NodePresence nodePresence(const Status& getNode) {
  if (getNode.isOk()) return NodePresence::Present;
  return kube::isNotFound(getNode) ? NodePresence::Gone : NodePresence::Unknown;
}

Object removeSelectedNodePatch(const std::string& node) {
  // RFC 6901: '/' in a key is written "~1".
  std::string path = "/metadata/annotations/";
  for (char c : kAnnSelectedNode) path += c == '/' ? std::string("~1") : std::string(1, c);
  return Object::array({{{"op", "test"}, {"path", path}, {"value", node}}, {{"op", "remove"}, {"path", path}}});
}

Object disruptionCondition(const Object& pod) {
  const Object* conds = pod.is_object() && pod.contains("status") && pod["status"].is_object() &&
                                pod["status"].contains("conditions") && pod["status"]["conditions"].is_array()
                            ? &pod["status"]["conditions"]
                            : nullptr;
  if (!conds) return nullptr;
  for (const auto& c : *conds) {
    if (c.is_object() && c.value("type", "") == "DisruptionTarget" && c.value("status", "") == "True") {
      return {{"reason", c.value("reason", "")}, {"message", c.value("message", "")}};
    }
  }
  return nullptr;
}

NodeRescheduler::NodeRescheduler(kube::ApiClient& api, kube::EventRecorder& events, std::string populatorNamespace)
    : api_(api), events_(events), populatorNamespace_(std::move(populatorNamespace)) {}

Result<bool> NodeRescheduler::rescheduleIfGone(const Object& pvc, const std::string& node) {
  if (node.empty()) return false;
  const std::string ref = kube::namespaceOf(pvc) + "/" + kube::nameOf(pvc);
  // A named Status, not a temporary inside a returning case: with one there,
  // clang 14's ASan reports stack-use-after-scope from the switch's cleanup.
  const Status nodeRead = api_.get(nodes(), "", node).status();
  switch (nodePresence(nodeRead)) {
    case NodePresence::Present: return false;
    case NodePresence::Unknown:
      logWarn("cannot check node {} selected for PVC {} (populating there anyway): {}", node, ref, nodeRead.message());
      return false;
    case NodePresence::Gone: break;
  }
  const std::string prime = primePvcName(kube::uidOf(pvc));
  logInfo("node {} selected for PVC {} no longer exists: rescheduling its population", node, ref);
  events_.warning(pvc, kReasonNodeGone,
                  "Node " + node +
                      " selected for this PVC no longer exists: population rescheduled (selected-node "
                      "annotation removed so the scheduler picks a new node; prime PVC " +
                      populatorNamespace_ + "/" + prime + " on the old node deleted)");
  Status p = api_.patch(kube::resources::pvcs(), kube::namespaceOf(pvc), kube::nameOf(pvc), kube::PatchType::Json,
                        removeSelectedNodePatch(node))
                 .status();
  // 422: the `test` failed, the annotation already names another node (or none).
  if (!p.isOk() && !kube::isInvalid(p) && !kube::isNotFound(p)) {
    return p.withContext("removing the selected-node annotation of PVC " + ref);
  }
  Status d = api_.remove(kube::resources::pvcs(), populatorNamespace_, prime);
  if (!d.isOk() && !kube::isNotFound(d)) {
    return d.withContext("deleting prime PVC " + populatorNamespace_ + "/" + prime);
  }
  return true;
}

}  // namespace ossvp::controller
