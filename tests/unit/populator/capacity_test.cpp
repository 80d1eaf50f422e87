#include <catch2/catch.hpp>

#include "ossvp/populator/capacity.h"

using namespace ossvp;
using namespace ossvp::populator;

TEST_CASE("files are counted in whole blocks", "[unit]") {
  CapacityNeed need;
  addFileToCopy(&need, 1, 4096);
  addFileToCopy(&need, 4096, 4096);
  addFileToCopy(&need, 4097, 4096);
  addFileToCopy(&need, 0, 4096);
  CHECK(need.bytesToWrite == 4096 + 4096 + 8192);
  CHECK(need.inodesToCreate == 4);
}

TEST_CASE("a too-small volume fails with the user-facing message", "[unit]") {
  CapacityNeed need;
  need.sourceBytes = 3ULL << 30;
  need.sourceObjects = 12;
  need.bytesToWrite = 3ULL << 30;
  VolumeSpace space;
  space.freeBytes = 1ULL << 30;
  space.freeInodes = 1000;
  Status st = checkCapacity(need, space);
  REQUIRE_FALSE(st.isOk());
  CHECK(st.code() == StatusCode::ResourceExhausted);
  CHECK(st.message().rfind("source holds 3.00 GiB in 12 objects, volume has 1.00 GiB free: request a larger PVC", 0) ==
        0);

  space.freeBytes = 3ULL << 30;  // exactly enough
  CHECK(checkCapacity(need, space).isOk());
}

TEST_CASE("running out of inodes is a capacity failure too", "[unit]") {
  CapacityNeed need;
  need.sourceObjects = 500;
  need.inodesToCreate = 500;
  VolumeSpace space;
  space.freeBytes = 1ULL << 40;
  space.freeInodes = 100;
  Status st = checkCapacity(need, space);
  CHECK(st.code() == StatusCode::ResourceExhausted);
  CHECK(st.message().find("100 free inodes") != std::string::npos);
}

TEST_CASE("statVolume reports the free space of a real directory", "[unit]") {
  auto s = statVolume("/tmp");
  REQUIRE(s.isOk());
  CHECK(s->blockSize > 0);
  CHECK(s->freeBytes > 0);
  CHECK_FALSE(statVolume("/no/such/dir").isOk());
}
