// AWS SigV4 / SigV2 for S3-compatible endpoints: the AWS S3 documentation
// examples (GET object with Range, presigned GET) and vectors computed with
// botocore 1.43 (the AWS CLI's signer) for path-style requests.
#include <catch2/catch.hpp>

#include "ossvp/ossclient/signer.h"
#include "signer_test_util.h"

using namespace ossvp::ossclient;
using ossvp::ossclient::testutil::param;

namespace {
const std::string kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const Credentials kDocCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", std::nullopt};
const Credentials kBotoCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt};

}  // namespace

TEST_CASE("S3 SigV4: AWS documentation GET object with Range", "[signer][s3]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "test.txt";
  r.path = "/test.txt";  // virtual-hosted
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}, {"x-amz-content-sha256", kEmptySha}};
  S3V4Params p{"us-east-1", "s3", {"host", "range", "x-amz-content-sha256", "x-amz-date"}};
  signS3V4(r, kDocCreds, p, 1369353600);  // 20130524T000000Z
  CHECK(*findHeader(r.headers, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  // Verification as the emulator does it.
  auto parsed = parseAuthorization(*findHeader(r.headers, "Authorization"));
  REQUIRE(parsed.isOk());
  CHECK(parsed->scheme == ParsedAuthorization::Scheme::AwsV4);
  CHECK(parsed->accessKeyId == "AKIAIOSFODNN7EXAMPLE");
  CHECK(parsed->region == "us-east-1");
  CHECK(parsed->product == "s3");
  CHECK(parsed->headers == std::vector<std::string>{"host", "range", "x-amz-content-sha256", "x-amz-date"});
  CHECK(s3V4Authorization(r, kDocCreds, S3V4Params{parsed->region, parsed->product, parsed->headers}) ==
        *findHeader(r.headers, "Authorization"));
}

TEST_CASE("S3 SigV4: AWS documentation presigned GET", "[signer][s3][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "test.txt";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  QueryParams q = presignS3V4(r, kDocCreds, S3V4Params{"us-east-1", "s3", {}}, 1369353600, 86400);
  CHECK(encodeQuery(q, false) ==
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
        "request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  SignableRequest incoming = r;
  incoming.query = q;
  CHECK(s3V4PresignSignature(incoming, kDocCreds.accessKeySecret) == param(q, "X-Amz-Signature"));
  CHECK(s3V4PresignSignature(incoming, "other") != param(q, "X-Amz-Signature"));
}

TEST_CASE("S3 SigV4: botocore path-style with encoded key and query", "[signer][s3]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "bkt";
  r.key = "dir/file 1+2.bin";
  r.path = "/bkt/dir/file 1+2.bin";
  r.query = {{"list-type", "2"}, {"prefix", "a/b"}, {"delimiter", "/"}};
  r.headers = {{"Host", "127.0.0.1:9000"}, {"Range", "bytes=0-99"}, {"X-Amz-Content-SHA256", kEmptySha}};
  signS3V4(r, kBotoCreds, S3V4Params{"us-east-1", "s3", {"host", "range", "x-amz-content-sha256", "x-amz-date"}},
           1735689600);
  CHECK(*findHeader(r.headers, "Authorization") ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=013cfa6287db3737fcc1aec8dad96a4d973119a6b615fbbbe0ec2fad3c3e7e86");
}

TEST_CASE("S3 SigV4: botocore presign, path style", "[signer][s3][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "bkt";
  r.key = "dir/obj.txt";
  r.path = "/bkt/dir/obj.txt";
  r.headers = {{"Host", "127.0.0.1:9000"}};
  QueryParams q = presignS3V4(r, kBotoCreds, S3V4Params{"us-east-1", "s3", {}}, 1735689600, 600);
  CHECK(param(q, "X-Amz-Signature") == "233cfa7cc6f03689e7738f1f50173b3cd353afe18c916c5801bef1fcf552f52e");
}

TEST_CASE("S3 SigV4: default signed headers include host and every x-amz header", "[signer][s3]") {
  SignableRequest r;
  r.method = "PUT";
  r.bucket = "b";
  r.key = "k";
  r.headers = {{"Host", "h"}, {"Content-Type", "text/plain"}, {"User-Agent", "x"}};
  signS3V4(r, Credentials{"ak", "sk", "tok", std::nullopt}, S3V4Params{"us-east-1", "s3", {}}, 1735689600);
  auto p = parseAuthorization(*findHeader(r.headers, "Authorization"));
  REQUIRE(p.isOk());
  CHECK(p->headers ==
        std::vector<std::string>{"content-type", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"});
  CHECK(*findHeader(r.headers, "x-amz-security-token") == "tok");
}

TEST_CASE("S3 SigV2: botocore HmacV1Auth vector", "[signer][s3]") {
  SignableRequest r;
  r.method = "PUT";
  r.bucket = "bkt";
  r.key = "a b.txt";
  r.query = {{"partNumber", "3"}, {"uploadId", "XYZ"}};
  r.headers = {{"Content-Type", "text/plain"}, {"x-amz-meta-k", "v"}, {"Date", "Wed, 01 Jan 2025 00:00:00 GMT"}};
  CHECK(s3V2StringToSign(r, "Wed, 01 Jan 2025 00:00:00 GMT") ==
        "PUT\n\ntext/plain\nWed, 01 Jan 2025 00:00:00 GMT\nx-amz-meta-k:v\n/bkt/a%20b.txt?partNumber=3&uploadId=XYZ");
  CHECK(s3V2Authorization(r, kBotoCreds) == "AWS AKIDEXAMPLE:CGDvaywi3D7aHDCnK7mCN07RpJs=");
}
