#include "server/rbac.h"

#include <algorithm>

namespace ossvp::kubesim {
namespace {

const GVR kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
const GVR kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
const GVR kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
const GVR kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings"};

bool listHas(const json& list, const std::string& v) {
  if (!list.is_array()) return false;
  for (const auto& e : list) {
    if (e == "*" || e == v) return true;
  }
  return false;
}

bool subjectMatches(const json& subjects, const std::string& user, const std::vector<std::string>& groups,
                    const std::string& bindingNs) {
  if (!subjects.is_array()) return false;
  for (const auto& s : subjects) {
    std::string kind = s.value("kind", "");
    std::string name = s.value("name", "");
    if (kind == "ServiceAccount") {
      std::string ns = s.value("namespace", bindingNs);
      if (user == "system:serviceaccount:" + ns + ":" + name) return true;
    } else if (kind == "User") {
      if (user == name) return true;
    } else if (kind == "Group") {
      if (std::find(groups.begin(), groups.end(), name) != groups.end()) return true;
    }
  }
  return false;
}

std::string qualified(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + "/" + (ns.empty() ? "" : ns + "/") + name;
}

// Adds the matches of every binding in `bindings` (namespace `ns`, empty for
// ClusterRoleBindings) whose subjects include the requester.
void collect(ObjectStore& store, const std::vector<json>& bindings, const std::string& ns, const RbacRequest& rq,
             std::vector<RbacMatch>* out) {
  for (const auto& b : bindings) {
    if (!subjectMatches(b.value("subjects", json::array()), rq.user, rq.groups, ns)) continue;
    json ref = b.value("roleRef", json::object());
    std::string kind = ref.value("kind", "");
    std::string name = ref.value("name", "");
    bool cluster = kind == "ClusterRole";
    if (!cluster && kind != "Role") continue;
    auto role = cluster ? store.get(kClusterRoles, "", name) : store.get(kRoles, ns, name);
    if (!role) continue;
    json rules = role->value("rules", json::array());
    if (!rules.is_array()) continue;
    std::string bindingId = qualified(ns.empty() ? "ClusterRoleBinding" : "RoleBinding", ns,
                                      b.value("/metadata/name"_json_pointer, std::string()));
    for (size_t i = 0; i < rules.size(); ++i) {
      if (!ruleMatches(rules[i], rq)) continue;
      out->push_back({qualified(kind, cluster ? "" : ns, name) + "#" + std::to_string(i), bindingId});
    }
  }
}

}  // namespace

bool ruleMatches(const json& rule, const RbacRequest& rq) {
  if (!rule.is_object()) return false;
  if (!listHas(rule.value("verbs", json::array()), rq.verb)) return false;
  if (!listHas(rule.value("apiGroups", json::array()), rq.apiGroup)) return false;
  json res = rule.value("resources", json::array());
  bool resOk = rq.subresource.empty() ? listHas(res, rq.resource)
                                      : listHas(res, rq.resource + "/" + rq.subresource) ||
                                            listHas(res, rq.resource + "/*") || listHas(res, "*/" + rq.subresource);
  if (!resOk) return false;
  json names = rule.value("resourceNames", json::array());
  return names.empty() || listHas(names, rq.name);
}

RbacDecision rbacDecide(ObjectStore& store, const RbacRequest& rq) {
  RbacDecision d;
  if (auto crbs = store.list(kClusterRoleBindings, "")) collect(store, crbs->items, "", rq, &d.matches);
  if (!rq.ns.empty()) {
    if (auto rbs = store.list(kRoleBindings, rq.ns)) collect(store, rbs->items, rq.ns, rq, &d.matches);
  }
  d.allowed = !d.matches.empty();
  return d;
}

}  // namespace ossvp::kubesim
