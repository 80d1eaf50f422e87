#include <catch2/catch.hpp>

#include "ossvp/common/size_parse.h"

using namespace ossvp;

TEST_CASE("byte sizes parse in the forms users write", "[unit]") {
  CHECK(*parseByteSize("1024") == 1024);
  CHECK(*parseByteSize("512M") == 512ULL << 20);
  CHECK(*parseByteSize("1GiB") == 1ULL << 30);
  CHECK(*parseByteSize(" 2Gi ") == 2ULL << 30);
  CHECK_FALSE(parseByteSize("lots").isOk());
  CHECK(parseByteSize("5X").status().message().find("unknown unit") != std::string::npos);
  CHECK(formatBytes(1536ULL << 20) == "1.50 GiB");
}
