// Node health vocabulary shared by the node lifecycle controller, pod GC, the
// kubelet and the scheduler: the taint keys and condition shapes Kubernetes
// uses, kube-sim's power switch (annotation kubesim.io/power=off: the
// simulated machine is down, its kubelet and containers are gone), and the
// taint-eviction decision of the NoExecute taint manager
// (pkg/controller/tainteviction): whether, and when, a pod on a tainted node
// must be deleted given its tolerations.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <cstdint>
#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

namespace names {
// `kubectl annotate node NAME kubesim.io/power=off` powers a simulated node off
// (any other value or no annotation: on).
inline constexpr const char* kPowerAnnotation = "kubesim.io/power";
inline constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
inline constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
inline constexpr const char* kTaintOutOfService = "node.kubernetes.io/out-of-service";
}  // namespace names

bool nodePoweredOff(const json& node);
// obj[outer][inner] when it is an array, else an empty array (spec.taints,
// status.conditions, spec.tolerations on objects that may lack them).
json arrayAt(const json& obj, const char* outer, const char* inner);
// status of the node's Ready condition: "True", "False", "Unknown", or "" if none.
std::string nodeReadyStatus(const json& node);
bool nodeHasTaint(const json& node, const std::string& key, const std::string& effect);

// v1.Toleration.ToleratesTaint: effect (empty = all), key (empty + Exists =
// all keys), operator Equal (default) compares the value, Exists ignores it.
bool toleratesTaint(const json& toleration, const json& taint);

// What the taint manager does with a pod on a node with these taints.
struct NoExecuteDecision {
  enum class Kind { kKeep, kEvictNow, kEvictAt, kToleratedForever };
  Kind kind = Kind::kKeep;  // kKeep: no NoExecute taint at all
  int64_t evictAtUnix = 0;  // kEvictAt: when (unix seconds)
};
// An untolerated NoExecute taint evicts now; otherwise the smallest
// tolerationSeconds of the tolerations used, counted from the earliest
// NoExecute taint's timeAdded (`nowUnix` when it has none); no
// tolerationSeconds on any used toleration: tolerated forever.
NoExecuteDecision noExecuteDecision(const json& taints, const json& tolerations, int64_t nowUnix);

// `conditions` (an array, or null) with `c` replacing the entry of the same
// type; lastTransitionTime kept when the status did not change.
json withCondition(const json& conditions, const json& c);
// The pod condition DisruptionTarget=True the PodGC / taint manager add
// before deleting a pod (reason DeletionByPodGC / DeletionByTaintManager).
json disruptionTargetCondition(const std::string& reason, const std::string& message);

// Whole seconds from environment variable `name` (kube-sim's knobs for the
// node lifecycle timings), or `fallback` when unset or not a number >= 0.
int64_t secondsFromEnv(const char* name, int64_t fallback);

}  // namespace ossvp::kubesim
