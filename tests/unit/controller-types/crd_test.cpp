// The CRD agrees with the C++ types: names, printer columns, defaults, enums,
// CEL messages, patterns, and the exact status shape.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <regex>
#include <set>

#include "ossvp/controller/ossvp_status.h"
#include "ossvp/controller/ossvp_validation.h"
#include "schema_check.h"
#include "yaml_json.h"

using namespace ossvp::controller;
using nlohmann::json;
using ossvp_test::loadYamlDocuments;
using ossvp_test::sourcePath;

namespace {

const json& crd() {
  static const json doc = [] {
    auto docs = loadYamlDocuments(sourcePath("crds/storage.alibabacloud.com_ossvolumepopulators.yaml"));
    REQUIRE(docs.size() == 1);
    return docs[0];
  }();
  return doc;
}

const json& version() { return crd()["spec"]["versions"][0]; }
const json& rootSchema() { return version()["schema"]["openAPIV3Schema"]; }
const json& specSchema() { return rootSchema()["properties"]["spec"]; }
const json& statusSchema() { return rootSchema()["properties"]["status"]; }

// Every x-kubernetes-validations message anywhere in `schema`.
void collectMessages(const json& schema, std::set<std::string>* out) {
  if (schema.is_object()) {
    for (const auto& [k, v] : schema.items()) {
      if (k == "x-kubernetes-validations") {
        for (const auto& rule : v) out->insert(rule["message"].get<std::string>());
      } else {
        collectMessages(v, out);
      }
    }
  } else if (schema.is_array()) {
    for (const auto& v : schema) collectMessages(v, out);
  }
}

std::set<std::string> keysOf(const json& obj) {
  std::set<std::string> keys;
  for (const auto& [k, v] : obj.items()) keys.insert(k);
  return keys;
}

// What the CRD's string schema accepts (pattern and length limits).
bool crdAccepts(const json& schema, const std::string& value) {
  return ossvp_test::schemaErrors(json(value), schema, "x").empty();
}

}  // namespace

TEST_CASE("CRD identity: group, version, names, scope, status subresource", "[unit]") {
  const json& spec = crd()["spec"];
  CHECK(crd()["metadata"]["name"] == "ossvolumepopulators.storage.alibabacloud.com");
  CHECK(spec["group"] == std::string(kOssvpGroup));
  CHECK(spec["scope"] == "Namespaced");
  CHECK(spec["names"]["kind"] == std::string(kOssvpKind));
  CHECK(spec["names"]["plural"] == std::string(kOssvpPlural));
  CHECK(spec["names"]["shortNames"] == json::array({std::string(kOssvpShortName)}));
  CHECK_FALSE(spec["names"]["categories"].empty());
  REQUIRE(spec["versions"].size() == 1);
  CHECK(version()["name"] == std::string(kOssvpVersion));
  CHECK(version()["served"] == true);
  CHECK(version()["storage"] == true);
  CHECK(version()["subresources"]["status"] == json::object());
}

TEST_CASE("printer columns: mode, bucket, path, phase, progress, age", "[unit]") {
  std::vector<std::string> names, paths;
  for (const auto& c : version()["additionalPrinterColumns"]) {
    if (c.value("priority", 0) > 0) continue;  // -o wide only
    names.push_back(c["name"]);
    paths.push_back(c["jsonPath"]);
  }
  CHECK(names == std::vector<std::string>{"Mode", "Bucket", "Path", "Phase", "Progress", "Age"});
  CHECK(paths == std::vector<std::string>{".spec.mode", ".spec.bucket", ".spec.path", ".status.phase",
                                          ".status.progress", ".metadata.creationTimestamp"});
}

TEST_CASE("printer columns: -o wide adds throughput, ETA and message", "[unit]") {
  std::vector<std::string> paths;
  for (const auto& c : version()["additionalPrinterColumns"]) {
    if (c.value("priority", 0) == 1) paths.push_back(c["jsonPath"]);
  }
  CHECK(paths == std::vector<std::string>{".status.throughput", ".status.eta", ".status.message"});
  // Each column names a field of the status schema.
  for (const char* field : {"throughput", "eta", "message"}) CHECK(statusSchema()["properties"].contains(field));
}

TEST_CASE("every CEL message is the C++ validator's, and vice versa", "[unit]") {
  std::set<std::string> crdMessages;
  collectMessages(rootSchema(), &crdMessages);
  std::set<std::string> cpp;
  for (auto m : celRuleMessages()) cpp.insert(std::string(m));
  CHECK(crdMessages == cpp);
}

TEST_CASE("CEL rules use only the subset kube-sim implements", "[unit]") {
  // Allowed: has(), ==, !=, &&, ||, !, size(), parentheses, self.<field>, string literals.
  // And no field access below a field that may be absent: has(self.a.b) or
  // self.a.b would fail on evaluators that do not short-circuit && and ||.
  // (self.mode is the exception: it has a default, so it is always set.)
  std::vector<std::string> rules;
  std::function<void(const json&)> walk = [&](const json& s) {
    if (s.is_object()) {
      for (const auto& [k, v] : s.items()) {
        if (k == "x-kubernetes-validations") {
          for (const auto& r : v) rules.push_back(r["rule"]);
        } else {
          walk(v);
        }
      }
    }
  };
  walk(rootSchema());
  REQUIRE(rules.size() == 6);
  std::regex token(R"(\s+|has\(|size\(|self(\.[A-Za-z]+)*|'[a-z-]+'|==|!=|&&|\|\||!|\(|\))");
  for (const std::string& rule : rules) {
    std::string rest = std::regex_replace(rule, token, "");
    INFO(rule);
    CHECK(rest.empty());
    CHECK_FALSE(std::regex_search(rule, std::regex(R"(self\.[A-Za-z]+\.)")));
  }
}

TEST_CASE("CRD defaults are the C++ defaults", "[unit]") {
  const json& p = specSchema()["properties"];
  CHECK(p["path"]["default"] == std::string(kDefaultPath));
  CHECK(p["mode"]["default"] == std::string(modeName(OssvpSpec{}.mode)));
  const json& b = p["bmcpfsDataflow"]["properties"];
  BmcpfsDataflowOptions defaults;
  CHECK(b["throughput"]["default"] == defaults.throughputMBps);
  CHECK(b["dataType"]["default"] == std::string(dataTypeName(defaults.dataType)));
  CHECK(specSchema()["required"] == json::array({"bucket", "region", "endpoint"}));

  // The API server's defaulting gives the same object the C++ parser does.
  json minimal = {{"bucket", "b12"}, {"region", "r"}, {"endpoint", "e"}, {"bmcpfsDataflow", json::object()}};
  ossvp_test::applySchemaDefaults(&minimal, specSchema());
  CHECK(minimal["path"] == "/");
  CHECK(minimal["mode"] == "generic");
  CHECK(minimal["bmcpfsDataflow"] == json{{"throughput", 600}, {"dataType", "metadataAndData"}});
}

TEST_CASE("CRD enums are exactly what the C++ parser accepts", "[unit]") {
  const json& p = specSchema()["properties"];
  PopulatorMode m{};
  for (const auto& v : p["mode"]["enum"]) CHECK(parseMode(v.get<std::string>(), &m));
  CHECK(p["mode"]["enum"].size() == 2);
  const json& b = p["bmcpfsDataflow"]["properties"];
  BmcpfsDataType d{};
  for (const auto& v : b["dataType"]["enum"]) CHECK(parseDataType(v.get<std::string>(), &d));
  CHECK(b["dataType"]["enum"].size() == 2);
  CHECK(b["throughput"]["enum"] == json::array({600, 1200, 1500}));
  CHECK(b["sourceSecurityType"]["enum"] == json::array({"SSL", "None"}));
  for (int t : {600, 1200, 1500}) {
    json spec = {{"bucket", "b12"},
                 {"region", "r"},
                 {"endpoint", "e"},
                 {"mode", "bmcpfs-dataflow"},
                 {"bmcpfsDataflow", {{"throughput", t}}}};
    CHECK(parseOssvpSpec(spec).isOk());
  }
}

TEST_CASE("CRD patterns accept exactly what the C++ checks accept", "[unit]") {
  const json& p = specSchema()["properties"];
  const json& g = p["generic"]["properties"];
  struct Field {
    const json& schema;
    std::string (*check)(std::string_view);
    std::vector<std::string> samples;
  };
  std::vector<Field> fields = {
      {p["bucket"],
       checkBucketName,
       {"my-test-bucket", "abc", "ab", "a-1", "-ab", "ab-", "Abc", "a_b", "a.b", std::string(63, 'a'),
        std::string(64, 'a'), "a--b"}},
      {p["region"], checkRegion, {"cn-hangzhou", "ap-southeast-1", "CN", "cn--x", "-cn", "cn-", "cn_hz", "x"}},
      {p["endpoint"],
       checkEndpoint,
       {"oss-cn-hangzhou-internal.aliyuncs.com", "https://oss.com", "oss.com/p", "127.0.0.1:9000", "a..b", "a.b.", ".a",
        "-a.com", "a-.com", "A.Com", "host:", "host:123456", "host:65535", "h_o.com", std::string(254, 'a')}},
      {p["path"],
       checkBucketPath,
       {"/", "/Qwen3-32B/", "/many-files/", "/a//b", "/..", "/../x", "/...", "/.h/x", "a/", "/a/b.c", "/.", "/./",
        "/a/./b", "/a b/", "//", "/" + std::string(1022, 'a'), "/" + std::string(1023, 'a')}},
      {g["secretRef"], checkSecretName, {"oss-secret", "a", "a.b", "A", "a_b", "-a", "a..b", std::string(254, 'a')}},
      {g["rrsaConfigs"]["properties"]["roleArn"],
       checkRoleArn,
       {"acs:ram::1234567*****:role/oss-populator", "acs:ram::1:role/", "acs:ram:::role/x", "acs:ram::1/2:role/x",
        "acs:ram::1:oidc-provider/p", "arn:acs:ram::1:role/x", "acs:ram::1:role/a/b"}},
      {g["rrsaConfigs"]["properties"]["oidcProviderArn"],
       checkOidcProviderArn,
       {"acs:ram::1234567*****:oidc-provider/my-oidc-provider", "acs:ram::1:role/r", "acs:ram::1:oidc-provider/",
        "acs:ram::1:oidc-provider/ack-rrsa-c1"}},
  };
  for (const Field& f : fields) {
    REQUIRE(f.schema.contains("pattern"));
    for (const std::string& s : f.samples) {
      INFO("value: " << s << " pattern: " << f.schema["pattern"]);
      CHECK(crdAccepts(f.schema, s) == f.check(s).empty());
    }
  }
}

TEST_CASE("status schema: the seed's bmcpfsDataflow entry and the generic entry", "[unit]") {
  const json& p = statusSchema()["properties"];
  CHECK(keysOf(p["bmcpfsDataflow"]["additionalProperties"]["properties"]) ==
        std::set<std::string>{"dataFlowId", "dataFlowTaskId", "fileSetId", "fileSystemId", "progress"});
  GenericPvcEntry full;
  full.ns = full.name = full.podName = full.phase = full.progress = "x";
  full.bytesDone = full.bytesTotal = full.objectsDone = full.objectsTotal = 1;
  full.bytesPerSecond = full.etaSeconds = 1;
  full.attempts = 1;
  full.startTime = full.completionTime = full.lastError = "x";
  CHECK(keysOf(p["generic"]["additionalProperties"]["properties"]) == keysOf(full.toJson()));
  BmcpfsDataflowEntry b{"a", "b", "c", "d", "e"};
  CHECK(keysOf(p["bmcpfsDataflow"]["additionalProperties"]["properties"]) == keysOf(b.toJson()));

  // A status the controller writes passes the schema (nothing would be pruned).
  OssvpStatus s;
  s.observedGeneration = 1;
  s.phase = "Populating";
  s.progress = "59%";
  s.message = "x";
  s.throughput = "85.30 MiB/s";
  s.eta = "2m10s";
  s.generic["u1"] = full;
  s.generic["u1"].startTime = s.generic["u1"].completionTime = "2026-11-23T13:00:00Z";
  s.bmcpfsDataflow["u2"] = b;
  setCondition(&s.conditions, {"Populated", "True", "Succeeded", "ok", "2026-11-23T13:00:00Z", 1});
  CHECK(ossvp_test::schemaErrors(s.toJson(), statusSchema(), "status").empty());
}
