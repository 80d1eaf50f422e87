#include <catch2/catch.hpp>
#include <cerrno>

#include "ossvp/common/result.h"

using namespace ossvp;

namespace {
Result<int> half(int x) {
  if (x % 2) return invalidArgument("odd");
  return x / 2;
}
Result<int> quarter(int x) {
  OSSVP_ASSIGN_OR_RETURN(int h, half(x));
  return half(h);
}
}  // namespace

TEST_CASE("Status carries code, message and context", "[unit]") {
  Status s = notFound("no such key 'a'").withContext("GetObject bucket/a");
  CHECK_FALSE(s.isOk());
  CHECK(s.code() == StatusCode::NotFound);
  CHECK(s.toString() == "NotFound: GetObject bucket/a: no such key 'a'");
  CHECK(s.toErrno() == ENOENT);
  CHECK(Status::ok().toString() == "OK");
}

TEST_CASE("Result propagates errors through ASSIGN_OR_RETURN", "[unit]") {
  CHECK(*quarter(8) == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().message() == "odd");
}

TEST_CASE("transient failures are the ones another attempt may fix", "[unit]") {
  for (StatusCode c : {StatusCode::Unavailable, StatusCode::Timeout, StatusCode::Corruption, StatusCode::Internal}) {
    CHECK(Status(c, "x").isTransient());
  }
  for (StatusCode c : {StatusCode::Ok, StatusCode::NotFound, StatusCode::PermissionDenied,
                       StatusCode::PreconditionFailed, StatusCode::InvalidArgument, StatusCode::Cancelled}) {
    CHECK_FALSE(Status(c, "x").isTransient());
  }
}
