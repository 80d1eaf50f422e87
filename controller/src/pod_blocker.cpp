#include "ossvp/controller/pod_blocker.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace ossvp::controller {

using kube::Object;

namespace {

// Container waiting reasons that stay until the pod spec, the image or the
// objects it refers to are fixed (the kubelet's own names).
constexpr std::array<std::string_view, 4> kPermanentWaiting = {"InvalidImageName", "ErrImageNeverPull",
                                                               "CreateContainerConfigError", "CreateContainerError"};
// Scheduler messages that no provisioning, node or capacity change will clear:
// the volume is bound where the pod cannot go.
constexpr std::array<std::string_view, 1> kPermanentUnschedulable = {"volume node affinity conflict"};

template <size_t N>
bool containsAny(const std::string& text, const std::array<std::string_view, N>& needles) {
  for (std::string_view n : needles) {
    if (text.find(n) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

PodBlocker podBlocker(const Object& pod) {
  const Object& st = pod.value("status", Object::object());
  for (const auto& cs : st.value("containerStatuses", Object::array())) {
    const Object& waiting = cs.contains("state") ? cs["state"].value("waiting", Object()) : Object();
    std::string why = waiting.is_object() ? waiting.value("reason", "") : "";
    if (!why.empty() && why != "ContainerCreating" && why != "PodInitializing") {
      bool permanent = std::find(kPermanentWaiting.begin(), kPermanentWaiting.end(), why) != kPermanentWaiting.end();
      return {why + ": " + waiting.value("message", ""), permanent};
    }
  }
  for (const auto& c : st.value("conditions", Object::array())) {
    if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False") {
      std::string message = c.value("message", c.value("reason", ""));
      return {"not scheduled: " + message, containsAny(message, kPermanentUnschedulable)};
    }
  }
  return {};
}

}  // namespace ossvp::controller
