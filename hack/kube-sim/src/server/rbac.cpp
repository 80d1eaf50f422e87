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

bool rulesAllow(const json& rules, const std::string& verb, const std::string& apiGroup, const std::string& resource,
                const std::string& name) {
  if (!rules.is_array()) return false;
  std::string base = resource.substr(0, resource.find('/'));
  for (const auto& r : rules) {
    if (!listHas(r.value("verbs", json::array()), verb)) continue;
    if (!listHas(r.value("apiGroups", json::array()), apiGroup)) continue;
    json res = r.value("resources", json::array());
    bool resOk = listHas(res, resource);
    if (!resOk && resource.find('/') != std::string::npos) {
      resOk = listHas(res, base + "/*") || listHas(res, "*/" + resource.substr(resource.find('/') + 1));
    }
    if (!resOk) continue;
    json names = r.value("resourceNames", json::array());
    if (!names.empty() && !listHas(names, name)) continue;
    return true;
  }
  return false;
}

json roleRules(ObjectStore& store, const json& roleRef, const std::string& ns) {
  std::string kind = roleRef.value("kind", "");
  std::string name = roleRef.value("name", "");
  auto r = kind == "ClusterRole" ? store.get(kClusterRoles, "", name) : store.get(kRoles, ns, name);
  if (!r) return json::array();
  return r->value("rules", json::array());
}

}  // namespace

bool rbacAllows(ObjectStore& store, const std::string& user, const std::vector<std::string>& groups,
                const std::string& verb, const std::string& apiGroup, const std::string& resource,
                const std::string& ns, const std::string& name) {
  auto crbs = store.list(kClusterRoleBindings, "");
  if (crbs) {
    for (const auto& b : crbs->items) {
      if (!subjectMatches(b.value("subjects", json::array()), user, groups, "")) continue;
      if (rulesAllow(roleRules(store, b.value("roleRef", json::object()), ""), verb, apiGroup, resource, name)) {
        return true;
      }
    }
  }
  if (ns.empty()) return false;
  auto rbs = store.list(kRoleBindings, ns);
  if (rbs) {
    for (const auto& b : rbs->items) {
      if (!subjectMatches(b.value("subjects", json::array()), user, groups, ns)) continue;
      if (rulesAllow(roleRules(store, b.value("roleRef", json::object()), ns), verb, apiGroup, resource, name)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace ossvp::kubesim
