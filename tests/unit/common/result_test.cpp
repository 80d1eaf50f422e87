#include <catch2/catch.hpp>

#include <string>

#include "ossvp/common/result.h"

using ossvp::Result;
using ossvp::Status;

namespace {

struct HttpError {
  int code = 0;
  std::string reason;
};

Result<int, HttpError> lookup(bool found) {
  if (!found) return HttpError{404, "NotFound"};
  return 7;
}

}  // namespace

TEST_CASE("Result<T>: a value or a non-ok Status", "[result]") {
  Result<std::string> ok(std::string("v"));
  REQUIRE(ok.isOk());
  CHECK(*ok == "v");
  CHECK(ok.status().isOk());
  Result<std::string> failed(ossvp::notFound("no such key"));
  REQUIRE_FALSE(failed);
  CHECK(failed.status().code() == ossvp::StatusCode::NotFound);
  CHECK(failed.error().message() == "no such key");
}

TEST_CASE("Result<T, E>: another error type, read through error()", "[result]") {
  auto found = lookup(true);
  REQUIRE(found.isOk());
  CHECK(*found == 7);
  auto missing = lookup(false);
  REQUIRE_FALSE(missing.isOk());
  CHECK(missing.error().code == 404);
  CHECK(missing.error().reason == "NotFound");
}
