#include <catch2/catch.hpp>

#include "ossvp/common/yaml_json.h"

using nlohmann::json;
using ossvp::yamlDocumentsToJson;
using ossvp::yamlToJson;

TEST_CASE("yaml->json: plain scalars are typed like the Kubernetes API server does", "[yaml]") {
  auto j = yamlToJson(R"(
int: 42
neg: -7
plus: +3
big: 123456789012345678901234
float: 1.5
exp: 2e3
dot: .5
yes: true
no: False
nothing: null
tilde: ~
empty:
text: hello world
version: 1.2.3
)");
  REQUIRE(j.isOk());
  CHECK((*j)["int"] == 42);
  CHECK((*j)["neg"] == -7);
  CHECK((*j)["plus"] == 3);
  CHECK((*j)["big"].is_number_float());
  CHECK((*j)["float"] == 1.5);
  CHECK((*j)["exp"] == 2000.0);
  CHECK((*j)["dot"] == 0.5);
  CHECK((*j)["yes"] == true);
  CHECK((*j)["no"] == false);
  CHECK((*j)["nothing"].is_null());
  CHECK((*j)["tilde"].is_null());
  CHECK((*j)["empty"].is_null());
  CHECK((*j)["text"] == "hello world");
  CHECK((*j)["version"] == "1.2.3");
}

TEST_CASE("yaml->json: quoted, block and !!str scalars stay strings", "[yaml]") {
  auto j = yamlToJson("a: \"42\"\nb: 'true'\nc: !!str 7\nd: |\n  1.5\ne: \"\"\n");
  REQUIRE(j.isOk());
  CHECK(*j == json{{"a", "42"}, {"b", "true"}, {"c", "7"}, {"d", "1.5\n"}, {"e", ""}});
}

TEST_CASE("yaml->json: sequences and nested maps", "[yaml]") {
  auto j = yamlToJson("kind: ConfigMap\ndata:\n  k: v\nitems: [1, two, {x: 3}]\n");
  REQUIRE(j.isOk());
  CHECK(*j == json{{"kind", "ConfigMap"}, {"data", {{"k", "v"}}}, {"items", {1, "two", {{"x", 3}}}}});
}

TEST_CASE("yaml->json: every non-empty document, in order", "[yaml]") {
  auto docs = yamlDocumentsToJson("a: 1\n---\n---\nb: 2\n");
  REQUIRE(docs.isOk());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[0] == json{{"a", 1}});
  CHECK((*docs)[1] == json{{"b", 2}});
}

TEST_CASE("yaml->json: a syntax error names the line", "[yaml]") {
  auto j = yamlToJson("a: [1, 2\nb: 3\n");
  REQUIRE_FALSE(j.isOk());
  CHECK(j.status().code() == ossvp::StatusCode::InvalidArgument);
  CHECK(j.status().message().find("line") != std::string::npos);
  CHECK_FALSE(yamlDocumentsToJson("a: 1\n---\nb: [\n").isOk());
}
