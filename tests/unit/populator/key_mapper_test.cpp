#include <catch2/catch.hpp>

#include <algorithm>

#include "ossvp/populator/key_mapper.h"

using namespace ossvp::populator;

namespace {
SourceObject obj(const std::string& key, uint64_t size = 1) { return SourceObject{key, size, 1700000000, "\"e\""}; }

bool rejected(const KeyMapping& m, const std::string& key, const std::string& reasonPart) {
  return std::any_of(m.rejected.begin(), m.rejected.end(), [&](const RejectedKey& r) {
    return r.key == key && r.reason.find(reasonPart) != std::string::npos;
  });
}
}  // namespace

TEST_CASE("keys under the prefix map to relative paths", "[unit]") {
  auto m = mapKeys("data/", {obj("data/a.txt", 5), obj("data/sub/b.bin", 7), obj("data/", 0), obj("data/empty/", 0),
                             obj("data/日本語/ファイル.txt", 3)});
  REQUIRE(m.rejected.empty());
  REQUIRE(m.files.size() == 3);
  CHECK(m.files[0].relativePath() == "a.txt");
  CHECK(m.files[1].components == std::vector<std::string>{"sub", "b.bin"});
  CHECK(m.files[2].relativePath() == "日本語/ファイル.txt");
  REQUIRE(m.directories.size() == 1);  // "data/" itself is the target, not an entry
  CHECK(m.directories[0].relativePath() == "empty");
  CHECK(m.fileBytes == 15);
}

TEST_CASE("hostile keys are rejected with a reason and never mapped", "[unit]") {
  std::string longName(256, 'x');
  auto m = mapKeys("p/", {obj("p/../etc/passwd"), obj("p/a/../../x"), obj("p//abs"), obj("p/./dot"),
                          obj("p/" + longName), obj("p/ok/" + std::string(255, 'y')), obj("p/.ossvp-populator/journal"),
                          obj("other/key"), obj("p/.."), obj("p/a//b")});
  CHECK(rejected(m, "p/../etc/passwd", "'..'"));
  CHECK(rejected(m, "p/a/../../x", "'..'"));
  CHECK(rejected(m, "p//abs", "empty path segment"));
  CHECK(rejected(m, "p/./dot", "'.'"));
  CHECK(rejected(m, "p/" + longName, "256 bytes"));
  CHECK(rejected(m, "p/.ossvp-populator/journal", "reserved"));
  CHECK(rejected(m, "other/key", "not under"));
  CHECK(rejected(m, "p/..", "'..'"));
  CHECK(rejected(m, "p/a//b", "empty path segment"));
  REQUIRE(m.files.size() == 1);  // a 255-byte name is fine
  CHECK(m.files[0].components[1].size() == 255);
  for (const auto& f : m.files) {
    for (const auto& c : f.components) {
      CHECK(c != "..");
      CHECK(c != ".");
      CHECK_FALSE(c.empty());
      CHECK(c.find('/') == std::string::npos);
    }
  }
}

TEST_CASE("an over-long relative path is rejected against the target's budget", "[unit]") {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += std::string(200, 'd') + "/";
  auto m = mapKeys("", {obj(deep + "f")}, 4000);
  CHECK(rejected(m, deep + "f", "at most 4000"));
  CHECK(m.files.empty());
}

TEST_CASE("a key that is both a file and a prefix is reported, its children kept", "[unit]") {
  auto m = mapKeys("", {obj("a/b", 3), obj("a/b/c", 4), obj("d", 1), obj("d/", 0), obj("e/f", 1)});
  CHECK(rejected(m, "a/b", "both a file and a prefix"));
  CHECK(rejected(m, "d", "both a file and a prefix"));
  REQUIRE(m.files.size() == 2);
  CHECK(m.files[0].relativePath() == "a/b/c");
  CHECK(m.files[1].relativePath() == "e/f");
  CHECK(m.fileBytes == 5);
}

TEST_CASE("a path without a trailing slash is a prefix at the root", "[unit]") {
  auto m = mapKeys("", {obj("x"), obj("y/z")});
  CHECK(m.files.size() == 2);
  CHECK(m.rejected.empty());
}
