// Validation: every bad input gives one exact, actionable message.
#include <catch2/catch.hpp>

#include "ossvp/controller/ossvp_validation.h"

using namespace ossvp::controller;
using nlohmann::json;

namespace {

json validGeneric() {
  return {
      {"bucket", "my-test-bucket"}, {"region", "cn-hangzhou"}, {"endpoint", "oss-cn-hangzhou-internal.aliyuncs.com"},
      {"path", "/many-files/"},     {"mode", "generic"},       {"generic", {{"secretRef", "oss-secret"}}}};
}

json validBmcpfs() {
  return {{"bucket", "my-test-bucket"},
          {"region", "cn-hangzhou"},
          {"endpoint", "oss-cn-hangzhou-internal.aliyuncs.com"},
          {"path", "/Qwen3-32B/"},
          {"mode", "bmcpfs-dataflow"}};
}

// The validation messages of `spec` (which must parse).
std::vector<std::string> messages(const json& spec) {
  auto parsed = parseOssvpSpec(spec);
  REQUIRE(parsed.isOk());
  std::vector<std::string> out;
  for (const FieldError& e : validateOssvpSpec(*parsed)) out.push_back(e.message);
  return out;
}

std::string only(const json& spec) {
  auto m = messages(spec);
  REQUIRE(m.size() == 1);
  return m[0];
}

}  // namespace

TEST_CASE("valid specs of both modes have no errors", "[unit]") {
  CHECK(messages(validGeneric()).empty());
  CHECK(messages(validBmcpfs()).empty());
  json rrsa = validGeneric();
  rrsa["generic"] = {{"rrsaConfigs",
                      {{"roleArn", "acs:ram::1234567*****:role/oss-populator"},
                       {"oidcProviderArn", "acs:ram::1234567*****:oidc-provider/p"}}},
                     {"throughput", 1000}};
  CHECK(messages(rrsa).empty());
  CHECK(parseAndValidateOssvpSpec(rrsa).isOk());
}

TEST_CASE("missing required fields", "[unit]") {
  struct Case {
    const char* field;
    const char* message;
  };
  for (Case c :
       {Case{"bucket", "spec.bucket: Required value: the name of the OSS bucket to copy from"},
        Case{"region", "spec.region: Required value: the region of the bucket, e.g. cn-hangzhou"},
        Case{"endpoint",
             "spec.endpoint: Required value: the OSS endpoint host, e.g. oss-cn-hangzhou-internal.aliyuncs.com"}}) {
    json spec = validGeneric();
    spec.erase(c.field);
    CHECK(only(spec) == c.message);
    spec[c.field] = "";
    CHECK(only(spec) == c.message);
  }
}

TEST_CASE("cross-field rules use the CRD's CEL messages", "[unit]") {
  json spec = validGeneric();
  spec.erase("generic");
  CHECK(only(spec) == kMsgGenericNeedsCredentials);
  spec["generic"] = {{"labels", {{"a", "b"}}}};
  CHECK(only(spec) == kMsgGenericNeedsCredentials);
  spec.erase("mode");  // mode defaults to generic
  CHECK(only(spec) == kMsgGenericNeedsCredentials);

  spec = validGeneric();
  spec["generic"]["rrsaConfigs"] = {{"roleArn", "acs:ram::1:role/r"},
                                    {"oidcProviderArn", "acs:ram::1:oidc-provider/p"}};
  CHECK(only(spec) == kMsgSecretRefXorRrsa);

  spec = validGeneric();
  spec["generic"] = {{"rrsaConfigs", {{"roleArn", "acs:ram::1:role/r"}}}};
  CHECK(only(spec) == kMsgRrsaNeedsBoth);
  spec["generic"] = {{"rrsaConfigs", json::object()}};
  CHECK(only(spec) == kMsgRrsaNeedsBoth);

  spec = validGeneric();
  spec["bmcpfsDataflow"] = {{"throughput", 1200}};
  CHECK(only(spec) == kMsgBmcpfsOptionsNeedBmcpfsMode);

  spec = validBmcpfs();
  spec["generic"] = {{"secretRef", "oss-secret"}};
  CHECK(only(spec) == kMsgGenericOptionsNeedGenericMode);
  spec["generic"] = {{"labels", {{"a", "b"}}}};  // both the spec rule and the spec.generic rule fire
  CHECK(messages(spec) == std::vector<std::string>{std::string(kMsgGenericOptionsNeedGenericMode),
                                                   std::string(kMsgGenericNeedsCredentials)});

  spec = validBmcpfs();  // bmcpfs needs no credentials in the spec (the controller's own)
  spec["bmcpfsDataflow"] = {{"dataType", "metadata"}};
  CHECK(messages(spec).empty());
}

TEST_CASE("bucket names OSS rejects", "[unit]") {
  struct Case {
    const char* bucket;
    const char* reason;
  };
  for (Case c : {Case{"ab", "an OSS bucket name has 3 to 63 characters"},
                 Case{"My-Bucket", "an OSS bucket name contains only lower-case letters, digits and hyphens"},
                 Case{"my_bucket", "an OSS bucket name contains only lower-case letters, digits and hyphens"},
                 Case{"my.bucket", "an OSS bucket name contains only lower-case letters, digits and hyphens"},
                 Case{"-bucket", "an OSS bucket name starts and ends with a lower-case letter or digit"},
                 Case{"bucket-", "an OSS bucket name starts and ends with a lower-case letter or digit"}}) {
    json spec = validGeneric();
    spec["bucket"] = c.bucket;
    CHECK(only(spec) == std::string("spec.bucket: Invalid value: \"") + c.bucket + "\": " + c.reason);
  }
  CHECK(checkBucketName(std::string(64, 'a')) == "an OSS bucket name has 3 to 63 characters");
  CHECK(checkBucketName(std::string(63, 'a')).empty());
  CHECK(checkBucketName("a-1").empty());
}

TEST_CASE("endpoints with a scheme, a path or bad characters", "[unit]") {
  json spec = validGeneric();
  spec["endpoint"] = "https://oss-cn-hangzhou.aliyuncs.com";
  CHECK(only(spec) ==
        "spec.endpoint: Invalid value: \"https://oss-cn-hangzhou.aliyuncs.com\": the endpoint is a host name "
        "without a scheme: drop \"https://\" (HTTPS is always used)");
  spec["endpoint"] = "oss-cn-hangzhou.aliyuncs.com/my-test-bucket";
  CHECK(only(spec) ==
        "spec.endpoint: Invalid value: \"oss-cn-hangzhou.aliyuncs.com/my-test-bucket\": the endpoint is a host "
        "name without a path: drop \"/my-test-bucket\" (put the prefix in spec.path)");
  const std::string hostReason =
      "must be a host name such as oss-cn-hangzhou-internal.aliyuncs.com (letters, digits, hyphens and dots, "
      "optionally :port)";
  for (const char* bad : {"oss..aliyuncs.com", "oss_cn.aliyuncs.com", "-oss.com", "oss.com:", "oss.com:123456",
                          "oss.com:80a", ".oss.com", "oss.com."}) {
    CHECK(checkEndpoint(bad) == hostReason);
  }
  for (const char* good : {"oss-cn-hangzhou-internal.aliyuncs.com", "127.0.0.1:9000", "localhost", "OSS.Example.COM"}) {
    CHECK(checkEndpoint(good).empty());
  }
}

TEST_CASE("bucket paths", "[unit]") {
  json spec = validGeneric();
  spec["path"] = "many-files/";
  CHECK(only(spec) == "spec.path: Invalid value: \"many-files/\": must start with \"/\", for example \"/many-files/\"");
  CHECK(checkBucketPath("/a//b") == "must not contain an empty segment (\"//\")");
  CHECK(checkBucketPath("/a/../b") == "must not contain \".\" or \"..\" segments");
  CHECK(checkBucketPath("/.") == "must not contain \".\" or \"..\" segments");
  CHECK(checkBucketPath("/" + std::string(1023, 'a')) == "must be at most 1023 characters");
  for (const char* good : {"/", "/Qwen3-32B/", "/a/b.c", "/...", "/.hidden/x", "/a b/c"})
    CHECK(checkBucketPath(good).empty());
}

TEST_CASE("regions, secret names and ARNs", "[unit]") {
  CHECK(checkRegion("cn-hangzhou").empty());
  CHECK(checkRegion("ap-southeast-1").empty());
  CHECK(checkRegion("CN-Hangzhou") ==
        "must be a region id such as cn-hangzhou (lower-case letters, digits and hyphens)");
  CHECK_FALSE(checkRegion("cn--hangzhou").empty());
  CHECK(checkSecretName("oss-secret").empty());
  CHECK(checkSecretName("Oss_Secret") ==
        "must be the name of a Secret in namespace ack-volume-populator (lower-case letters, digits, '-' and '.')");

  json spec = validGeneric();
  spec["generic"] = {
      {"rrsaConfigs", {{"roleArn", "acs:ram::123:oidc-provider/p"}, {"oidcProviderArn", "acs:ram::123:role/r"}}}};
  auto m = messages(spec);
  REQUIRE(m.size() == 2);
  CHECK(m[0] ==
        "spec.generic.rrsaConfigs.roleArn: Invalid value: \"acs:ram::123:oidc-provider/p\": this is an "
        "OIDC provider ARN, which belongs in spec.generic.rrsaConfigs.oidcProviderArn; this field must look like "
        "acs:ram::<account-id>:role/<role-name>");
  CHECK(m[1] ==
        "spec.generic.rrsaConfigs.oidcProviderArn: Invalid value: \"acs:ram::123:role/r\": this is a RAM "
        "role ARN, which belongs in spec.generic.rrsaConfigs.roleArn; this field must look like "
        "acs:ram::<account-id>:oidc-provider/<provider-name>");
  CHECK(checkRoleArn("oss-populator") == "must look like acs:ram::<account-id>:role/<role-name>");
  CHECK(checkRoleArn("acs:ram:::role/x") == "must look like acs:ram::<account-id>:role/<role-name>");
  CHECK(checkRoleArn("acs:ram::1:role/") == "must look like acs:ram::<account-id>:role/<role-name>");
  CHECK(checkRoleArn("acs:ram::1/2:role/x") == "must look like acs:ram::<account-id>:role/<role-name>");
}

TEST_CASE("generic pod options: throughput, labels, tolerations", "[unit]") {
  json spec = validGeneric();
  spec["generic"]["throughput"] = 0;
  CHECK(only(spec) ==
        "spec.generic.throughput: Invalid value: \"0\": must be between 1 and 100000 (MB/s); leave it unset for no "
        "limit");

  spec = validGeneric();
  spec["generic"]["labels"] = {{"bad key!", "x"}};
  CHECK(only(spec) ==
        "spec.generic.labels: Invalid value: \"bad key!\": a key name has 1 to 63 characters: letters, "
        "digits, '-', '_' and '.', starting and ending with a letter or digit");
  spec["generic"]["labels"] = {{"alibabacloud.com/eci", "not ok!"}};
  CHECK(only(spec) ==
        "spec.generic.labels[alibabacloud.com/eci]: Invalid value: \"not ok!\": a label value has at most "
        "63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
  spec["generic"]["labels"] = json::object();
  spec["generic"]["annotations"] = {{"k8s.aliyun.com/eci-use-specs", "2-4Gi, anything goes"}};
  CHECK(messages(spec).empty());  // annotation values are free text

  spec = validGeneric();
  spec["generic"]["tolerations"] = json::array({{{"key", "k"}, {"operator", "Exists"}, {"value", "v"}},
                                                {{"key", "k"}, {"operator", "In"}, {"effect", "Never"}}});
  auto m = messages(spec);
  REQUIRE(m.size() == 3);
  CHECK(m[0] == "spec.generic.tolerations[0].value: Invalid value: must be empty when operator is Exists");
  CHECK(m[1] ==
        "spec.generic.tolerations[1].operator: Unsupported value: \"In\": supported values: \"Equal\", \"Exists\"");
  CHECK(m[2] ==
        "spec.generic.tolerations[1].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", "
        "\"PreferNoSchedule\", \"NoExecute\"");
}

TEST_CASE("all problems are reported together, joined for status and events", "[unit]") {
  json spec = {{"bucket", "B"}, {"region", "cn-hangzhou"}, {"endpoint", "http://x"}, {"path", "x"}};
  auto errs = validateOssvpSpec(*parseOssvpSpec(spec));
  REQUIRE(errs.size() == 4);
  CHECK(errs[0].field == "spec.bucket");
  CHECK(errs[1].field == "spec.endpoint");
  CHECK(errs[2].field == "spec.path");
  CHECK(errs[3].field == "spec");
  ossvp::Status s = validationStatus(errs);
  CHECK(s.code() == ossvp::StatusCode::InvalidArgument);
  CHECK(s.message().find("spec.bucket: Invalid value: \"B\"") == 0);
  CHECK(s.message().find("; spec.endpoint: Invalid value: \"http://x\"") != std::string::npos);
  CHECK(validationStatus({}).isOk());
  auto r = parseAndValidateOssvpSpec(spec);
  CHECK(r.status().message() == s.message());
}
