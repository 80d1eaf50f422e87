// NAS endpoint resolution, error mapping, and the
// bmcpfs strategy's pure helpers (ClientTokens, progress from ProgressStats).
#include <catch2/catch.hpp>

#include "ossvp/controller/bmcpfs_strategy.h"
#include "ossvp/controller/nas_client.h"

using namespace ossvp;
using namespace ossvp::controller;

TEST_CASE("NAS endpoint: default regional host, override map, explicit URL", "[nas]") {
  CHECK(resolveNasEndpoint("", "cn-hangzhou", {}) == "https://nas.cn-hangzhou.aliyuncs.com");
  CHECK(resolveNasEndpoint("", "cn-hangzhou", {"nas.cn-hangzhou.aliyuncs.com=http://127.0.0.1:9"}) ==
        "http://127.0.0.1:9");
  CHECK(resolveNasEndpoint("nas-vpc.cn-beijing.aliyuncs.com", "cn-hangzhou", {"x=y"}) ==
        "https://nas-vpc.cn-beijing.aliyuncs.com");
  CHECK(resolveNasEndpoint("http://127.0.0.1:5/", "cn-hangzhou", {}) == "http://127.0.0.1:5/");
}

TEST_CASE("NAS errors map to status codes and keep their Code", "[nas]") {
  Status quota = nasErrorStatus({403, "QuotaExceeded.DataFlow", "too many"});
  CHECK(quota.code() == StatusCode::PermissionDenied);
  CHECK(nasErrorIs(quota.withContext("NAS CreateDataFlow"), "QuotaExceeded.DataFlow"));
  CHECK_FALSE(nasErrorIs(quota, "DataFlow.Bucket.NotExist"));
  CHECK(quota.serviceCode() == "QuotaExceeded.DataFlow");
  CHECK(quota.httpStatus() == 403);
  // The code is the service's, not a phrase found in its message.
  Status other = nasErrorStatus({400, "InvalidParameter", "unlike QuotaExceeded.DataFlow: x"});
  CHECK_FALSE(nasErrorIs(other, "QuotaExceeded.DataFlow"));
  CHECK(nasErrorStatus({404, "DataFlow.Bucket.NotExist", "x"}).code() == StatusCode::NotFound);
  CHECK(nasErrorStatus({503, "ServiceUnavailable", "x"}).code() == StatusCode::Unavailable);
  CHECK(nasErrorStatus({400, "Throttling.User", "x"}).code() == StatusCode::Unavailable);
  CHECK(nasErrorStatus({400, "InvalidParameter", "x"}).code() == StatusCode::InvalidArgument);
}

TEST_CASE("ClientTokens derive from the PVC uid and fit the API's 64 characters", "[bmcpfs]") {
  std::string uid = "fbff9e1a-cc3a-4ea5-bf99-71ef3fb02f2b";
  CHECK(dataFlowClientToken(uid) == dataFlowClientToken(uid));
  CHECK(dataFlowClientToken(uid) != dataFlowTaskClientToken(uid));
  CHECK(dataFlowClientToken(uid) != dataFlowClientToken("00000000-cc3a-4ea5-bf99-71ef3fb02f2b"));
  CHECK(dataFlowTaskClientToken(uid).size() <= 64);
}

TEST_CASE("progress is a percentage of ProgressStats, 100 only when Completed", "[bmcpfs]") {
  DataFlowTaskInfo t;
  t.status = "Executing";
  t.bytesTotal = 1000;
  t.bytesDone = 590;
  CHECK(dataFlowTaskPercent(t) == 59);
  t.bytesDone = 1000;
  CHECK(dataFlowTaskPercent(t) == 99);
  t.status = "Completed";
  CHECK(dataFlowTaskPercent(t) == 100);
  DataFlowTaskInfo files;  // metadata of empty files: no bytes, count files
  files.status = "Executing";
  files.filesTotal = 4;
  files.filesDone = 1;
  CHECK(dataFlowTaskPercent(files) == 25);
  CHECK(DataFlowTaskInfo{"t", "d", "Canceled", "", 0, 0, 0, 0, 0}.terminal());
  CHECK_FALSE(DataFlowTaskInfo{"t", "d", "Pending", "", 0, 0, 0, 0, 0}.terminal());
}
