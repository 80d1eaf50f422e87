// How failures on the OSS side and on the volume become exit codes and the
// termination message's reason.
#include <catch2/catch.hpp>

#include "ossvp/ossclient/oss_error.h"
#include "ossvp/populator/exit_code.h"

using namespace ossvp;
using namespace ossvp::populator;

TEST_CASE("failures map to exit codes by their status code", "[unit]") {
  CHECK(failureFromSourceStatus(Status(StatusCode::PermissionDenied, "AccessDenied")).code == ExitCode::AuthFailed);
  CHECK(failureFromSourceStatus(Status(StatusCode::Unauthenticated, "x")).code == ExitCode::AuthFailed);
  CHECK(failureFromSourceStatus(Status(StatusCode::NotFound, "NoSuchBucket")).code == ExitCode::NotFound);
  CHECK(failureFromSourceStatus(Status(StatusCode::Unavailable, "503")).code == ExitCode::TransientExhausted);
  CHECK(failureFromSourceStatus(Status(StatusCode::Corruption, "crc")).code == ExitCode::Integrity);
  CHECK(failureFromTargetStatus(Status(StatusCode::ResourceExhausted, "ENOSPC")).code == ExitCode::Capacity);
  CHECK(failureFromTargetStatus(Status(StatusCode::Internal, "EROFS")).code == ExitCode::TargetError);
  CHECK(failureFromTargetStatus(Status(StatusCode::Unavailable, "locked")).code == ExitCode::TargetBusy);
}

TEST_CASE("an OSS failure's reason is the OSS error code", "[unit]") {
  const char* body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidAccessKeyId</Code><Message>The OSS Access Key "
      "Id you provided does not exist in our records.</Message><RequestId>65A1B2C3D4E5F6</RequestId>"
      "<EC>0002-00000902</EC></Error>";
  Status st = ossclient::toStatus(ossclient::ossErrorFromResponse(403, body, "", "", ""), "bkt", "")
                  .withContext("listing oss://bkt/data/");
  Failure f = failureFromSourceStatus(st);
  CHECK(f.code == ExitCode::AuthFailed);
  CHECK(f.reason == "InvalidAccessKeyId");
  CHECK_THAT(f.message, Catch::Contains("listing oss://bkt/data/: InvalidAccessKeyId (HTTP 403)"));

  Failure missing = failureFromSourceStatus(ossclient::toStatus(
      ossclient::ossErrorFromResponse(404, "<Error><Code>NoSuchBucket</Code></Error>", "", "RID", ""), "bkt", ""));
  CHECK(missing.code == ExitCode::NotFound);
  CHECK(missing.reason == "NoSuchBucket");

  // Without an answer from OSS the reason names the exit code.
  Failure network = failureFromSourceStatus(unavailable("network error talking to OSS: connection refused"));
  CHECK(network.code == ExitCode::TransientExhausted);
  CHECK(network.reason == "TransientErrorsExhausted");
}
