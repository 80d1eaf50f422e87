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

TEST_CASE("a service's error code and HTTP status travel with the Status", "[unit]") {
  Status s = Status::fromService(StatusCode::NotFound, "NoSuchKey (HTTP 404): gone", "NoSuchKey", 404)
                 .withContext("after 3 attempts");
  CHECK(s.code() == StatusCode::NotFound);
  CHECK(s.serviceCode() == "NoSuchKey");
  CHECK(s.httpStatus() == 404);
  CHECK(s.message() == "after 3 attempts: NoSuchKey (HTTP 404): gone");
  // A message that merely mentions a code does not carry it.
  Status local = notFound("NoSuchKey: a local message");
  CHECK(local.serviceCode().empty());
  CHECK(local.httpStatus() == 0);
  // Ok stays plain Ok.
  Status ok = Status::fromService(StatusCode::Ok, "", "NoSuchKey", 200);
  CHECK(ok.isOk());
  CHECK(ok.serviceCode().empty());
}

TEST_CASE("an expired version is neither a timeout nor transient", "[unit]") {
  Status expired(StatusCode::Expired, "resourceVersion too old");
  CHECK(expired.toString() == "Expired: resourceVersion too old");
  CHECK_FALSE(expired.isTransient());
  CHECK(expired.toErrno() == ESTALE);
  CHECK(Status(StatusCode::Timeout, "deadline").toErrno() == ETIMEDOUT);
}
