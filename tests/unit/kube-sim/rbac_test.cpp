// RBAC matcher of kube-sim (--authorization rbac) and its decision audit
// (--rbac-audit): which rules grant a request, named stably, and the JSON
// line written per decision.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "server/rbac.h"
#include "server/rbac_audit.h"
#include "store/object_store.h"

using namespace ossvp::kubesim;

namespace {

const GVR kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
const GVR kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
const GVR kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
const GVR kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings"};
const std::string kSa = "system:serviceaccount:sys:ctrl";

json rule(json groups, json resources, json verbs) {
  return {{"apiGroups", groups}, {"resources", resources}, {"verbs", verbs}};
}

// `rules` is a vector, not a json: `{rule(...)}` as a json parameter is a copy
// of that one rule under clang (a single-element braced list of the same
// type), an array of one rule under gcc.
json role(const std::string& kind, const std::string& name, const std::vector<json>& rules) {
  return {
      {"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", kind}, {"metadata", {{"name", name}}}, {"rules", rules}};
}

json binding(const std::string& kind, const std::string& name, const std::string& roleKind, const std::string& roleName,
             json subjects) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", kind},
          {"metadata", {{"name", name}}},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", roleKind}, {"name", roleName}}},
          {"subjects", subjects}};
}

json saSubject(const std::string& ns, const std::string& name) {
  return json::array({{{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}}});
}

RbacRequest req(const std::string& verb, const std::string& group, const std::string& resource, const std::string& ns,
                const std::string& name = "", const std::string& sub = "") {
  return {kSa,      {"system:serviceaccounts", "system:serviceaccounts:sys", "system:authenticated"},
          verb,     group,
          resource, sub,
          ns,       name};
}

std::vector<std::string> ruleIds(const RbacDecision& d) {
  std::vector<std::string> out;
  for (const auto& m : d.matches) out.push_back(m.rule);
  return out;
}

// A cluster like the install: a ClusterRole (rules 0..2, where 0 and 2 both
// grant "get pods"), a Role in "sys", a ClusterRole bound only in "sys" by a
// RoleBinding, and a Role in "other" bound to someone else.
void install(ObjectStore& s) {
  for (const char* ns : {"sys", "other"})
    REQUIRE(s.create(gvr::kNamespaces, "", {{"metadata", {{"name", ns}}}}).isOk());
  REQUIRE(s.create(kClusterRoles, "",
                   role("ClusterRole", "ctrl",
                        {rule({""}, {"pods"}, {"get", "list"}), rule({"x.io"}, {"things/status"}, {"update"}),
                         rule({""}, {"pods", "nodes"}, {"get"})}))
              .isOk());
  REQUIRE(s.create(kClusterRoleBindings, "",
                   binding("ClusterRoleBinding", "ctrl-crb", "ClusterRole", "ctrl", saSubject("sys", "ctrl")))
              .isOk());
  json named = rule({""}, {"secrets"}, {"get"});
  named["resourceNames"] = {"creds"};
  REQUIRE(
      s.create(kRoles, "sys", role("Role", "ctrl", {rule({"coordination.k8s.io"}, {"leases"}, {"*"}), named})).isOk());
  REQUIRE(s.create(kRoleBindings, "sys", binding("RoleBinding", "ctrl-rb", "Role", "ctrl", saSubject("sys", "ctrl")))
              .isOk());
  REQUIRE(s.create(kClusterRoles, "", role("ClusterRole", "events", {rule({""}, {"events"}, {"create"})})).isOk());
  REQUIRE(s.create(kRoleBindings, "sys",
                   binding("RoleBinding", "ev", "ClusterRole", "events",
                           json::array({{{"kind", "Group"}, {"name", "system:serviceaccounts:sys"}}})))
              .isOk());
  REQUIRE(s.create(kRoles, "other", role("Role", "all", {rule({"*"}, {"*"}, {"*"})})).isOk());
  REQUIRE(s.create(kRoleBindings, "other", binding("RoleBinding", "all", "Role", "all", saSubject("other", "ctrl")))
              .isOk());
}

}  // namespace

TEST_CASE("ruleMatches: verbs, groups, resources, subresources, names", "[kube-sim][rbac]") {
  json r = rule({""}, {"pods"}, {"get", "patch"});
  CHECK(ruleMatches(r, req("get", "", "pods", "ns", "p")));
  CHECK(ruleMatches(r, req("patch", "", "pods", "ns", "p")));
  CHECK_FALSE(ruleMatches(r, req("delete", "", "pods", "ns", "p")));
  CHECK_FALSE(ruleMatches(r, req("get", "apps", "pods", "ns", "p")));
  CHECK_FALSE(ruleMatches(r, req("get", "", "pods", "ns", "p", "status")));  // "pods" is not "pods/status"
  CHECK(ruleMatches(rule({""}, {"pods/status"}, {"get"}), req("get", "", "pods", "ns", "p", "status")));
  CHECK_FALSE(ruleMatches(rule({""}, {"pods/status"}, {"get"}), req("get", "", "pods", "ns", "p")));
  CHECK(ruleMatches(rule({""}, {"pods/*"}, {"get"}), req("get", "", "pods", "ns", "p", "log")));
  CHECK(ruleMatches(rule({""}, {"*/status"}, {"update"}), req("update", "", "pvcs", "ns", "p", "status")));
  CHECK(ruleMatches(rule({"*"}, {"*"}, {"*"}), req("deletecollection", "x.io", "things", "ns", "", "status")));
  json named = rule({""}, {"secrets"}, {"get"});
  named["resourceNames"] = {"a", "b"};
  CHECK(ruleMatches(named, req("get", "", "secrets", "ns", "b")));
  CHECK_FALSE(ruleMatches(named, req("get", "", "secrets", "ns", "c")));
  CHECK_FALSE(ruleMatches(named, req("get", "", "secrets", "ns", "")));  // a list is not a named get
  CHECK_FALSE(ruleMatches(json::array(), req("get", "", "pods", "ns")));
}

TEST_CASE("rbacDecide names every granting rule and its binding", "[kube-sim][rbac]") {
  ObjectStore s;
  install(s);

  // Two rules of one ClusterRole grant "get pods": both are named, so that
  // neither alone is necessary for it.
  auto d = rbacDecide(s, req("get", "", "pods", "sys", "p"));
  CHECK(d.allowed);
  CHECK(ruleIds(d) == std::vector<std::string>{"ClusterRole/ctrl#0", "ClusterRole/ctrl#2"});
  CHECK(d.matches[0].binding == "ClusterRoleBinding/ctrl-crb");
  // Only rule 0 grants list; only rule 2 grants nodes (cluster scope).
  CHECK(ruleIds(rbacDecide(s, req("list", "", "pods", ""))) == std::vector<std::string>{"ClusterRole/ctrl#0"});
  CHECK(ruleIds(rbacDecide(s, req("get", "", "nodes", "", "n1"))) == std::vector<std::string>{"ClusterRole/ctrl#2"});
  // Subresource rule.
  CHECK(ruleIds(rbacDecide(s, req("update", "x.io", "things", "sys", "t", "status"))) ==
        std::vector<std::string>{"ClusterRole/ctrl#1"});
  CHECK_FALSE(rbacDecide(s, req("update", "x.io", "things", "sys", "t")).allowed);

  // A Role counts in its namespace only, and carries the namespace in its id.
  auto lease = rbacDecide(s, req("update", "coordination.k8s.io", "leases", "sys", "l"));
  REQUIRE(lease.allowed);
  CHECK(lease.matches == std::vector<RbacMatch>{{"Role/sys/ctrl#0", "RoleBinding/sys/ctrl-rb"}});
  CHECK_FALSE(rbacDecide(s, req("update", "coordination.k8s.io", "leases", "default", "l")).allowed);
  // resourceNames.
  CHECK(ruleIds(rbacDecide(s, req("get", "", "secrets", "sys", "creds"))) ==
        std::vector<std::string>{"Role/sys/ctrl#1"});
  CHECK_FALSE(rbacDecide(s, req("get", "", "secrets", "sys", "other")).allowed);
  // A ClusterRole bound by a RoleBinding to a group: granted in that namespace only.
  auto ev = rbacDecide(s, req("create", "", "events", "sys"));
  CHECK(ev.matches == std::vector<RbacMatch>{{"ClusterRole/events#0", "RoleBinding/sys/ev"}});
  CHECK_FALSE(rbacDecide(s, req("create", "", "events", "other")).allowed);
  // Someone else's binding grants nothing (the Role "all" in "other").
  auto denied = rbacDecide(s, req("delete", "", "configmaps", "other", "c"));
  CHECK_FALSE(denied.allowed);
  CHECK(denied.matches.empty());

  // Removing the only granting rule denies; the overlapping pair survives one removal.
  auto cr = s.get(kClusterRoles, "", "ctrl");
  REQUIRE(cr);
  json edited = *cr;
  edited["rules"].erase(0);  // old #1, #2 become #0, #1
  REQUIRE(s.update(kClusterRoles, "", edited).isOk());
  CHECK_FALSE(rbacDecide(s, req("list", "", "pods", "")).allowed);
  CHECK(ruleIds(rbacDecide(s, req("get", "", "pods", "sys", "p"))) == std::vector<std::string>{"ClusterRole/ctrl#1"});
}

TEST_CASE("RbacAudit writes one JSON line per decision", "[kube-sim][rbac]") {
  auto dir = std::filesystem::temp_directory_path() / ("kubesim-rbac-audit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "audit.jsonl").string();
  std::string err;
  {
    auto audit = RbacAudit::open(path, &err);
    REQUIRE(audit);
    RbacDecision yes{true, {{"Role/sys/ctrl#0", "RoleBinding/sys/ctrl-rb"}}};
    audit->record(req("patch", "", "pods", "sys", "p", "status"), yes, true);
    audit->record(req("get", "", "secrets", "default", "s"), RbacDecision{}, false);
  }
  std::ifstream in(path);
  std::string l1, l2, l3;
  REQUIRE(std::getline(in, l1));
  REQUIRE(std::getline(in, l2));
  CHECK_FALSE(std::getline(in, l3));
  json a = json::parse(l1);
  CHECK(a == json{{"user", kSa},
                  {"verb", "patch"},
                  {"apiGroup", ""},
                  {"resource", "pods"},
                  {"subresource", "status"},
                  {"namespace", "sys"},
                  {"name", "p"},
                  {"allowed", true},
                  {"enforced", true},
                  {"matches", json::array({{{"rule", "Role/sys/ctrl#0"}, {"binding", "RoleBinding/sys/ctrl-rb"}}})}});
  json b = json::parse(l2);
  CHECK(b["allowed"] == false);
  CHECK(b["enforced"] == false);
  CHECK(b["matches"] == json::array());
  CHECK(b["name"] == "s");
  std::filesystem::remove_all(dir);

  CHECK_FALSE(RbacAudit::open("/nonexistent-dir/x/audit.jsonl", &err));
  CHECK(err.find("--rbac-audit /nonexistent-dir/x/audit.jsonl") != std::string::npos);
}
