#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "ossvp/fusecore/mount_config.h"

using namespace ossvp;
using namespace ossvp::fusecore;

namespace {

Result<MountConfig> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "ossmount");
  return parseMountArgs(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("bucket, prefix, mountpoint and -o options parse", "[fusecore][config]") {
  auto c = parse({"bkt:/data/sub", "/mnt/x", "-o", "endpoint=http://127.0.0.1:9,rw", "-o",
                  "memory_limit=512M,close_to_open=false,attr_timeout=5", "-f"});
  REQUIRE(c.isOk());
  CHECK(c->bucket == "bkt");
  CHECK(c->prefix == "data/sub/");
  CHECK(c->mountpoint == "/mnt/x");
  CHECK(c->readWrite);
  CHECK(!c->closeToOpen);
  CHECK(c->memoryLimit == 512ull << 20);
  CHECK(c->attrTimeout == 5);
  CHECK(c->foreground);
  CHECK(c->fileMode == 0644);
  auto fs = c->fsOptions();
  CHECK(fs.engine.memoryBudget == (512ull - 64) << 20);  // minus the non-data reserve
  CHECK(fs.meta.ttl == std::chrono::seconds(60));
}

TEST_CASE("read-only is the default", "[fusecore][config]") {
  auto c = parse({"bkt", "/m", "-o", "endpoint=e"});
  REQUIRE(c.isOk());
  CHECK(!c->readWrite);
  CHECK(c->prefix.empty());
  CHECK(c->fileMode == 0444);
  CHECK(c->hugePages);
}

TEST_CASE("huge_pages=false turns the huge-page advice off, and a bad value names the option", "[fusecore][config]") {
  auto off = parse({"bkt", "/m", "-o", "endpoint=e,huge_pages=false"});
  REQUIRE(off.isOk());
  CHECK(!off->hugePages);
  auto bad = parse({"bkt", "/m", "-o", "endpoint=e,huge_pages=maybe"});
  REQUIRE(!bad.isOk());
  CHECK(bad.status().message().find("huge_pages") != std::string::npos);
}

TEST_CASE("bad options are rejected with a pointer to the fix", "[fusecore][config]") {
  auto unknown = parse({"b", "/m", "-o", "endpoint=e,bogus=1"});
  REQUIRE(!unknown.isOk());
  CHECK(unknown.status().message().find("bogus") != std::string::npos);
  auto badSize = parse({"b", "/m", "-o", "endpoint=e,memory_limit=lots"});
  REQUIRE(!badSize.isOk());
  CHECK(badSize.status().message().find("memory_limit") != std::string::npos);
  auto noEndpoint = parse({"b", "/m"});
  REQUIRE(!noEndpoint.isOk());
  CHECK(noEndpoint.status().message().find("endpoint") != std::string::npos);
}

TEST_CASE("ossmount --help lists every option with its default", "[fusecore][config]") {
  auto c = parse({"--help"});
  REQUIRE(c.isOk());
  CHECK(c->helpRequested);
  std::string u = mountUsage();
  for (const char* opt : {"endpoint", "region", "rw", "close_to_open", "memory_limit", "attr_timeout",
                          "negative_timeout", "readahead_kb", "passwd_file", "huge_pages"}) {
    CHECK(u.find(opt) != std::string::npos);
  }
  CHECK(u.find("max_prefetch_window") != std::string::npos);
  CHECK(u.find("256M") != std::string::npos);
}

TEST_CASE("credentials file must be private", "[fusecore][config]") {
  char tmpl[] = "/tmp/ossmount-passwd-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(tmpl);
    out << "other:AKO:SKO\nbkt:AKID:SECRET\n";
  }
  chmod(tmpl, 0644);
  auto open = readPasswdFile(tmpl, "bkt");
  REQUIRE(!open.isOk());
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
  chmod(tmpl, 0600);
  auto ok = readPasswdFile(tmpl, "bkt");
  REQUIRE(ok.isOk());
  CHECK(ok->accessKeyId == "AKID");
  CHECK(ok->accessKeySecret == "SECRET");
  std::remove(tmpl);
}
