#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "ossvp/populator/target_tree.h"
#include "test_util.h"

using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {
// Opens `root` as a TargetTree and creates one temp file in it.
struct TreeWithTemp {
  explicit TreeWithTemp(const std::string& root) {
    auto t = TargetTree::open(root);
    REQUIRE(t.isOk());
    tree = std::move(t).value();
    auto f = tree->createTemp(&name);
    REQUIRE(f.isOk());
    fd = std::move(f).value();
  }
  std::unique_ptr<TargetTree> tree;
  std::string name;
  UniqueFd fd;
};
}  // namespace

TEST_CASE("files are installed from tmp/ under the target, parents created", "[unit]") {
  TempDir dir;
  TreeWithTemp t(dir.path());
  auto& tree = t.tree;
  REQUIRE(::write(t.fd.get(), "hello", 5) == 5);
  REQUIRE(tree->install(t.name, {"a", "b", "c.txt"}).isOk());
  CHECK(readFile(dir.path() + "/a/b/c.txt") == "hello");
  CHECK(std::filesystem::is_empty(dir.path() + "/.ossvp-populator/tmp"));
  auto st = tree->stat({"a", "b", "c.txt"});
  REQUIRE(st.isOk());
  CHECK(st->st_size == 5);
  CHECK(tree->stat({"a", "nope"}).status().code() == ossvp::StatusCode::NotFound);
}

TEST_CASE("a symlink planted in the target is never followed", "[unit]") {
  TempDir dir, outside;
  REQUIRE(::symlink(outside.path().c_str(), (dir.path() + "/evil").c_str()) == 0);
  TreeWithTemp t(dir.path());
  ossvp::Status st = t.tree->install(t.name, {"evil", "x"});
  CHECK_FALSE(st.isOk());
  CHECK(st.message().find("not a directory") != std::string::npos);
  CHECK(std::filesystem::is_empty(outside.path()));
}

TEST_CASE("leftover temp files of a killed run are removed on open", "[unit]") {
  TempDir dir;
  { TreeWithTemp killed(dir.path()); }
  CHECK_FALSE(std::filesystem::is_empty(dir.path() + "/.ossvp-populator/tmp"));
  auto tree = TargetTree::open(dir.path());
  REQUIRE(tree.isOk());
  CHECK(std::filesystem::is_empty(dir.path() + "/.ossvp-populator/tmp"));
}

TEST_CASE("a missing target is a configuration error", "[unit]") {
  auto tree = TargetTree::open("/no/such/target");
  CHECK(tree.status().code() == ossvp::StatusCode::InvalidArgument);
  CHECK(tree.status().message().find("mount the volume") != std::string::npos);
}

TEST_CASE("a second open of a target in use is refused before it touches the first one's temp files", "[unit]") {
  TempDir dir;
  TreeWithTemp first(dir.path());
  auto second = TargetTree::open(dir.path());
  REQUIRE_FALSE(second.isOk());
  CHECK(second.status().code() == ossvp::StatusCode::Unavailable);
  CHECK(std::filesystem::exists(dir.path() + "/.ossvp-populator/tmp/" + first.name));
  REQUIRE(::write(first.fd.get(), "x", 1) == 1);
  CHECK(first.tree->install(first.name, {"x"}).isOk());
}

TEST_CASE("the tmp/ area is removed at the end of a run and made again by the next", "[unit]") {
  TempDir dir;
  {
    TreeWithTemp t(dir.path());
    t.tree->removeTmpArea();
  }
  CHECK(entriesUnder(dir.path() + "/.ossvp-populator").empty());
  TreeWithTemp next(dir.path());
  CHECK(std::filesystem::exists(dir.path() + "/.ossvp-populator/tmp/" + next.name));
}
