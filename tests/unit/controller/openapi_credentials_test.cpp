// Where the controller's own OpenAPI credentials come from: AccessKey env,
// RRSA env, or an error naming both ways. The STS exchange itself runs end
// to end in tests/integration/controller/bmcpfs_rrsa_test.sh.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/controller/openapi_credentials.h"

using namespace ossvp;
using namespace ossvp::controller;

namespace {
class CredentialEnv {
 public:
  CredentialEnv() { clear(); }
  ~CredentialEnv() { clear(); }
  void set(const char* k, const char* v) { setenv(k, v, 1); }

 private:
  static void clear() {
    for (const char* k : {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                          "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                          "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_STS_REGION"}) {
      unsetenv(k);
    }
  }
};
}  // namespace

TEST_CASE("OpenAPI credentials: none configured names the Secret and RRSA", "[credentials]") {
  CredentialEnv env;
  auto none = openApiCredentialsFromEnvironment({});
  REQUIRE_FALSE(none.isOk());
  CHECK(none.status().code() == StatusCode::NotFound);
  for (const char* v : {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ossvp-controller-credentials", "ALIBABA_CLOUD_ROLE_ARN",
                        "ALIBABA_CLOUD_OIDC_TOKEN_FILE"}) {
    CHECK(none.status().message().find(v) != std::string::npos);
  }
  env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIonly");
  CHECK(openApiCredentialsFromEnvironment({}).status().code() == StatusCode::InvalidArgument);
}

TEST_CASE("OpenAPI credentials: an AccessKey wins over RRSA", "[credentials]") {
  CredentialEnv env;
  env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIctrl");
  env.set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ctrl-secret-value-9");
  env.set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r");
  auto c = openApiCredentialsFromEnvironment({});
  REQUIRE(c.isOk());
  CHECK((*c)->describe() == "AccessKey from the environment");
  auto got = (*c)->get();
  REQUIRE(got.isOk());
  CHECK(got->accessKeyId == "LTAIctrl");
  CHECK(got->securityToken.empty());
  CHECK(redactSecrets("ctrl-secret-value-9") == "***");
}

TEST_CASE("OpenAPI credentials: RRSA from env, a missing token file says what to fix", "[credentials]") {
  CredentialEnv env;
  env.set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/ctrl");
  auto partial = openApiCredentialsFromEnvironment({});
  REQUIRE_FALSE(partial.isOk());
  CHECK(partial.status().message().find("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") != std::string::npos);

  env.set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/p");
  env.set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nonexistent/rrsa/token");
  // An unroutable STS endpoint: the token file is read first, so no request is made.
  env.set("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:1");
  auto c = openApiCredentialsFromEnvironment({});
  REQUIRE(c.isOk());
  CHECK((*c)->describe() == "RRSA (role acs:ram::1:role/ctrl)");
  auto got = (*c)->get();
  REQUIRE_FALSE(got.isOk());
  CHECK(got.status().message().find("'/nonexistent/rrsa/token'") != std::string::npos);
  CHECK(got.status().message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);
}

TEST_CASE("OpenAPI credentials: an unreachable STS endpoint is Unavailable and named", "[credentials]") {
  char path[] = "/tmp/ossvp-ctrl-token.XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "hdr.payload.sig", 15) == 15);
  close(fd);
  RrsaConfig config;
  config.roleArn = "acs:ram::1:role/ctrl";
  config.oidcProviderArn = "acs:ram::1:oidc-provider/p";
  config.oidcTokenFile = path;
  config.stsEndpoint = "sts.cn-hangzhou.aliyuncs.com";
  // The --endpoint-override for the STS host sends the call to a closed port.
  auto c = makeRrsaOpenApiCredentials(config, {"sts.cn-hangzhou.aliyuncs.com=http://127.0.0.1:1"});
  auto got = c->get();
  unlink(path);
  REQUIRE_FALSE(got.isOk());
  CHECK(got.status().code() == StatusCode::Unavailable);
  CHECK(got.status().message().find("AssumeRoleWithOIDC request to https://sts.cn-hangzhou.aliyuncs.com") !=
        std::string::npos);
}

TEST_CASE("endpoint overrides map a host to a URL", "[credentials]") {
  std::vector<std::string> o = {"sts.aliyuncs.com=http://127.0.0.1:7", "nas.x=http://h"};
  CHECK(endpointOverrideFor("sts.aliyuncs.com", o) == "http://127.0.0.1:7");
  CHECK(endpointOverrideFor("nas.x", o) == "http://h");
  CHECK(endpointOverrideFor("sts.cn-hangzhou.aliyuncs.com", o).empty());
}
