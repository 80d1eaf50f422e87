#include <catch2/catch.hpp>

#include "ossvp/ossemu/auth.h"

using namespace ossvp::ossemu;

namespace {

// Vector V1-1 (alibabacloud-oss-go-sdk-v2 signer_test.go), signed at 1672223261.
HttpRequest v1Put() {
  HttpRequest r;
  r.method = "PUT";
  r.rawPath = "/nelson";
  r.headers = {{"host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"},
               {"content-md5", "eB5eJF1ptWaXm4bijSPyxw=="},
               {"content-type", "text/html"},
               {"x-oss-meta-author", "alice"},
               {"x-oss-meta-magic", "abracadabra"},
               {"x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT"},
               {"date", "Wed, 28 Dec 2022 10:27:41 GMT"},
               {"authorization", "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M="}};
  return r;
}

const RequestTarget kTarget{"examplebucket", "nelson", "/nelson"};
constexpr int64_t kSignedAt = 1672223261;

std::string verify(const CredentialStore& store, const HttpRequest& r, const RequestTarget& t, int64_t now) {
  Authenticator a(store, AuthOptions{});
  std::string ak;
  ossvp::Status st = a.verify(r, t, now, &ak);
  if (st.isOk()) return "OK";
  return st.message().substr(0, st.message().find(':'));
}

}  // namespace

TEST_CASE("OSS V1 header auth: vector, tampering, unknown key, skew") {
  CredentialStore store;
  store.add(StoredCredential{"ak", "sk", "", 0});
  CHECK(verify(store, v1Put(), kTarget, kSignedAt) == "OK");
  HttpRequest tampered = v1Put();
  tampered.headers[3].second = "mallory";
  CHECK(verify(store, tampered, kTarget, kSignedAt) == "SignatureDoesNotMatch");
  CredentialStore other;
  other.add(StoredCredential{"someone", "sk", "", 0});
  CHECK(verify(other, v1Put(), kTarget, kSignedAt) == "InvalidAccessKeyId");
  CHECK(verify(store, v1Put(), kTarget, kSignedAt + 3600) == "RequestTimeTooSkewed");
}

TEST_CASE("OSS V1 presigned URL (vector V1-5) and expiry") {
  CredentialStore store;
  store.add(StoredCredential{"ak", "sk", "", 0});
  HttpRequest r;
  r.method = "GET";
  r.rawPath = "/key";
  r.query =
      parseQuery("Expires=1699807420&OSSAccessKeyId=ak&Signature=dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D&versionId=versionId");
  r.headers = {{"host", "bucket.oss-cn-hangzhou.aliyuncs.com"}};
  RequestTarget t{"bucket", "key", "/key"};
  CHECK(verify(store, r, t, 1699807000) == "OK");
  CHECK(verify(store, r, t, 1699807421) == "AccessDenied");
}

TEST_CASE("STS credentials need their token and expire") {
  CredentialStore store;
  store.add(StoredCredential{"ak", "sk", "tok", kSignedAt + 10});
  HttpRequest r = v1Put();
  CHECK(verify(store, r, kTarget, kSignedAt) == "InvalidAccessKeyId");  // no token sent
  r.headers.emplace_back("x-oss-security-token", "other");
  CHECK(verify(store, r, kTarget, kSignedAt) == "InvalidSecurityToken");
  r.headers.back().second = "tok";
  CHECK(verify(store, r, kTarget, kSignedAt + 11) == "SecurityTokenExpired");
  // With the token the string-to-sign changes, so the old signature no longer matches.
  CHECK(verify(store, r, kTarget, kSignedAt) == "SignatureDoesNotMatch");
}

TEST_CASE("anonymous requests are AccessDenied unless allowed") {
  CredentialStore store;
  HttpRequest r = v1Put();
  r.headers.pop_back();  // drop Authorization
  Authenticator strict(store, AuthOptions{});
  Authenticator open(store, AuthOptions{true, 900});
  std::string ak;
  CHECK(strict.verify(r, kTarget, 0, &ak).message().rfind("AccessDenied", 0) == 0);
  CHECK(open.verify(r, kTarget, 0, &ak).isOk());
}
