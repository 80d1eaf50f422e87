// RBAC authorization (--authorization rbac) for non-admin users (service
// accounts): evaluates RoleBindings in the request namespace and
// ClusterRoleBindings against Roles/ClusterRoles stored in the ObjectStore,
// like the Kubernetes RBAC authorizer (apiGroups, resources incl.
// "res/subresource" and "*", verbs, resourceNames).
//
// rbacDecide() also names EVERY rule that grants the request (not just the
// first), so that an audit (rbac_audit.h) can tell which rule a request
// needs: a request with exactly one matching rule is denied once that rule
// is removed. Rules are named stably as "<Kind>/<name>#<index>" with the
// Role's namespace in front of the name ("Role/ns/name#1",
// "ClusterRole/name#0"); bindings likewise ("RoleBinding/ns/name").
//
// Thread-safety: reads the (thread-safe) store only.
#pragma once

#include <string>
#include <vector>

#include "store/object_store.h"

namespace ossvp::kubesim {

struct RbacRequest {
  std::string user;
  std::vector<std::string> groups;
  std::string verb;
  std::string apiGroup;
  std::string resource;     // e.g. "pods"
  std::string subresource;  // e.g. "status"; empty for the object itself
  std::string ns;           // empty: cluster scope
  std::string name;         // empty: collection
};

struct RbacMatch {
  std::string rule;     // "ClusterRole/ossvp-controller#3", "Role/ns/name#0"
  std::string binding;  // "ClusterRoleBinding/name", "RoleBinding/ns/name"
  bool operator==(const RbacMatch& o) const { return rule == o.rule && binding == o.binding; }
};

struct RbacDecision {
  bool allowed = false;
  std::vector<RbacMatch> matches;  // every (binding, rule) pair granting it
};

RbacDecision rbacDecide(ObjectStore& store, const RbacRequest& request);

// Whether one PolicyRule (JSON) grants the request (subject and namespace of
// the binding are the caller's business).
bool ruleMatches(const json& rule, const RbacRequest& request);

}  // namespace ossvp::kubesim
