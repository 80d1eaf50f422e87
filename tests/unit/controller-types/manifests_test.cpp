// The YAML under manifests/: every file parses; the examples are the seed's
// and pass the CRD schema and the C++ validation; references resolve; the
// install is least-privilege and hardened.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "ossvp/controller/ossvp_validation.h"
#include "schema_check.h"
#include "yaml_json.h"

using namespace ossvp::controller;
using nlohmann::json;
using ossvp_test::loadYamlDocuments;
using ossvp_test::sourcePath;
using ossvp_test::yamlFilesUnder;

namespace {

struct Doc {
  std::string file;  // relative to manifests/
  json obj;
};

const std::vector<Doc>& docsUnder(const std::string& dir) {
  static std::map<std::string, std::vector<Doc>> cache;
  auto it = cache.find(dir);
  if (it != cache.end()) return it->second;
  std::vector<Doc> docs;
  const std::string root = sourcePath("manifests");
  for (const std::string& f : yamlFilesUnder(sourcePath(dir))) {
    if (std::filesystem::path(f).filename() == "kustomization.yaml") continue;
    for (json& d : loadYamlDocuments(f)) docs.push_back({std::filesystem::relative(f, root).string(), std::move(d)});
  }
  return cache[dir] = std::move(docs);
}

std::vector<const json*> ofKind(const std::vector<Doc>& docs, const std::string& kind) {
  std::vector<const json*> out;
  for (const Doc& d : docs) {
    if (d.obj.value("kind", "") == kind) out.push_back(&d.obj);
  }
  return out;
}

const json* find(const std::vector<Doc>& docs, const std::string& kind, const std::string& ns,
                 const std::string& name) {
  for (const json* o : ofKind(docs, kind)) {
    if ((*o)["metadata"].value("namespace", "") == ns && (*o)["metadata"].value("name", "") == name) return o;
  }
  return nullptr;
}

const json& crdSpecSchema() {
  static const json s = loadYamlDocuments(sourcePath(
      "crds/storage.alibabacloud.com_ossvolumepopulators.yaml"))[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  return s;
}

bool hasArg(const json& container, const std::string& arg) {
  for (const auto& a : container["args"]) {
    if (a == arg) return true;
  }
  return false;
}

// Every PVC spec that names a data source, with its namespace: PVCs, pod
// ephemeral volumes, StatefulSet/Workflow templates.
void collectClaimSpecs(const json& node, const std::string& ns, std::vector<std::pair<std::string, json>>* out) {
  if (node.is_object()) {
    if (node.contains("dataSourceRef")) out->push_back({ns, node});
    for (const auto& [k, v] : node.items()) collectClaimSpecs(v, ns, out);
  } else if (node.is_array()) {
    for (const auto& v : node) collectClaimSpecs(v, ns, out);
  }
}

}  // namespace

TEST_CASE("every manifest parses and names its object", "[unit]") {
  const auto& docs = docsUnder("manifests");
  REQUIRE(docs.size() > 20);
  for (const Doc& d : docs) {
    INFO(d.file);
    CHECK(d.obj.contains("apiVersion"));
    CHECK(d.obj.contains("kind"));
    CHECK(d.obj["metadata"].contains("name"));
  }
}

TEST_CASE("every example ossvp passes the CRD schema and the C++ validation", "[unit]") {
  auto ossvps = ofKind(docsUnder("manifests/examples"), "OSSVolumePopulator");
  REQUIRE(ossvps.size() == 3);
  for (const json* o : ossvps) {
    INFO((*o)["metadata"]["name"]);
    CHECK((*o)["apiVersion"] == std::string(kOssvpApiVersion));
    CHECK_FALSE((*o)["metadata"].value("namespace", "").empty());  // namespaced, same as the PVC
    json obj = *o;
    ossvp_test::applySchemaDefaults(&obj, crdSpecSchema());
    CHECK(ossvp_test::schemaErrors(obj, crdSpecSchema()).empty());
    auto parsed = parseOssvpObject(obj);
    REQUIRE(parsed.isOk());
    INFO(validationStatus(validateOssvpSpec(parsed->spec)).message());
    CHECK(validateOssvpSpec(parsed->spec).empty());
  }
}

TEST_CASE("the seed's scenario objects, field by field", "[unit]") {
  const auto& docs = docsUnder("manifests/examples");
  const json* qwen = find(docs, "OSSVolumePopulator", "bmcpfs-dataflow-demo", "qwen3-32b");
  REQUIRE(qwen);
  auto q = parseOssvpObject(*qwen);
  REQUIRE(q.isOk());
  CHECK(q->spec.mode == PopulatorMode::BmcpfsDataflow);
  CHECK(q->spec.region == "cn-hangzhou");
  CHECK(q->spec.endpoint == "oss-cn-hangzhou-internal.aliyuncs.com");
  CHECK(q->spec.path == "/Qwen3-32B/");
  CHECK(q->spec.bmcpfsOptions().throughputMBps == 600);

  const json* demo = find(docs, "OSSVolumePopulator", "argo", "generic-demo");
  REQUIRE(demo);
  auto g = parseOssvpObject(*demo);
  REQUIRE(g.isOk());
  CHECK(g->spec.bucket == "my-test-bucket");
  CHECK(g->spec.path == "/many-files/");
  REQUIRE(g->spec.generic);
  CHECK(g->spec.generic->labels == std::map<std::string, std::string>{{"alibabacloud.com/eci", "true"}});
  CHECK(g->spec.generic->annotations == std::map<std::string, std::string>{{"k8s.aliyun.com/eci-use-specs", "2-4Gi"}});
  REQUIRE(g->spec.generic->rrsaConfigs);
  CHECK(g->spec.generic->rrsaConfigs->roleArn == "acs:ram::1234567*****:role/oss-populator");
  CHECK(g->spec.generic->rrsaConfigs->oidcProviderArn == "acs:ram::1234567*****:oidc-provider/my-oidc-provider");
  CHECK_FALSE(g->spec.generic->secretRef);
  CHECK(g->spec.generic->tolerations[0] == json{{"key", "virtual-kubelet.io/provider"},
                                                {"operator", "Equal"},
                                                {"value", "alibabacloud"},
                                                {"effect", "NoSchedule"}});
  CHECK(g->spec.generic->affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
                                 [0]["matchExpressions"][0] ==
        json{{"key", "disktype"}, {"operator", "NotIn"}, {"values", {"hdd"}}});

  const json* withSecret = find(docs, "OSSVolumePopulator", "argo", "generic-demo-secret");
  REQUIRE(withSecret);
  CHECK(parseOssvpObject(*withSecret)->spec.generic->secretRef == "oss-secret");
  const json* secret = find(docs, "Secret", std::string(kDefaultPopulatorNamespace), "oss-secret");
  REQUIRE(secret);
  CHECK((*secret)["stringData"].contains(std::string(kSecretKeyAccessKeyId)));
  CHECK((*secret)["stringData"].contains(std::string(kSecretKeyAccessKeySecret)));

  CHECK(find(docs, "StatefulSet", "bmcpfs-dataflow-demo", "demo-apply-qwen3-32b"));
  CHECK(find(docs, "PersistentVolumeClaim", "bmcpfs-dataflow-demo", "qwen3-32b"));
  const json* wf = find(docs, "Workflow", "argo", "ossvp-generic-demo");
  REQUIRE(wf);
  CHECK((*wf)["spec"]["volumes"][0]["ephemeral"].contains("volumeClaimTemplate"));
  const json* pod = find(docs, "Pod", "argo", "ossvp-generic-task-1");
  REQUIRE(pod);
  CHECK((*pod)["spec"]["volumes"][0]["ephemeral"].contains("volumeClaimTemplate"));
}

TEST_CASE("every dataSourceRef names an example ossvp in its own namespace, every class exists", "[unit]") {
  const auto& docs = docsUnder("manifests/examples");
  std::set<std::string> classes;
  for (const json* sc : ofKind(docs, "StorageClass")) classes.insert((*sc)["metadata"]["name"]);
  std::vector<std::pair<std::string, json>> claims;
  for (const Doc& d : docs) {  // Namespaces and Secrets have no spec: value(), not const operator[]
    collectClaimSpecs(d.obj.value("spec", json::object()), d.obj["metadata"].value("namespace", ""), &claims);
  }
  REQUIRE(claims.size() == 4);  // generic PVC, ephemeral pod, Argo workflow, bmcpfs PVC
  for (const auto& [ns, claim] : claims) {
    const json& ref = claim["dataSourceRef"];
    INFO(ns << " " << ref.dump());
    CHECK(ref["apiGroup"] == std::string(kOssvpGroup));
    CHECK(ref["kind"] == std::string(kOssvpKind));
    CHECK_FALSE(ref.contains("namespace"));  // only the PVC's own namespace is supported
    CHECK(find(docs, "OSSVolumePopulator", ns, ref["name"]) != nullptr);
    CHECK(classes.count(claim.value("storageClassName", "")) == 1);
    CHECK(claim.value("volumeMode", "Filesystem") == "Filesystem");
  }
}

TEST_CASE("the controller Deployment is hardened and wired", "[unit]") {
  const auto& docs = docsUnder("manifests/base");
  const json* dep = find(docs, "Deployment", std::string(kDefaultPopulatorNamespace), "ossvp-controller");
  REQUIRE(dep);
  const json& pod = (*dep)["spec"]["template"]["spec"];
  CHECK(pod["securityContext"]["runAsNonRoot"] == true);
  CHECK(pod["securityContext"]["runAsUser"].get<int>() != 0);
  REQUIRE(pod["containers"].size() == 1);
  const json& c = pod["containers"][0];
  CHECK(c["securityContext"]["readOnlyRootFilesystem"] == true);
  CHECK(c["securityContext"]["allowPrivilegeEscalation"] == false);
  CHECK(c["securityContext"]["capabilities"]["drop"] == json::array({"ALL"}));
  CHECK(c["livenessProbe"]["httpGet"]["path"] == "/healthz");
  CHECK(c["readinessProbe"]["httpGet"]["path"] == "/readyz");
  CHECK(c["args"][0] == "--feature-gates=VolumePopulator=true");
  CHECK(hasArg(c, "--populator-namespace=ack-volume-populator"));
  CHECK(hasArg(c, "--leader-elect=true"));
  CHECK((*dep)["spec"]["replicas"] == 2);
  CHECK(find(docs, "ServiceAccount", "ack-volume-populator", pod["serviceAccountName"]));
  CHECK(find(docs, "Namespace", "", "ack-volume-populator"));

  // manifests/pod-handler turns the gate on by patching exactly that argument.
  auto kust = loadYamlDocuments(sourcePath("manifests/pod-handler/kustomization.yaml"))[0];
  std::string patch = kust["patches"][0]["patch"];
  CHECK(patch.find("value: --feature-gates=VolumePopulator=true\n") != std::string::npos);
  CHECK(patch.find("value: --feature-gates=VolumePopulator=true,VolumePopulatorPodHandler=true") != std::string::npos);
}

TEST_CASE("RBAC is least-privilege: no wildcards, Secrets and writes confined", "[unit]") {
  const auto& base = docsUnder("manifests/base");
  const auto& handler = docsUnder("manifests/pod-handler");
  std::vector<const json*> roles = ofKind(base, "ClusterRole");
  for (auto r : ofKind(base, "Role")) roles.push_back(r);
  for (auto r : ofKind(handler, "Role")) roles.push_back(r);
  REQUIRE(roles.size() == 3);
  for (const json* role : roles) {
    bool cluster = (*role)["kind"] == "ClusterRole";
    for (const json& rule : (*role)["rules"]) {
      for (const char* field : {"apiGroups", "resources", "verbs"}) {
        for (const json& v : rule[field]) CHECK(v != "*");
      }
      for (const json& res : rule["resources"]) {
        if (!cluster) continue;
        INFO(res);
        CHECK(res != "secrets");  // Secrets only in ack-volume-populator
        CHECK(res != "pods");     // pods only in ack-volume-populator
        for (const json& verb : rule["verbs"]) {
          CHECK(verb != "delete");  // cluster-wide: no deletes; creates only events, updates only ossvp status
          if (verb == "create") CHECK(res == "events");
          if (verb == "update") CHECK(res == "ossvolumepopulators/status");
        }
      }
    }
    if (!cluster) CHECK((*role)["metadata"]["namespace"] == "ack-volume-populator");
  }
  const json* populator = find(handler, "Role", "ack-volume-populator", "ossvp-populator");
  REQUIRE(populator);
  CHECK((*populator)["rules"] == json::parse(R"([{"apiGroups":[""],"resources":["pods"],"verbs":["patch"]}])"));

  // Every binding points at a role and a ServiceAccount that the install creates.
  std::vector<Doc> all = base;
  all.insert(all.end(), handler.begin(), handler.end());
  for (const char* kind : {"RoleBinding", "ClusterRoleBinding"}) {
    for (const json* b : ofKind(all, kind)) {
      const json& ref = (*b)["roleRef"];
      std::string ns = ref["kind"] == "Role" ? (*b)["metadata"]["namespace"].get<std::string>() : "";
      CHECK(find(all, ref["kind"], ns, ref["name"]));
      for (const json& s : (*b)["subjects"]) CHECK(find(all, "ServiceAccount", s["namespace"], s["name"]));
    }
  }
}

TEST_CASE("kustomizations list only files that exist, registration names our kind", "[unit]") {
  for (const char* dir :
       {"manifests", "manifests/base", "manifests/pod-handler", "manifests/volume-populator", "crds"}) {
    auto k = loadYamlDocuments(sourcePath(std::string(dir) + "/kustomization.yaml"));
    REQUIRE(k.size() == 1);
    for (const json& r : k[0]["resources"]) {
      std::filesystem::path p = std::filesystem::path(sourcePath(dir)) / r.get<std::string>();
      INFO(p.string());
      CHECK((std::filesystem::is_regular_file(p) || std::filesystem::exists(p / "kustomization.yaml")));
    }
  }
  auto reg = loadYamlDocuments(sourcePath("manifests/volume-populator/volumepopulator.yaml"));
  REQUIRE(reg.size() == 1);
  CHECK(reg[0]["apiVersion"] == "populator.storage.k8s.io/v1beta1");
  CHECK(reg[0]["sourceKind"] == json{{"group", std::string(kOssvpGroup)}, {"kind", std::string(kOssvpKind)}});
}

TEST_CASE("every manifests/ path the docs mention exists", "[unit]") {
  std::regex pathRe(R"(manifests/[A-Za-z0-9_./-]*[A-Za-z0-9_/-])");
  int found = 0;
  for (const char* doc : {"docs/user-guide.md", "docs/troubleshooting.md"}) {
    std::ifstream in(sourcePath(doc));
    REQUIRE(in.good());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pathRe); it != std::sregex_iterator(); ++it) {
      std::string rel = it->str();
      INFO(doc << ": " << rel);
      CHECK(std::filesystem::exists(sourcePath(rel)));
      ++found;
    }
  }
  CHECK(found > 10);
}
