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
  CHECK_FALSE(parseQuantity("1Gb").has_value());
  CHECK_FALSE(parseQuantity("abc").has_value());
  CHECK(formatQuantity(1073741824ULL) == "1Gi");
  CHECK(formatQuantity(1610612736ULL) == "1536Mi");
  CHECK(formatQuantity(1000) == "1000");
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
