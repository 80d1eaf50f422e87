#include <catch2/catch.hpp>

#include "actors/bmcpfs_backend.h"
#include "actors/label_match.h"
#include "actors/nas_client.h"
#include "actors/pod_environment.h"
#include "actors/quantity.h"

using namespace ossvp::kubesim;

TEST_CASE("quantities parse like apimachinery resource.Quantity", "[kube-sim-actors]") {
  CHECK(parseQuantity("1Gi").value() == 1073741824ULL);
  CHECK(parseQuantity("1G").value() == 1000000000ULL);
  CHECK(parseQuantity("500Mi").value() == 524288000ULL);
  CHECK(parseQuantity("1.5Gi").value() == 1610612736ULL);
  CHECK(parseQuantity("2e3").value() == 2000ULL);
  CHECK(parseQuantity("100k").value() == 100000ULL);
  CHECK(parseQuantity("12345").value() == 12345ULL);
  CHECK(parseQuantity(" 2Ki ").value() == 2048ULL);  // JSON decoding trims
  CHECK(parseQuantity("1E").value() == 1000000000000000000ULL);
  CHECK(parseQuantity("1.5e3").value() == 1500ULL);
  CHECK(parseQuantity(".5Ki").value() == 512ULL);
  CHECK(parseQuantity("+1k").value() == 1000ULL);
  CHECK(parseQuantity("1500m").value() == 2ULL);   // rounded up
  CHECK(parseQuantity("0.07e2").value() == 7ULL);  // exact: no binary floating point rounding
  CHECK(parseQuantity("1.1e1").value() == 11ULL);
  CHECK(parseQuantity("15Ei").value() == 17293822569102704640ULL);
  CHECK_FALSE(parseQuantity("16Ei").has_value());  // 2^64
  CHECK(parseQuantity("1000000000n").value() == 1ULL);
  CHECK(parseQuantity("2000000u").value() == 2ULL);
  CHECK(parseQuantity("-0").value() == 0ULL);
  CHECK(parseQuantity("-").value() == 0ULL);  // apimachinery reads a lone sign as 0
  CHECK_FALSE(parseQuantity("-1").has_value());
  CHECK_FALSE(parseQuantity("1Gb").has_value());
  CHECK_FALSE(parseQuantity("abc").has_value());
  CHECK_FALSE(parseQuantity("12Qi").has_value());
  CHECK_FALSE(parseQuantity("1e").has_value());
  CHECK(formatQuantity(1073741824ULL) == "1Gi");
  CHECK(formatQuantity(1610612736ULL) == "1536Mi");
  CHECK(formatQuantity(1000) == "1000");
}

TEST_CASE("quantity milli-values are exact, rounded away from zero as MilliValue does", "[kube-sim-actors]") {
  struct Case {
    const char* text;
    int64_t milli;
  };
  const Case cases[] = {
      {"1", 1000},
      {"1000m", 1000},
      {"100m", 100},
      {"0.1", 100},
      {"200m", 200},
      {".5", 500},
      {"1.5", 1500},
      {"0.07e2", 7000},
      {"1e-3", 1},
      {"1Gi", 1073741824000},
      {"1073741824", 1073741824000},
      {"1.5Ki", 1536000},
      {"0.0001Ki", 103},  // 0.1024, rounded up
      {"1k", 1000000},
      {"1500u", 2},  // 1.5m, rounded up
      {"1n", 1},
      {"0", 0},
      {"0m", 0},
      {"-0", 0},
      {"-100m", -100},
      {"-1n", -1},  // away from zero
      {"1Pi", 1125899906842624000},
      {"9223372036854775807m", 9223372036854775807},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    REQUIRE(quantityMilliValue(c.text).has_value());
    CHECK(*quantityMilliValue(c.text) == c.milli);
  }
  for (const char* bad : {"abc", "1Gb", "", "9223372036854775808m", "9Pi", "1E", "1e100"}) {
    INFO(bad);
    CHECK_FALSE(quantityMilliValue(bad).has_value());
  }
}

TEST_CASE("quantityParseError says what apimachinery's ParseQuantity says", "[kube-sim-actors]") {
  const std::string regex =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const std::string suffix = "unable to parse quantity's suffix";
  for (const char* ok : {"1Gi", "0", "-1", "+5M", "1.5Gi", "1.", ".5", "1e3", "1E-2", "500m", "3n", "7u", "1E", " 1Gi"})
    CHECK(quantityParseError(ok) == "");
  for (const char* bad : {"12Qi", "1Gb", "abc", "", "1 Gi", "1.5e3Mi", "1e3.5", "1Gi1x"})
    CHECK(quantityParseError(bad) == regex);
  for (const char* bad : {"32MMi", "1KK", "1e", "1Ke3", "1ki", "1Mii", "--1"}) CHECK(quantityParseError(bad) == suffix);
}

TEST_CASE("fileset quota follows the NAS API limits", "[kube-sim-actors]") {
  CHECK(filesetQuotaFor(1) == 10ULL << 30);
  CHECK(filesetQuotaFor(11ULL << 30) == 11ULL << 30);
  CHECK(filesetQuotaFor((11ULL << 30) + 1) == 12ULL << 30);
}

TEST_CASE("label selectors, node affinity and taints", "[kube-sim-actors]") {
  json labels = {{"app", "a"}, {"tier", "web"}};
  CHECK(labelSelectorMatches(json{{"matchLabels", {{"app", "a"}}}}, labels));
  CHECK_FALSE(labelSelectorMatches(json{{"matchLabels", {{"app", "b"}}}}, labels));
  CHECK(labelSelectorMatches(
      json{{"matchExpressions", json::array({{{"key", "tier"}, {"operator", "In"}, {"values", {"web", "db"}}}})}},
      labels));
  CHECK(labelSelectorMatches(json{{"matchExpressions", json::array({{{"key", "x"}, {"operator", "DoesNotExist"}}})}},
                             labels));
  json node = {{"metadata", {{"name", "node-2"}, {"labels", {{"kubernetes.io/hostname", "node-2"}}}}}};
  json sel = {
      {"nodeSelectorTerms",
       json::array({{{"matchExpressions",
                      json::array({{{"key", "kubernetes.io/hostname"}, {"operator", "In"}, {"values", {"node-1"}}}})}},
                    {{"matchFields",
                      json::array({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"node-2"}}}})}}})}};
  CHECK(nodeSelectorMatches(sel, node));
  json taints = json::array({{{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}}});
  CHECK_FALSE(untoleratedTaint(taints, json::array()).is_null());
  CHECK(untoleratedTaint(taints, json::array({{{"key", "k"}, {"operator", "Exists"}}})).is_null());
  CHECK(untoleratedTaint(taints, json::array({{{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}}})).is_null());
  CHECK_FALSE(untoleratedTaint(taints, json::array({{{"key", "k"}, {"value", "w"}}})).is_null());
}

TEST_CASE("images map to programs by name, repository or basename", "[kube-sim-actors]") {
  std::map<std::string, std::string> m{{"busybox", "/bin/sh"}, {"ossvp-populator", "/opt/p"}};
  CHECK(programForImage(m, "busybox") == "/bin/sh");
  CHECK(programForImage(m, "busybox:1.36") == "/bin/sh");
  CHECK(programForImage(m, "docker.io/library/busybox@sha256:abc") == "/bin/sh");
  CHECK(programForImage(m, "registry.example.com:5000/team/ossvp-populator:v1") == "/opt/p");
  CHECK(programForImage(m, "nginx").empty());
}
