#include "server/discovery.h"

#include <algorithm>
#include <map>

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

struct SubInfo {
  json responseKind;
  std::vector<std::string> verbs;
};

SubInfo subresourceInfo(const ResourceInfo& r, const std::string& sub) {
  json self = {{"group", r.gvr.group}, {"version", r.gvr.version}, {"kind", r.kind}};
  if (sub == "status") return {self, {"get", "patch", "update"}};
  if (sub == "log") return {{{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}, {"get"}};
  if (sub == "token")
    return {{{"group", "authentication.k8s.io"}, {"version", "v1"}, {"kind", "TokenRequest"}}, {"create"}};
  if (sub == "binding") return {{{"group", ""}, {"version", "v1"}, {"kind", "Binding"}}, {"create"}};
  if (sub == "eviction") return {{{"group", "policy"}, {"version", "v1"}, {"kind", "Eviction"}}, {"create"}};
  if (sub == "scale")
    return {{{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}, {"get", "patch", "update"}};
  if (sub == "finalize") return {self, {"update"}};
  return {self, {"get"}};
}

// Groups in registry order, versions in registration order, preferred first.
std::vector<std::pair<std::string, std::vector<std::string>>> groupsOf(const std::vector<ResourceInfo>& all) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& r : all) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.first == r.gvr.group; });
    if (it == out.end()) {
      out.push_back({r.gvr.group, {}});
      it = out.end() - 1;
    }
    if (std::find(it->second.begin(), it->second.end(), r.gvr.version) == it->second.end()) {
      it->second.push_back(r.gvr.version);
    }
  }
  // Prefer the CRD storage version / the highest stable version: "v1" before "v1beta1".
  for (auto& g : out) {
    std::stable_sort(g.second.begin(), g.second.end(), [](const std::string& a, const std::string& b) {
      auto rank = [](const std::string& v) {
        return v.find("alpha") != std::string::npos ? 2 : v.find("beta") != std::string::npos ? 1 : 0;
      };
      return rank(a) < rank(b);
    });
  }
  return out;
}

}  // namespace

json aggregatedDiscovery(const std::vector<ResourceInfo>& all, bool core) {
  json items = json::array();
  for (const auto& [group, versions] : groupsOf(all)) {
    if (core != group.empty()) continue;
    json g = {{"metadata", json::object()}, {"versions", json::array()}};
    if (!group.empty()) g["metadata"]["name"] = group;
    for (const auto& v : versions) {
      json resources = json::array();
      for (const auto& r : all) {
        if (r.gvr.group != group || r.gvr.version != v) continue;
        json e = {{"resource", r.gvr.resource},
                  {"responseKind", {{"group", group}, {"version", v}, {"kind", r.kind}}},
                  {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                  {"singularResource", r.singular},
                  {"verbs", r.verbs}};
        if (!r.shortNames.empty()) e["shortNames"] = r.shortNames;
        if (!r.categories.empty()) e["categories"] = r.categories;
        if (!r.subresources.empty()) {
          json subs = json::array();
          for (const auto& s : r.subresources) {
            SubInfo si = subresourceInfo(r, s);
            subs.push_back({{"subresource", s}, {"responseKind", si.responseKind}, {"verbs", si.verbs}});
          }
          e["subresources"] = subs;
        }
        resources.push_back(e);
      }
      g["versions"].push_back({{"version", v}, {"resources", resources}, {"freshness", "Current"}});
    }
    items.push_back(g);
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/v2"},
          {"metadata", json::object()},
          {"items", items}};
}

json legacyApiVersions(const std::string& serverAddress) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serverAddress}}}}};
}

static json groupDoc(const std::string& group, const std::vector<std::string>& versions) {
  json g = {{"name", group}, {"versions", json::array()}};
  for (const auto& v : versions) g["versions"].push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  g["preferredVersion"] = {{"groupVersion", group + "/" + versions.front()}, {"version", versions.front()}};
  return g;
}

json legacyGroupList(const std::vector<ResourceInfo>& all) {
  json groups = json::array();
  for (const auto& [group, versions] : groupsOf(all)) {
    if (!group.empty()) groups.push_back(groupDoc(group, versions));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> legacyGroup(const std::vector<ResourceInfo>& all, const std::string& group) {
  for (const auto& [g, versions] : groupsOf(all)) {
    if (g == group && !g.empty()) {
      json doc = groupDoc(g, versions);
      doc["kind"] = "APIGroup";
      doc["apiVersion"] = "v1";
      return doc;
    }
  }
  return std::nullopt;
}

std::optional<json> legacyResourceList(const std::vector<ResourceInfo>& all, const std::string& group,
                                       const std::string& version) {
  json resources = json::array();
  for (const auto& r : all) {
    if (r.gvr.group != group || r.gvr.version != version) continue;
    json e = {{"name", r.gvr.resource},
              {"singularName", r.singular},
              {"namespaced", r.namespaced},
              {"kind", r.kind},
              {"verbs", r.verbs}};
    if (!r.shortNames.empty()) e["shortNames"] = r.shortNames;
    if (!r.categories.empty()) e["categories"] = r.categories;
    resources.push_back(e);
    for (const auto& s : r.subresources) {
      SubInfo si = subresourceInfo(r, s);
      json sub = {{"name", r.gvr.resource + "/" + s},
                  {"singularName", ""},
                  {"namespaced", r.namespaced},
                  {"kind", si.responseKind["kind"]},
                  {"verbs", si.verbs}};
      if (!si.responseKind["group"].get<std::string>().empty()) {
        sub["group"] = si.responseKind["group"];
        sub["version"] = si.responseKind["version"];
      }
      resources.push_back(sub);
    }
  }
  if (resources.empty()) return std::nullopt;
  std::string gv = group.empty() ? version : group + "/" + version;
  return json{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", gv}, {"resources", resources}};
}

}  // namespace ossvp::kubesim
