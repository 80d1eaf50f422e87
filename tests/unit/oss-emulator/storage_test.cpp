#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossemu/storage.h"

using namespace ossvp::ossemu;
namespace fs = std::filesystem;

namespace {

ObjectMeta put(Storage& s, const std::string& bucket, const std::string& key, const std::string& data) {
  auto w = s.newWriter();
  REQUIRE(w.isOk());
  REQUIRE((*w)->write(data.data(), data.size()).isOk());
  auto m = s.commit(bucket, key, **w, ObjectMeta{}, false);
  REQUIRE(m.isOk());
  return *m;
}

std::unique_ptr<Storage> memory() {
  auto s = Storage::open(StorageOptions{"", true, "cn-hangzhou"});
  REQUIRE(s.isOk());
  REQUIRE((*s)->createBucket("b").isOk());
  return std::move(*s);
}

struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("ossemu-unit-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("put computes ETag, Content-MD5 and CRC64") {
  auto s = memory();
  ObjectMeta m = put(*s, "b", "k", "123456789");
  CHECK(m.crc64 == 0x995dc9bbdf1939faULL);
  CHECK(m.etag == "25F9E794323B453885F5181F1B624D0B");
  CHECK(m.contentMd5 == "JfnnlDI7RTiF9RgfG2JNCw==");
  CHECK(m.size == 9);
}

TEST_CASE("listing with delimiter, marker and max-keys") {
  auto s = memory();
  for (const char* k : {"a/1", "a/2", "b/x/1", "b/y", "c"}) put(*s, "b", k, "x");
  ListParams p;
  p.delimiter = "/";
  auto r = s->list("b", p);
  REQUIRE(r.isOk());
  CHECK(r->contents.size() == 1);
  CHECK(r->contents[0].key == "c");
  CHECK(r->commonPrefixes == std::vector<std::string>{"a/", "b/"});
  p.maxKeys = 1;
  r = s->list("b", p);
  CHECK(r->truncated);
  CHECK(r->nextMarker == "a/");
  p.startAfter = r->nextMarker;  // a marker that is a common prefix skips its subtree
  r = s->list("b", p);
  CHECK(r->commonPrefixes == std::vector<std::string>{"b/"});
  p = ListParams{};
  p.prefix = "b/";
  r = s->list("b", p);
  REQUIRE(r->contents.size() == 2);
  CHECK(r->contents[0].key == "b/x/1");
  CHECK_FALSE(r->truncated);
  CHECK(s->list("missing", p).status().message().rfind("NoSuchBucket", 0) == 0);
}

TEST_CASE("multipart complete: combined CRC, ETag -N, size limits") {
  auto s = memory();
  auto id = s->initiateUpload("b", "mp", ObjectMeta{});
  REQUIRE(id.isOk());
  std::string p1(100 * 1024, 'a'), p2 = "tail";
  std::vector<std::pair<int, std::string>> parts;
  int n = 0;
  for (const auto* data : {&p1, &p2}) {
    auto w = s->newWriter();
    REQUIRE((*w)->write(data->data(), data->size()).isOk());
    auto part = s->putPart("b", *id, ++n, **w);
    REQUIRE(part.isOk());
    parts.emplace_back(n, "\"" + part->etag + "\"");
  }
  auto bad = parts;
  bad[1].second = "\"00\"";
  CHECK(s->completeUpload("b", "mp", *id, bad, false, false).status().message().rfind("InvalidPart", 0) == 0);
  auto m = s->completeUpload("b", "mp", *id, parts, false, false);
  REQUIRE(m.isOk());
  uint64_t c1 = ossvp::ossclient::crc64(p1), c2 = ossvp::ossclient::crc64(p2);
  CHECK(m->crc64 == ossvp::ossclient::crc64Combine(c1, c2, p2.size()));
  CHECK(m->etag.size() == 34);
  CHECK(m->etag.substr(32) == "-2");
  CHECK(m->type == "Multipart");
  CHECK(s->upload("b", *id).status().message().rfind("NoSuchUpload", 0) == 0);

  auto id2 = s->initiateUpload("b", "small", ObjectMeta{});
  for (int i = 1; i <= 2; ++i) {
    auto w = s->newWriter();
    REQUIRE((*w)->write("xy", 2).isOk());
    REQUIRE(s->putPart("b", *id2, i, **w).isOk());
  }
  CHECK(s->completeUpload("b", "small", *id2, {}, true, false).status().message().rfind("EntityTooSmall", 0) == 0);
}

TEST_CASE("disk multipart complete joins the stored parts without hashing them again") {
  TempDir dir;
  auto s = Storage::open(StorageOptions{dir.path.string(), false, "cn-hangzhou"});
  REQUIRE(s.isOk());
  REQUIRE((*s)->createBucket("b").isOk());
  auto id = (*s)->initiateUpload("b", "big", ObjectMeta{});
  REQUIRE(id.isOk());
  std::string whole;
  uint64_t crc = 0;
  for (int n = 1; n <= 3; ++n) {
    std::string data(n < 3 ? 300 * 1024 : 1234, static_cast<char>('a' + n));
    data[7] = static_cast<char>(n);
    auto w = (*s)->newWriter();
    REQUIRE((*w)->write(data.data(), data.size()).isOk());
    REQUIRE((*s)->putPart("b", *id, n, **w).isOk());
    whole += data;
    crc = ossvp::ossclient::crc64Combine(crc, ossvp::ossclient::crc64(data), data.size());
  }
  auto m = (*s)->completeUpload("b", "big", *id, {}, true, false);
  REQUIRE(m.isOk());
  CHECK(m->size == whole.size());
  CHECK(m->crc64 == crc);
  CHECK(m->crc64 == ossvp::ossclient::crc64(whole));
  CHECK(m->etag.substr(32) == "-3");
  std::ifstream in(m->path, std::ios::binary);
  std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(stored == whole);
  CHECK(!fs::exists(dir.path / "uploads" / *id));
}

TEST_CASE("disk storage survives reopen, an uncommitted write leaves nothing") {
  TempDir dir;
  {
    auto s = Storage::open(StorageOptions{dir.path.string(), false, "cn-hangzhou"});
    REQUIRE(s.isOk());
    REQUIRE((*s)->createBucket("b").isOk());
    put(**s, "b", "dir/k 1", "persisted");
    auto w = (*s)->newWriter();
    REQUIRE((*w)->write("partial", 7).isOk());
    // writer dropped without commit (a PUT whose client went away)
  }
  CHECK(std::distance(fs::directory_iterator(dir.path / "tmp"), fs::directory_iterator()) == 0);
  auto s = Storage::open(StorageOptions{dir.path.string(), false, "cn-hangzhou"});
  REQUIRE(s.isOk());
  auto m = (*s)->head("b", "dir/k 1");
  REQUIRE(m.isOk());
  CHECK(m->size == 9);
  CHECK((*s)->listBuckets().size() == 1);
  REQUIRE((*s)->remove("b", "dir/k 1").isOk());
  CHECK((*s)->deleteBucket("b").isOk());
}

TEST_CASE("forbid-overwrite and BucketNotEmpty") {
  auto s = memory();
  put(*s, "b", "k", "1");
  auto w = s->newWriter();
  REQUIRE((*w)->write("2", 1).isOk());
  CHECK(s->commit("b", "k", **w, ObjectMeta{}, true).status().message().rfind("FileAlreadyExists", 0) == 0);
  CHECK(s->deleteBucket("b").message().rfind("BucketNotEmpty", 0) == 0);
}
