#include <catch2/catch.hpp>

#include "ossvp/common/base64.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/oss_error.h"

using namespace ossvp;
using namespace ossvp::ossclient;

TEST_CASE("error XML body is parsed", "[error]") {
  const char* body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does "
      "not exist.</Message>\n  "
      "<RequestId>5C3D9175B6FC201293AD****</RequestId><HostId>test.oss-cn-hangzhou.aliyuncs.com</"
      "HostId>\n  <BucketName>test</BucketName><EC>0015-00000101</EC><Unknown>ignored</Unknown></Error>";
  auto e = parseOssErrorXml(body);
  REQUIRE(e);
  CHECK(e->code == "NoSuchBucket");
  CHECK(e->message == "The specified bucket does not exist.");
  CHECK(e->requestId == "5C3D9175B6FC201293AD****");
  CHECK(e->hostId == "test.oss-cn-hangzhou.aliyuncs.com");
  CHECK(e->ec == "0015-00000101");
  Status s = toStatus(ossErrorFromResponse(404, body, "", "", ""), "test", "");
  CHECK(s.code() == StatusCode::NotFound);
  CHECK(s.serviceCode() == "NoSuchBucket");
  CHECK(s.httpStatus() == 404);
  CHECK(s.withContext("listing oss://test/").serviceCode() == "NoSuchBucket");
  CHECK_FALSE(parseOssErrorXml("not xml"));
  CHECK_FALSE(parseOssErrorXml("<ListBucketResult/>"));
}

TEST_CASE("HEAD errors come from the base64 x-oss-err header", "[error]") {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  <Message>The specified key "
      "does "
      "not exist.</Message><RequestId>6556E3AED11E553933CCDEDF</RequestId><HostId>demo.oss-cn-hangzhou.aliyuncs.com</"
      "HostId><Key>walker2asdasdasd.txt</Key><EC>0026-00000001</EC></Error>";
  OssError e = ossErrorFromResponse(404, "", base64Encode(xml), "6556E3AED11E553933CCDEDF", "0026-00000001");
  CHECK(e.httpStatus == 404);
  CHECK(e.code == "NoSuchKey");
  CHECK(e.requestId == "6556E3AED11E553933CCDEDF");
  CHECK(e.ec == "0026-00000001");
  Status s = toStatus(e, "b", "walker2asdasdasd.txt");
  CHECK(s.code() == StatusCode::NotFound);
  CHECK(s.serviceCode() == "NoSuchKey");
  CHECK(s.httpStatus() == 404);
  CHECK(s.message() ==
        "NoSuchKey (HTTP 404): The specified key does not exist. [RequestId 6556E3AED11E553933CCDEDF, EC "
        "0026-00000001, bucket b, key walker2asdasdasd.txt]");
}

TEST_CASE("body-less errors are named from the status", "[error]") {
  OssError e = ossErrorFromResponse(403, "", "", "RID1", "");
  CHECK(e.code == "AccessDenied");
  CHECK(e.requestId == "RID1");
  CHECK(statusCodeFor(e) == StatusCode::PermissionDenied);
  OssError proxy = ossErrorFromResponse(502, "<html>bad gateway</html>", "", "", "");
  CHECK(proxy.code == "BadErrorResponse");
  CHECK(proxy.message.find("bad gateway") != std::string::npos);
  CHECK(statusCodeFor(proxy) == StatusCode::Unavailable);
}

TEST_CASE("OSS codes map to status codes", "[error]") {
  auto code = [](int http, const char* c) { return statusCodeFor(OssError{http, c, "", "", "", ""}); };
  CHECK(code(403, "AccessDenied") == StatusCode::PermissionDenied);
  CHECK(code(403, "SignatureDoesNotMatch") == StatusCode::PermissionDenied);
  CHECK(code(403, "InvalidAccessKeyId") == StatusCode::Unauthenticated);
  CHECK(code(403, "SecurityTokenExpired") == StatusCode::Unauthenticated);
  CHECK(code(404, "NoSuchKey") == StatusCode::NotFound);
  CHECK(code(404, "NoSuchBucket") == StatusCode::NotFound);
  CHECK(code(404, "NoSuchUpload") == StatusCode::NotFound);
  CHECK(code(412, "PreconditionFailed") == StatusCode::PreconditionFailed);
  CHECK(code(416, "InvalidRange") == StatusCode::InvalidArgument);
  CHECK(code(409, "FileAlreadyExists") == StatusCode::AlreadyExists);
  CHECK(code(503, "SlowDown") == StatusCode::Unavailable);
  CHECK(code(500, "InternalError") == StatusCode::Unavailable);
  CHECK(code(400, "InvalidArgument") == StatusCode::InvalidArgument);
}

TEST_CASE("toStatus gives an actionable, redacted message", "[error]") {
  OssError e{403,
             "InvalidAccessKeyId",
             "The OSS Access Key Id you provided does not exist in our records.",
             "64F0000000000000000000AA",
             "",
             ""};
  Status s = toStatus(e, "b", "k");
  CHECK(s.message().rfind(
            "InvalidAccessKeyId (HTTP 403): The OSS Access Key Id you provided does not exist in our records. "
            "[RequestId 64F0000000000000000000AA, bucket b, key k]",
            0) == 0);
  CHECK(s.message().find("ALIBABA_CLOUD_ACCESS_KEY_ID") != std::string::npos);

  registerSecret("sekr3t-token-value");
  OssError leaky{403, "SignatureDoesNotMatch", "string to sign had sekr3t-token-value", "R", "", ""};
  CHECK(toStatus(leaky, "b", "").message().find("sekr3t-token-value") == std::string::npos);
}
