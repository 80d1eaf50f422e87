// Parsing an OSSVolumePopulator spec: defaults, presence, type errors.
#include <catch2/catch.hpp>

#include "ossvp/controller/ossvp_types.h"

using namespace ossvp::controller;
using nlohmann::json;

namespace {

// The seed's scenario-2 object (namespace argo, generic-demo), as JSON.
json seedGenericSpec() {
  return json::parse(R"({
    "bucket": "my-test-bucket", "region": "cn-hangzhou",
    "endpoint": "oss-cn-hangzhou-internal.aliyuncs.com", "path": "/many-files/", "mode": "generic",
    "generic": {
      "labels": {"alibabacloud.com/eci": "true"},
      "annotations": {"k8s.aliyun.com/eci-use-specs": "2-4Gi"},
      "rrsaConfigs": {"roleArn": "acs:ram::1234567*****:role/oss-populator",
                      "oidcProviderArn": "acs:ram::1234567*****:oidc-provider/my-oidc-provider"},
      "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "disktype", "operator": "NotIn", "values": ["hdd"]}]}]}}},
      "tolerations": [{"key": "virtual-kubelet.io/provider", "operator": "Equal", "value": "alibabacloud",
                       "effect": "NoSchedule"}]
    }})");
}

std::string parseError(const json& spec) {
  auto r = parseOssvpSpec(spec);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ossvp::StatusCode::InvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("the seed's generic spec parses field by field", "[unit]") {
  auto r = parseOssvpSpec(seedGenericSpec());
  REQUIRE(r.isOk());
  const OssvpSpec& s = *r;
  CHECK(s.bucket == "my-test-bucket");
  CHECK(s.region == "cn-hangzhou");
  CHECK(s.endpoint == "oss-cn-hangzhou-internal.aliyuncs.com");
  CHECK(s.path == "/many-files/");
  CHECK(s.objectPrefix() == "many-files/");
  CHECK(s.mode == PopulatorMode::Generic);
  CHECK_FALSE(s.bmcpfsDataflow.has_value());
  REQUIRE(s.generic.has_value());
  const GenericOptions& g = *s.generic;
  CHECK(g.labels.at("alibabacloud.com/eci") == "true");
  CHECK(g.annotations.at("k8s.aliyun.com/eci-use-specs") == "2-4Gi");
  CHECK_FALSE(g.secretRef.has_value());
  REQUIRE(g.rrsaConfigs.has_value());
  CHECK(g.rrsaConfigs->roleArn == "acs:ram::1234567*****:role/oss-populator");
  CHECK(g.rrsaConfigs->oidcProviderArn == "acs:ram::1234567*****:oidc-provider/my-oidc-provider");
  CHECK(g.affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
                  ["matchExpressions"][0]["values"][0] == "hdd");
  REQUIRE(g.tolerations.is_array());
  CHECK(g.tolerations[0]["effect"] == "NoSchedule");
  CHECK_FALSE(g.throughputMBps.has_value());  // unlimited unless set
}

TEST_CASE("defaults match the CRD: path /, mode generic, bmcpfs 600 MB/s metadataAndData", "[unit]") {
  auto r = parseOssvpSpec(json{{"bucket", "b12"}, {"region", "cn-hangzhou"}, {"endpoint", "e.com"}});
  REQUIRE(r.isOk());
  CHECK(r->path == "/");
  CHECK(r->objectPrefix().empty());
  CHECK(r->mode == PopulatorMode::Generic);
  CHECK_FALSE(r->generic.has_value());
  BmcpfsDataflowOptions o = r->bmcpfsOptions();
  CHECK(o.throughputMBps == 600);
  CHECK(o.dataType == BmcpfsDataType::MetadataAndData);
  CHECK(o.sourceSecurityType.empty());

  auto b = parseOssvpSpec(json{{"bucket", "b12"},
                               {"region", "r"},
                               {"endpoint", "e"},
                               {"mode", "bmcpfs-dataflow"},
                               {"bmcpfsDataflow", {{"throughput", 1200}, {"sourceSecurityType", "SSL"}}}});
  REQUIRE(b.isOk());
  CHECK(b->mode == PopulatorMode::BmcpfsDataflow);
  CHECK(b->bmcpfsOptions().throughputMBps == 1200);
  CHECK(b->bmcpfsOptions().sourceSecurityType == "SSL");
  CHECK(b->bmcpfsOptions().dataType == BmcpfsDataType::MetadataAndData);  // defaulted inside the object
}

TEST_CASE("enum names round-trip and map to the NAS API spelling", "[unit]") {
  PopulatorMode m{};
  REQUIRE(parseMode("bmcpfs-dataflow", &m));
  CHECK(modeName(m) == "bmcpfs-dataflow");
  REQUIRE(parseMode("generic", &m));
  CHECK(modeName(m) == "generic");
  CHECK_FALSE(parseMode("Generic", &m));
  BmcpfsDataType d{};
  REQUIRE(parseDataType("metadata", &d));
  CHECK(nasDataType(d) == "Metadata");
  REQUIRE(parseDataType("metadataAndData", &d));
  CHECK(nasDataType(d) == "MetaAndData");  // the NAS API's spelling, not "MetadataAndData"
  CHECK(dataTypeName(d) == "metadataAndData");
  CHECK_FALSE(parseDataType("data", &d));
}

TEST_CASE("object prefix strips the leading slash and ends in one", "[unit]") {
  auto prefixOf = [](std::string path) {
    OssvpSpec s;
    s.path = std::move(path);
    return s.objectPrefix();
  };
  CHECK(prefixOf("/Qwen3-32B/") == "Qwen3-32B/");
  CHECK(prefixOf("/a/b") == "a/b/");
  CHECK(prefixOf("/").empty());
}

TEST_CASE("type errors name the field and the expected type", "[unit]") {
  json spec = seedGenericSpec();
  spec["generic"]["throughput"] = "1000";
  CHECK(parseError(spec) == "spec.generic.throughput: Invalid value: \"1000\": must be an integer");

  spec = seedGenericSpec();
  spec["bucket"] = 42;
  CHECK(parseError(spec) == "spec.bucket: Invalid value: 42: must be a string");

  spec = seedGenericSpec();
  spec["mode"] = "fast";
  CHECK(parseError(spec) ==
        "spec.mode: Unsupported value: \"fast\": supported values: \"generic\", \"bmcpfs-dataflow\"");

  spec = seedGenericSpec();
  spec["generic"]["labels"]["alibabacloud.com/eci"] = true;  // unquoted YAML true
  CHECK(parseError(spec) ==
        "spec.generic.labels[alibabacloud.com/eci]: Invalid value: true: must be a string (quote numbers and "
        "booleans in YAML, e.g. \"true\")");

  spec = seedGenericSpec();
  spec["generic"]["tolerations"] = json::object();
  CHECK(parseError(spec) == "spec.generic.tolerations: Invalid value: {}: must be a list of tolerations");

  spec = seedGenericSpec();
  spec["generic"]["rrsaConfigs"] = "acs:ram::1:role/x";
  CHECK(parseError(spec) == "spec.generic.rrsaConfigs: Invalid value: \"acs:ram::1:role/x\": must be an object");

  CHECK(parseError(json::array()) == "spec: Invalid value: []: must be an object");
}

TEST_CASE("bmcpfs enums are checked at parse time with the supported values", "[unit]") {
  json base = {{"bucket", "b12"}, {"region", "r"}, {"endpoint", "e"}, {"mode", "bmcpfs-dataflow"}};
  json spec = base;
  spec["bmcpfsDataflow"] = {{"throughput", 1000}};
  CHECK(parseError(spec) ==
        "spec.bmcpfsDataflow.throughput: Unsupported value: \"1000\": supported values: 600, 1200, 1500 (MB/s)");
  spec = base;
  spec["bmcpfsDataflow"] = {{"dataType", "MetaAndData"}};
  CHECK(parseError(spec) ==
        "spec.bmcpfsDataflow.dataType: Unsupported value: \"MetaAndData\": supported values: \"metadata\", "
        "\"metadataAndData\"");
  spec = base;
  spec["bmcpfsDataflow"] = {{"sourceSecurityType", "TLS"}};
  CHECK(parseError(spec) ==
        "spec.bmcpfsDataflow.sourceSecurityType: Unsupported value: \"TLS\": supported values: \"SSL\", \"None\" (or "
        "leave it unset)");
  spec = base;
  spec["bmcpfsDataflow"] = {{"throughput", 1200.0}};  // a float that is a whole number is accepted
  CHECK(parseOssvpSpec(spec)->bmcpfsOptions().throughputMBps == 1200);
  spec["bmcpfsDataflow"] = {{"throughput", 1200.5}};
  CHECK(parseError(spec) == "spec.bmcpfsDataflow.throughput: Invalid value: 1200.5: must be an integer");
  spec["bmcpfsDataflow"] = {{"throughput", 1e300}};
  CHECK_FALSE(parseOssvpSpec(spec).isOk());
}

TEST_CASE("null fields count as absent, unknown fields are ignored", "[unit]") {
  json spec = {{"bucket", "b12"}, {"region", "r"},      {"endpoint", "e"},
               {"path", nullptr}, {"generic", nullptr}, {"unknownField", {{"x", 1}}}};
  auto r = parseOssvpSpec(spec);
  REQUIRE(r.isOk());
  CHECK(r->path == "/");
  CHECK_FALSE(r->generic.has_value());
}

TEST_CASE("a whole object: metadata, deletion, kind check", "[unit]") {
  json obj = {{"apiVersion", "storage.alibabacloud.com/v1beta1"},
              {"kind", "OSSVolumePopulator"},
              {"metadata",
               {{"name", "qwen3-32b"},
                {"namespace", "bmcpfs-dataflow-demo"},
                {"uid", "u-1"},
                {"resourceVersion", "7"},
                {"generation", 3}}},
              {"spec",
               {{"bucket", "b12"},
                {"region", "cn-hangzhou"},
                {"endpoint", "e.com"},
                {"path", "/Qwen3-32B/"},
                {"mode", "bmcpfs-dataflow"}}}};
  auto r = parseOssvpObject(obj);
  REQUIRE(r.isOk());
  CHECK(r->ns == "bmcpfs-dataflow-demo");
  CHECK(r->name == "qwen3-32b");
  CHECK(r->uid == "u-1");
  CHECK(r->resourceVersion == "7");
  CHECK(r->generation == 3);
  CHECK_FALSE(r->deleting);
  CHECK(r->spec.mode == PopulatorMode::BmcpfsDataflow);

  obj["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  CHECK(parseOssvpObject(obj)->deleting);

  json wrong = obj;
  wrong["kind"] = "ConfigMap";
  CHECK(parseOssvpObject(wrong).status().message() ==
        "expected storage.alibabacloud.com/v1beta1 OSSVolumePopulator, got storage.alibabacloud.com/v1beta1 ConfigMap");
  json noSpec = obj;
  noSpec.erase("spec");
  CHECK(parseOssvpObject(noSpec).status().message() ==
        "spec: Required value (OSSVolumePopulator bmcpfs-dataflow-demo/qwen3-32b)");
}
