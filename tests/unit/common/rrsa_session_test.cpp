#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "ossvp/common/rfc3339.h"
#include "ossvp/common/rrsa_session.h"
#include "ossvp/common/secret_redactor.h"

using namespace ossvp;

namespace {

// A token file in /tmp, removed at the end of the test.
class TokenFile {
 public:
  TokenFile() {
    char p[] = "/tmp/ossvp-rrsa-session.XXXXXX";
    int fd = mkstemp(p);
    close(fd);
    path_ = p;
  }
  ~TokenFile() { unlink(path_.c_str()); }
  void write(const std::string& token) const { std::ofstream(path_) << token << "\n"; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A fake STS: records the requests, answers with credentials valid for
// `lifetime` seconds, numbered by call.
struct FakeSts {
  std::vector<StsHttpRequest> requests;
  int lifetime = 3600;
  int failWith = 0;  // HTTP status to answer with instead
  bool down = false;

  RrsaSession::Transport transport() {
    return [this](const StsHttpRequest& r) -> Result<StsHttpReply> {
      requests.push_back(r);
      if (down) return unavailable("connection refused");
      if (failWith) return StsHttpReply{failWith, R"({"Code":"AuthenticationFail.OIDCToken.Expired","Message":"m"})"};
      std::string n = std::to_string(requests.size());
      auto exp = std::chrono::system_clock::now() + std::chrono::seconds(lifetime);
      return StsHttpReply{200, R"({"Credentials":{"AccessKeyId":"STS.key)" + n +
                                   R"(","AccessKeySecret":"session-secret-)" + n +
                                   R"(-xyz","SecurityToken":"sec-token-)" + n + R"(-abc","Expiration":")" +
                                   formatRfc3339(exp) + R"("}})"};
    };
  }
};

RrsaConfig config(const TokenFile& f) {
  RrsaConfig c;
  c.roleArn = "acs:ram::1:role/ctrl";
  c.oidcProviderArn = "acs:ram::1:oidc-provider/p";
  c.oidcTokenFile = f.path();
  c.stsEndpoint = "sts.cn-beijing.aliyuncs.com";
  return c;
}

}  // namespace

TEST_CASE("rrsa_session: exchanges the token once and caches the credentials", "[rrsa]") {
  TokenFile f;
  f.write("oidc-token-one-aaaa");
  FakeSts sts;
  RrsaSession s(config(f), sts.transport());
  CHECK(s.describe() == "RRSA (role acs:ram::1:role/ctrl)");
  auto c1 = s.get();
  REQUIRE(c1.isOk());
  CHECK(c1->accessKeyId == "STS.key1");
  CHECK(c1->securityToken == "sec-token-1-abc");
  auto c2 = s.get();
  REQUIRE(c2.isOk());
  CHECK(c2->accessKeyId == "STS.key1");
  REQUIRE(sts.requests.size() == 1);
  CHECK(sts.requests[0].host == "sts.cn-beijing.aliyuncs.com");
  CHECK(sts.requests[0].body.find("OIDCToken=oidc-token-one-aaaa&") != std::string::npos);
  CHECK(redactSecrets("sec-token-1-abc session-secret-1-xyz oidc-token-one-aaaa") == "*** *** ***");
}

TEST_CASE("rrsa_session: refreshes before expiry with the rotated token", "[rrsa]") {
  TokenFile f;
  f.write("oidc-token-one-bbbb");
  FakeSts sts;
  sts.lifetime = 0;  // already at its expiry: the next get() must refresh
  RrsaSession s(config(f), sts.transport());
  REQUIRE(s.get().isOk());
  f.write("oidc-token-two-bbbb");  // kubelet rotated the projected token
  sts.lifetime = 3600;
  auto c2 = s.get();
  REQUIRE(c2.isOk());
  CHECK(c2->accessKeyId == "STS.key2");
  REQUIRE(sts.requests.size() == 2);
  CHECK(sts.requests[1].body.find("OIDCToken=oidc-token-two-bbbb&") != std::string::npos);
}

TEST_CASE("rrsa_session: failures", "[rrsa]") {
  TokenFile f;
  FakeSts sts;
  RrsaConfig c = config(f);
  c.oidcTokenFile = "/nonexistent/rrsa/token";
  RrsaSession missing(c, sts.transport());
  auto e = missing.get();
  REQUIRE_FALSE(e.isOk());
  CHECK(e.status().message().find("/nonexistent/rrsa/token") != std::string::npos);
  CHECK(e.status().message().find("ALIBABA_CLOUD_OIDC_TOKEN_FILE") != std::string::npos);
  CHECK(sts.requests.empty());  // no STS call without a token

  f.write("oidc-token-three-cccc");
  sts.down = true;
  RrsaSession down(config(f), sts.transport());
  auto d = down.get();
  REQUIRE_FALSE(d.isOk());
  CHECK(d.status().code() == StatusCode::Unavailable);
  CHECK(d.status().message().find("https://sts.cn-beijing.aliyuncs.com failed: connection refused") !=
        std::string::npos);
  CHECK(d.status().message().find("ALIBABA_CLOUD_STS_ENDPOINT") != std::string::npos);

  sts.down = false;
  sts.failWith = 401;
  auto denied = down.get();
  REQUIRE_FALSE(denied.isOk());
  CHECK(denied.status().code() == StatusCode::PermissionDenied);
}

TEST_CASE("rrsa_session: a failed refresh keeps the current credentials until they expire", "[rrsa]") {
  TokenFile f;
  f.write("oidc-token-four-dddd");
  FakeSts sts;
  sts.lifetime = 3600;
  RrsaConfig c = config(f);
  c.refreshBefore = std::chrono::seconds(7200);  // due on every get(), an hour before expiry
  RrsaSession s(c, sts.transport());
  REQUIRE(s.get().isOk());
  sts.down = true;
  auto still = s.get();
  REQUIRE(still.isOk());
  CHECK(still->accessKeyId == "STS.key1");
  CHECK(sts.requests.size() == 2);  // it did try
}

TEST_CASE("rrsa_session: concurrent callers share one exchange", "[rrsa]") {
  TokenFile f;
  f.write("oidc-token-five-eeee");
  FakeSts sts;
  RrsaSession s(config(f), sts.transport());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (s.get().isOk()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 8);
  CHECK(sts.requests.size() == 1);
}
