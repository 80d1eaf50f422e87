#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "body_bytes.h"
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

std::unique_ptr<Storage> open(const TempDir& dir, bool onDisk, bool createBucket = true) {
  auto s = Storage::open(StorageOptions{dir.path.string(), !onDisk, "cn-hangzhou"});
  REQUIRE(s.isOk());
  if (createBucket) REQUIRE((*s)->createBucket("b").isOk());
  return std::move(*s);
}

size_t filesIn(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

constexpr uint64_t kPartSize = 300 * 1024;

// Uploads three different parts (kPartSize, kPartSize, 1234 bytes) and
// completes them as b/key; *whole gets the object's bytes.
ObjectMeta putMultipart(Storage& s, const std::string& key, std::string* whole) {
  auto id = s.initiateUpload("b", key, ObjectMeta{});
  REQUIRE(id.isOk());
  whole->clear();
  for (int n = 1; n <= 3; ++n) {
    std::string data(n < 3 ? kPartSize : 1234, static_cast<char>('a' + n));
    data[7] = static_cast<char>(n);
    auto w = s.newWriter();
    REQUIRE((*w)->write(data.data(), data.size()).isOk());
    REQUIRE(s.putPart("b", *id, n, **w).isOk());
    *whole += data;
  }
  auto m = s.completeUpload("b", key, *id, {}, true, false);
  REQUIRE(m.isOk());
  return *m;
}

// Bytes [offset, offset + length) of the object as a GET would send them.
std::string read(const Storage& s, const ObjectMeta& m, uint64_t offset, uint64_t length, size_t* slices = nullptr) {
  HttpResponse r;
  REQUIRE(s.openBody(m, &r, offset, length).isOk());
  if (slices) *slices = r.slices.size();
  return bodyBytes(r);
}

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

TEST_CASE("a completed multipart object is its parts: whole and ranged reads, copy, delete") {
  bool onDisk = GENERATE(false, true);
  INFO((onDisk ? "on disk" : "in memory"));
  TempDir dir;
  auto s = open(dir, onDisk);
  std::string whole;
  std::weak_ptr<const std::string> firstBlob;
  {
    ObjectMeta m = putMultipart(*s, "mp", &whole);
    CHECK(m.size == whole.size());
    CHECK(m.crc64 == ossvp::ossclient::crc64(whole));
    CHECK(m.etag.substr(32) == "-3");
    CHECK(m.type == "Multipart");
    REQUIRE(m.dataSegments().size() == 3);
    firstBlob = m.dataSegments()[0].data;
    CHECK(firstBlob.expired() == onDisk);
    struct Range {
      uint64_t offset, length;
      size_t slices;
    };
    const uint64_t p = kPartSize;
    for (Range r : {Range{0, whole.size(), 3}, Range{10, 100, 1}, Range{p + 5, 50, 1}, Range{p - 10, 20, 2},
                    Range{p - 1, p + 2, 3}, Range{whole.size() - 1, 1, 1}}) {
      INFO("range " << r.offset << " +" << r.length);
      size_t slices = 0;
      CHECK(read(*s, m, r.offset, r.length, &slices) == whole.substr(r.offset, r.length));
      CHECK(slices == r.slices);
    }
    if (onDisk) {
      CHECK(filesIn(dir.path / "uploads") == 0);
      CHECK(filesIn(dir.path / "buckets/b/data") == 3);  // the part files, linked in
    }
    auto copied = s->copy("b", "mp", "b", "cp", nullptr, false);
    REQUIRE(copied.isOk());
    CHECK(copied->etag == m.etag);
    CHECK(copied->crc64 == m.crc64);
    CHECK(copied->type == "Multipart");
  }
  REQUIRE(s->remove("b", "mp").isOk());
  {
    auto cp = s->head("b", "cp");
    REQUIRE(cp.isOk());
    CHECK(read(*s, *cp, 0, whole.size()) == whole);
    if (onDisk) CHECK(filesIn(dir.path / "buckets/b/data") == 3);  // the copy's links
  }
  REQUIRE(s->remove("b", "cp").isOk());
  CHECK(firstBlob.expired());
  if (onDisk) CHECK(filesIn(dir.path / "buckets/b/data") == 0);
}

TEST_CASE("a multipart object survives a restart, the startup sweep keeps its part files") {
  TempDir dir;
  std::string whole;
  {
    auto s = open(dir, true);
    putMultipart(*s, "mp", &whole);
    std::ofstream(dir.path / "buckets/b/data/leftover") << "a crashed PUT";
  }
  auto s = open(dir, true, false);
  CHECK(filesIn(dir.path / "buckets/b/data") == 3);
  auto m = s->head("b", "mp");
  REQUIRE(m.isOk());
  CHECK(m->dataSegments().size() == 3);
  CHECK(m->crc64 == ossvp::ossclient::crc64(whole));
  CHECK(read(*s, *m, 0, whole.size()) == whole);
  CHECK(read(*s, *m, kPartSize - 1, 2) == whole.substr(kPartSize - 1, 2));
  REQUIRE(s->remove("b", "mp").isOk());
  CHECK(filesIn(dir.path / "buckets/b/data") == 0);
}

TEST_CASE("completing onto a key: forbid-overwrite keeps the upload, an overwrite releases the old data") {
  TempDir dir;
  auto s = open(dir, true);
  put(*s, "b", "k", "old");
  auto id = s->initiateUpload("b", "k", ObjectMeta{});
  REQUIRE(id.isOk());
  for (int n = 1; n <= 2; ++n) {
    auto w = s->newWriter();
    std::string data(kPartSize, static_cast<char>('0' + n));
    REQUIRE((*w)->write(data.data(), data.size()).isOk());
    REQUIRE(s->putPart("b", *id, n, **w).isOk());
  }
  CHECK(s->completeUpload("b", "k", *id, {}, true, true).status().message().rfind("FileAlreadyExists", 0) == 0);
  CHECK(filesIn(dir.path / "buckets/b/data") == 1);
  REQUIRE(s->upload("b", *id).isOk());
  auto m = s->completeUpload("b", "k", *id, {}, true, false);
  REQUIRE(m.isOk());
  CHECK(m->size == 2 * kPartSize);
  CHECK(filesIn(dir.path / "buckets/b/data") == 2);
}

TEST_CASE("a copy of a seeded object owns its bytes: deleting it leaves the seeded file") {
  bool onDisk = GENERATE(false, true);
  INFO((onDisk ? "on disk" : "in memory"));
  TempDir dir, seedDir;
  fs::create_directories(seedDir.path);
  std::ofstream(seedDir.path / "f") << "seeded bytes";
  auto s = open(dir, onDisk);
  REQUIRE(s->seed("b", seedDir.path.string()).isOk());
  auto cp = s->copy("b", "f", "b", "g", nullptr, false);
  REQUIRE(cp.isOk());
  CHECK(cp->etag == s->head("b", "f")->etag);
  CHECK_FALSE(cp->external);
  CHECK(read(*s, *cp, 0, 12) == "seeded bytes");
  REQUIRE(s->remove("b", "g").isOk());
  std::ifstream in(seedDir.path / "f");
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept == "seeded bytes");
  CHECK(read(*s, *s->head("b", "f"), 0, 12) == "seeded bytes");
}

TEST_CASE("an index entry from before segments reads as one segment") {
  nlohmann::json j = {{"key", "k"}, {"size", 5}, {"etag", "E"}, {"crc64", "1"}, {"mtime", 2}, {"path", "/d/x"}};
  ObjectMeta m = metaFromJson(j);
  REQUIRE(m.dataSegments().size() == 1);
  CHECK(m.dataSegments()[0].path == "/d/x");
  CHECK(m.dataSegments()[0].size == 5);
  ObjectMeta back = metaFromJson(metaToJson(m));
  REQUIRE(back.dataSegments().size() == 1);
  CHECK(back.dataSegments()[0].path == "/d/x");
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
