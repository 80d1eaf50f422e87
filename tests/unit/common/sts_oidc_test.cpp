#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/common/sts_oidc.h"

using namespace ossvp;
using std::chrono::seconds;

namespace {
// Sets RRSA env vars for one test and restores a clean state afterwards.
class RrsaEnv {
 public:
  RrsaEnv() { clear(); }
  ~RrsaEnv() { clear(); }
  void set(const char* k, const char* v) { setenv(k, v, 1); }

 private:
  static void clear() {
    for (const char* k : {"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                          "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_STS_REGION",
                          "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "ALIBABA_CLOUD_ROLE_SESSION_NAME"}) {
      unsetenv(k);
    }
  }
};

std::chrono::system_clock::time_point at(int64_t epochSeconds) {
  return std::chrono::system_clock::time_point(seconds(epochSeconds));
}
}  // namespace

TEST_CASE("sts_oidc: RRSA config from env, STS endpoint selection", "[sts]") {
  RrsaEnv env;
  CHECK(rrsaConfigFromEnv().status().code() == StatusCode::NotFound);
  env.set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r");
  auto partial = rrsaConfigFromEnv();
  REQUIRE_FALSE(partial.isOk());
  CHECK(partial.status().code() == StatusCode::InvalidArgument);
  CHECK(partial.status().message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);
  env.set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/p");
  env.set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t");
  auto c = rrsaConfigFromEnv();
  REQUIRE(c.isOk());
  CHECK(c->roleArn == "acs:ram::1:role/r");
  CHECK(c->oidcProviderArn == "acs:ram::1:oidc-provider/p");
  CHECK(c->oidcTokenFile == "/t");
  CHECK(c->roleSessionName == "ossvp");
  CHECK(c->stsEndpoint == "sts.aliyuncs.com");
  env.set("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou");
  CHECK(rrsaConfigFromEnv()->stsEndpoint == "sts.cn-hangzhou.aliyuncs.com");
  env.set("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true");
  CHECK(rrsaConfigFromEnv()->stsEndpoint == "sts-vpc.cn-hangzhou.aliyuncs.com");
  env.set("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:1234");
  CHECK(rrsaConfigFromEnv()->stsEndpoint == "http://127.0.0.1:1234");
  env.set("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ctrl-1");
  CHECK(rrsaConfigFromEnv()->roleSessionName == "ctrl-1");
}

TEST_CASE("sts_oidc: the OIDC token file", "[sts]") {
  auto missing = readOidcToken("/nonexistent/dir/token");
  REQUIRE_FALSE(missing.isOk());
  CHECK(missing.status().code() == StatusCode::Unauthenticated);
  CHECK(missing.status().message().find("'/nonexistent/dir/token'") != std::string::npos);
  CHECK(missing.status().message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);

  char path[] = "/tmp/ossvp-oidc-token.XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "\n";
  auto empty = readOidcToken(path);
  REQUIRE_FALSE(empty.isOk());
  CHECK(empty.status().message().find("is empty") != std::string::npos);

  std::ofstream(path) << "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0LXRva2VuLXgifQ.sig-1\n";
  auto token = readOidcToken(path);
  REQUIRE(token.isOk());
  CHECK(*token == "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0LXRva2VuLXgifQ.sig-1");
  CHECK(redactSecrets("token=" + *token) == "token=***");
  std::ofstream(path) << "rotated-token-value-2";  // re-read each time: rotation is seen
  CHECK(*readOidcToken(path) == "rotated-token-value-2");
  unlink(path);
}

TEST_CASE("sts_oidc: the AssumeRoleWithOIDC request", "[sts]") {
  RrsaConfig c;
  c.roleArn = "acs:ram::123:role/ossvp-controller";
  c.oidcProviderArn = "acs:ram::123:oidc-provider/ack-rrsa-c1";
  c.stsEndpoint = "sts.cn-hangzhou.aliyuncs.com";
  auto r = buildAssumeRoleWithOidcRequest(c, "hdr.pay+load.sig", 1634704029);  // 2021-10-20T04:27:09Z
  CHECK(r.baseUrl == "https://sts.cn-hangzhou.aliyuncs.com");
  CHECK(r.host == "sts.cn-hangzhou.aliyuncs.com");
  CHECK(r.target == "/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=2021-10-20T04%3A27%3A09Z");
  CHECK(r.body ==
        "RoleArn=acs%3Aram%3A%3A123%3Arole%2Fossvp-controller&OIDCProviderArn=acs%3Aram%3A%3A123%3Aoidc-provider%2F"
        "ack-rrsa-c1&OIDCToken=hdr.pay%2Bload.sig&RoleSessionName=ossvp&DurationSeconds=3600");

  c.stsEndpoint = "http://127.0.0.1:8080/";
  c.durationSeconds = 60;  // below STS's minimum: clamped
  r = buildAssumeRoleWithOidcRequest(c, "t", 0);
  CHECK(r.baseUrl == "http://127.0.0.1:8080");
  CHECK(r.host == "127.0.0.1:8080");
  CHECK(r.body.find("DurationSeconds=900") != std::string::npos);
}

TEST_CASE("sts_oidc: STS responses", "[sts]") {
  auto ok = parseStsCredentialsResponse(
      200,
      R"({"RequestId":"3D57","Credentials":{"SecurityToken":"CAIShwJ1q6Ft5B2y+SjIr5bSEsj4g7Bi","Expiration":"2021-10-20T04:27:09Z",)"
      R"("AccessKeySecret":"CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWF","AccessKeyId":"STS.NUgYrLnoC37mZZCNnAbez"}})");
  REQUIRE(ok.isOk());
  CHECK(ok->accessKeyId == "STS.NUgYrLnoC37mZZCNnAbez");
  CHECK(ok->accessKeySecret == "CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWF");
  CHECK(ok->securityToken == "CAIShwJ1q6Ft5B2y+SjIr5bSEsj4g7Bi");
  REQUIRE(ok->expiration);
  CHECK(*ok->expiration == at(1634704029));
  CHECK(redactSecrets("CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWF") == "***");
  // Also in the percent-encoded form a signed query carries.
  CHECK(redactSecrets("SecurityToken=CAIShwJ1q6Ft5B2y%2BSjIr5bSEsj4g7Bi&x") == "SecurityToken=***&x");

  auto denied = parseStsCredentialsResponse(
      401,
      R"({"RequestId":"R1","Code":"AuthenticationFail.OIDCToken.Expired","Message":"The OIDC token has expired."})");
  REQUIRE_FALSE(denied.isOk());
  CHECK(denied.status().code() == StatusCode::PermissionDenied);
  CHECK(denied.status().message().find("AuthenticationFail.OIDCToken.Expired (HTTP 401)") != std::string::npos);
  CHECK(denied.status().message().find("RequestId R1") != std::string::npos);
  CHECK(denied.status().message().find("ALIBABA_CLOUD_ROLE_ARN") != std::string::npos);

  CHECK(parseStsCredentialsResponse(400, R"({"Code":"InvalidParameter.RoleArn"})").status().code() ==
        StatusCode::InvalidArgument);
  CHECK_FALSE(parseStsCredentialsResponse(200, R"({"Credentials":{"AccessKeyId":"a"}})").isOk());
  CHECK_FALSE(parseStsCredentialsResponse(200, "not json").isOk());
  CHECK(parseStsCredentialsResponse(503, "oops").status().code() == StatusCode::Unavailable);
}

TEST_CASE("sts_oidc: when to refresh", "[sts]") {
  CloudCredentials longTerm{"LTAI", "secret", "", std::nullopt};
  CHECK_FALSE(stsRefreshDue(longTerm, at(1'000'000'000), seconds(180)));

  CloudCredentials hour{"STS.a", "s", "t", at(3600)};  // expires at 3600
  CHECK_FALSE(stsRefreshDue(hour, at(0), seconds(180)));
  CHECK_FALSE(stsRefreshDue(hour, at(3419), seconds(180)));
  CHECK(stsRefreshDue(hour, at(3420), seconds(180)));
  CHECK(stsRefreshDue(hour, at(4000), seconds(180)));  // expired
}
