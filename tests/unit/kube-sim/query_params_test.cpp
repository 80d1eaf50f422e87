// Query-parameter conversions of kube-sim's API server: booleans as the real
// API server converts them (false only for "0" and "false" in any case), and
// dryRun as a list whose only value is "All".
#include <catch2/catch.hpp>

#include "server/query_params.h"

using namespace ossvp::kubesim;

namespace {

HttpRequest withQuery(std::map<std::string, std::string> query) {
  HttpRequest req;
  req.query = std::move(query);
  return req;
}

}  // namespace

TEST_CASE("query booleans: the spellings of true", "[query_params]") {
  for (const char* v : {"true", "True", "TRUE", "1", "t", "T", "yes", ""}) {
    INFO("value \"" << v << "\"");
    CHECK(parseQueryBool(v));
  }
}

TEST_CASE("query booleans: only 0 and false in any case are false", "[query_params]") {
  for (const char* v : {"false", "False", "FALSE", "fAlSe", "0"}) {
    INFO("value \"" << v << "\"");
    CHECK_FALSE(parseQueryBool(v));
  }
  // Go's strconv.ParseBool reads these as false; the API server's query
  // conversion does not, and kube-sim follows the API server.
  CHECK(parseQueryBool("f"));
  CHECK(parseQueryBool("F"));
  CHECK(parseQueryBool("falsey"));
}

TEST_CASE("queryBool: absent is false, present is converted", "[query_params]") {
  CHECK_FALSE(queryBool(withQuery({}), "watch"));
  CHECK(queryBool(withQuery({{"watch", "True"}}), "watch"));
  CHECK(queryBool(withQuery({{"watch", ""}}), "watch"));  // `?watch` with no value
  CHECK_FALSE(queryBool(withQuery({{"watch", "False"}}), "watch"));
  CHECK_FALSE(queryBool(withQuery({{"watch", "1"}}), "allowWatchBookmarks"));
}

TEST_CASE("dryRun: absent or All is accepted", "[query_params]") {
  auto absent = queryDryRun(withQuery({}), "CreateOptions");
  REQUIRE(absent);
  CHECK_FALSE(*absent);
  auto all = queryDryRun(withQuery({{"dryRun", "All"}}), "CreateOptions");
  REQUIRE(all);
  CHECK(*all);
  auto list = parseDryRun({"All", "All"}, "DeleteOptions");
  REQUIRE(list);
  CHECK(*list);
  auto empty = parseDryRun({}, "DeleteOptions");
  REQUIRE(empty);
  CHECK_FALSE(*empty);
}

TEST_CASE("dryRun: any other value is 422 Invalid naming the options kind", "[query_params]") {
  for (const char* v : {"true", "1", "all", ""}) {
    INFO("value \"" << v << "\"");
    auto r = queryDryRun(withQuery({{"dryRun", v}}), "PatchOptions");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == 422);
    CHECK(r.error().reason == "Invalid");
    CHECK(r.error().message ==
          std::string("PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"") + v +
              "\"}: supported values: \"All\"");
  }
}
