#include <catch2/catch.hpp>

#include <cstdlib>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/credentials.h"

using namespace ossvp;
using namespace ossvp::ossclient;

namespace {
// Sets env vars for one test and restores a clean state afterwards.
class EnvGuard {
 public:
  EnvGuard() { clear(); }
  ~EnvGuard() { clear(); }
  void set(const char* k, const char* v) { setenv(k, v, 1); }

 private:
  static void clear() {
    for (const char* k :
         {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
          "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
          "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_STS_REGION", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"}) {
      unsetenv(k);
    }
  }
};
}  // namespace

TEST_CASE("credentials: env provider and registered secrets", "[credentials]") {
  EnvGuard env;
  CHECK(makeEnvCredentialsProvider().status().code() == StatusCode::NotFound);
  env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvkey");
  CHECK(makeEnvCredentialsProvider().status().code() == StatusCode::InvalidArgument);
  env.set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-value-1");
  env.set("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token-value-1");
  auto p = makeEnvCredentialsProvider();
  REQUIRE(p.isOk());
  auto c = (*p)->get();
  REQUIRE(c.isOk());
  CHECK(c->accessKeyId == "LTAIenvkey");
  CHECK(c->securityToken == "env-token-value-1");
  CHECK((*p)->describe().find("env-secret") == std::string::npos);
  CHECK(redactSecrets("x env-secret-value-1 y env-token-value-1") == "x *** y ***");
}

TEST_CASE("credentials: default chain explains what to set", "[credentials]") {
  EnvGuard env;
  auto none = makeDefaultCredentialsChain(ClientOptions{});
  REQUIRE_FALSE(none.isOk());
  CHECK(none.status().code() == StatusCode::Unauthenticated);
  CHECK(none.status().message().find("ALIBABA_CLOUD_ACCESS_KEY_ID") != std::string::npos);
  CHECK(none.status().message().find("ALIBABA_CLOUD_ROLE_ARN") != std::string::npos);

  env.set("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r");
  auto partial = makeDefaultCredentialsChain(ClientOptions{});
  REQUIRE_FALSE(partial.isOk());
  CHECK(partial.status().message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);

  env.set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/p");
  env.set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nonexistent/token");
  auto rrsa = makeDefaultCredentialsChain(ClientOptions{});
  REQUIRE(rrsa.isOk());
  CHECK((*rrsa)->describe().find("acs:ram::1:role/r") != std::string::npos);
  auto c = (*rrsa)->get();  // the token file is missing: a clear error, no network call
  REQUIRE_FALSE(c.isOk());
  CHECK(c.status().message().find("/nonexistent/token") != std::string::npos);
}
// The RRSA environment, STS request/response and refresh rule are common's:
// tests/unit/common/sts_oidc_test.cpp and rrsa_session_test.cpp.
