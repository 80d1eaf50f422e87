#include <catch2/catch.hpp>

#include "xml_responses.h"

using namespace ossvp;
using namespace ossvp::ossclient;

TEST_CASE("list: SDK mock sample with contents and common prefixes", "[xml]") {
  const char* body =
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>examplebucket</Name><Prefix>a/</Prefix><MaxKeys>3</MaxKeys>)"
      R"(<StartAfter>b</StartAfter><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>)"
      R"(<Contents><Key>a/b</Key><LastModified>2020-05-18T05:45:47.000Z</LastModified><ETag>"35A27C2B9EAEEB6F48FD7FB5861D****"</ETag>)"
      R"(<Type>Normal</Type><Size>25</Size><StorageClass>STANDARD</StorageClass><Owner><ID>0022012****</ID><DisplayName>user-example</DisplayName></Owner></Contents>)"
      R"(<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes><KeyCount>3</KeyCount></ListBucketResult>)";
  auto page = parseListObjectsV2(body);
  REQUIRE(page.isOk());
  REQUIRE(page->objects.size() == 1);
  const ObjectMeta& o = page->objects[0];
  CHECK(o.key == "a/b");
  CHECK(o.size == 25);
  CHECK(o.mtime == 1589780747);
  CHECK(o.etag == "\"35A27C2B9EAEEB6F48FD7FB5861D****\"");
  CHECK(o.storageClass == "STANDARD");
  CHECK(o.objectType == "Normal");
  CHECK(page->commonPrefixes == std::vector<std::string>{"a/b/"});
  CHECK_FALSE(page->isTruncated);
}

TEST_CASE("list: url-encoded keys, prefixes and tokens are decoded, '+' stays literal", "[xml]") {
  const char* body =
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>CgJhYg%3D%3D</NextContinuationToken>"
      "<Contents><Key>dir%2Fa%20b%2Bc+d%E4%B8%AD.txt</Key><Size>1</Size></Contents>"
      "<Contents><Key>%3Cweird%3E%26</Key><Size>2</Size></Contents>"
      "<CommonPrefixes><Prefix>dir%2Fsub%20dir%2F</Prefix></CommonPrefixes></ListBucketResult>";
  auto page = parseListObjectsV2(body);
  REQUIRE(page.isOk());
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "dir/a b+c+d\xE4\xB8\xAD.txt");
  CHECK(page->objects[1].key == "<weird>&");
  CHECK(page->commonPrefixes == std::vector<std::string>{"dir/sub dir/"});
  CHECK(page->isTruncated);
  CHECK(page->nextContinuationToken == "CgJhYg==");
}

TEST_CASE("list: without EncodingType keys are taken verbatim", "[xml]") {
  auto page = parseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a%20b</Key><Size>0</Size></Contents></"
      "ListBucketResult>");
  REQUIRE(page.isOk());
  CHECK(page->objects[0].key == "a%20b");
}

TEST_CASE("list: empty result", "[xml]") {
  auto page = parseListObjectsV2(
      "<ListBucketResult><Name>b</Name><Prefix>none/</Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>"
      "<IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>");
  REQUIRE(page.isOk());
  CHECK(page->objects.empty());
  CHECK(page->commonPrefixes.empty());
  CHECK_FALSE(page->isTruncated);
  CHECK(page->nextContinuationToken.empty());
}

TEST_CASE("list: malformed and inconsistent responses are errors", "[xml]") {
  auto truncatedNoToken = parseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  REQUIRE_FALSE(truncatedNoToken.isOk());
  CHECK(truncatedNoToken.status().message().find("NextContinuationToken") != std::string::npos);
  auto cut = parseListObjectsV2("<ListBucketResult><Contents><Key>a</Ke");
  REQUIRE_FALSE(cut.isOk());
  CHECK(cut.status().code() == StatusCode::Unavailable);  // a truncated body is retried
  CHECK_FALSE(parseListObjectsV2("<Error><Code>AccessDenied</Code></Error>").isOk());
  CHECK_FALSE(parseListObjectsV2("").isOk());
}

TEST_CASE("multipart XML: initiate, complete request and result", "[xml]") {
  auto id = parseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>oss-example</Bucket><Key>multipart.data</Key>"
      "<UploadId>0004B9894A22E5B1888A1E29F823****</UploadId></InitiateMultipartUploadResult>");
  REQUIRE(id.isOk());
  CHECK(*id == "0004B9894A22E5B1888A1E29F823****");
  CHECK_FALSE(parseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").isOk());

  std::string xml = buildCompleteMultipartXml({PartResult{2, "\"B\"", 1, 0}, PartResult{1, "\"A\"", 1, 0}});
  CHECK(xml ==
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"A\"</ETag></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>\"B\"</ETag></Part></CompleteMultipartUpload>");

  auto etag = parseCompleteMultipartUpload(
      "<CompleteMultipartUploadResult><EncodingType>url</EncodingType><Location>http://x/y</"
      "Location><Bucket>oss-example</Bucket>"
      "<Key>demo%2Fmultipart.data</Key><ETag>\"097DE458AD02B5F89F9D0530231876****\"</ETag></"
      "CompleteMultipartUploadResult>");
  REQUIRE(etag.isOk());
  CHECK(*etag == "\"097DE458AD02B5F89F9D0530231876****\"");
}
