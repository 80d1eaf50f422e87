// Matching of Kubernetes label selectors, node selector terms (node
// affinity, PV nodeAffinity) and taints/tolerations against JSON objects, as
// the scheduler and the PV binder need them.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

// metav1.LabelSelector {matchLabels, matchExpressions}; null/empty matches all.
bool labelSelectorMatches(const json& selector, const json& labels);
// v1.NodeSelector {nodeSelectorTerms: [...]} (terms ORed, expressions ANDed).
bool nodeSelectorMatches(const json& nodeSelector, const json& node);
bool nodeSelectorTermMatches(const json& term, const json& node);
// The first taint with effect NoSchedule/NoExecute not tolerated, or null.
json untoleratedTaint(const json& taints, const json& tolerations);

}  // namespace ossvp::kubesim
