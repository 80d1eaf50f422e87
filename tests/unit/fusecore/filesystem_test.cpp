// Filesystem (the FUSE-free core) against FakeObjectClient.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <future>
#include <thread>

#include "ossvp/fusecore/filesystem.h"
#include "ossvp/ossclient/testing/fake_object_client.h"

using namespace ossvp;
using namespace ossvp::fusecore;
using ossclient::testing::FakeObjectClient;
using ossclient::testing::FakeOp;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

// Reads an open file from 0 to EOF in 256 KiB reads.
std::string readToEnd(Filesystem& fs, uint64_t fh) {
  std::string out;
  std::vector<char> buf(256 * 1024);
  for (uint64_t off = 0;;) {
    size_t got = 0;
    REQUIRE(fs.read(fh, off, buf.size(), buf.data(), &got) == 0);
    if (got == 0) break;
    out.append(buf.data(), got);
    off += got;
  }
  return out;
}

struct Fx {
  explicit Fx(bool rw = false, bool c2o = true, std::string prefix = "",
              ossclient::testing::FakeOptions fakeOptions = {})
      : fake(std::make_shared<FakeObjectClient>(fakeOptions)) {
    fake->createBucket("b");
    FsOptions o;
    o.bucket = "b";
    o.prefix = prefix;
    o.readWrite = rw;
    o.closeToOpen = c2o;
    o.engine.memoryBudget = 64 * MiB;
    o.engine.partSize = MiB;
    o.writer.partSize = MiB;  // small parts so tests exercise multipart
    o.writer.maxInflightParts = 2;
    opts = o;
  }
  Filesystem& fs() {
    if (!fs_) fs_ = std::make_unique<Filesystem>(fake, opts);
    return *fs_;
  }
  uint64_t ino(const std::string& path) {
    uint64_t cur = kRootIno;
    size_t start = 0;
    while (start < path.size()) {
      size_t slash = path.find('/', start);
      std::string name = path.substr(start, slash - start);
      Attr a;
      int err = fs().lookup(cur, name, &a);
      if (err) return 0;
      cur = a.ino;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return cur;
  }
  std::string cat(const std::string& path) {
    uint64_t i = ino(path);
    REQUIRE(i != 0);
    uint64_t fh;
    bool keep;
    REQUIRE(fs().open(i, O_RDONLY, &fh, &keep) == 0);
    std::string out = readToEnd(fs(), fh);
    CHECK(fs().release(fh) == 0);
    return out;
  }
  std::shared_ptr<FakeObjectClient> fake;
  FsOptions opts;
  std::unique_ptr<Filesystem> fs_;
};

}  // namespace

TEST_CASE("lookup, getattr and readdir come from listings, no HEAD", "[fusecore][fs]") {
  Fx f;
  f.fake->putObject("b", "dir/a.txt", "aaa");
  f.fake->putObject("b", "dir/sub/b.txt", "bbbb");
  f.fake->putObject("b", "empty", "");
  uint64_t dir = f.ino("dir");
  REQUIRE(dir != 0);
  DirListingPtr l;
  REQUIRE(f.fs().listDir(dir, &l) == 0);
  REQUIRE(l->entries.size() == 2);
  Attr a;
  REQUIRE(f.fs().lookup(dir, "a.txt", &a) == 0);
  CHECK(a.size == 3);
  CHECK(!a.isDir);
  REQUIRE(f.fs().getattr(a.ino, &a) == 0);
  CHECK(f.fs().lookup(dir, "missing", &a) == ENOENT);
  CHECK(f.fs().lookup(dir, "a.txt/x", &a) == ENOENT);
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
  CHECK(f.cat("empty").empty());
  CHECK(f.cat("dir/sub/b.txt") == "bbbb");
}

TEST_CASE("a small object's load does not outlive the filesystem its buffer is budgeted in", "[fusecore][fs]") {
  // The client drops a GET's callback only after it returns; the filesystem
  // (and its memory budget) may be gone by then. Under ASan the old code
  // freed the buffer's reservation into the destroyed budget here.
  ossclient::testing::FakeOptions slowDrop;
  slowDrop.callbackLinger = std::chrono::milliseconds(200);
  auto f = std::make_unique<Fx>(false, true, "", slowDrop);
  f->fake->putObject("b", "small", "tiny object");
  CHECK(f->cat("small") == "tiny object");
  f->fs_.reset();   // while the worker still holds the GET's callback
  f->fake.reset();  // joins the worker: the callback goes now
}

TEST_CASE("a prefix mount sees only its subtree", "[fusecore][fs]") {
  Fx f(false, true, "/data/");
  f.fake->putObject("b", "data/x", "in");
  f.fake->putObject("b", "other/y", "out");
  CHECK(f.cat("x") == "in");
  CHECK(f.ino("other") == 0);
}

TEST_CASE("close-to-open: reopen sees a changed object", "[fusecore][fs]") {
  Fx f;
  f.fake->putObject("b", "f", "version-1");
  CHECK(f.cat("f") == "version-1");
  f.fake->putObject("b", "f", "version-two");
  CHECK(f.cat("f") == "version-two");
}

TEST_CASE("without close-to-open, opens do no HEAD", "[fusecore][fs]") {
  Fx f(false, false);
  f.fake->putObject("b", "f", "data");
  CHECK(f.cat("f") == "data");
  CHECK(f.cat("f") == "data");
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
}

TEST_CASE("read-only mount refuses writes with EROFS", "[fusecore][fs]") {
  Fx f;
  f.fake->putObject("b", "f", "data");
  Attr a;
  uint64_t fh;
  bool keep;
  CHECK(f.fs().create(kRootIno, "new", O_WRONLY | O_CREAT, &a, &fh) == EROFS);
  CHECK(f.fs().open(f.ino("f"), O_WRONLY, &fh, &keep) == EROFS);
  CHECK(f.fs().unlink(kRootIno, "f") == EROFS);
  CHECK(f.fs().mkdir(kRootIno, "d", &a) == EROFS);
}

TEST_CASE("rw: sequential write of a new file uploads multipart on flush", "[fusecore][fs]") {
  Fx f(true);
  REQUIRE(f.fs().probe().isOk());
  Attr a;
  uint64_t fh;
  REQUIRE(f.fs().create(kRootIno, "out.bin", O_WRONLY | O_CREAT, &a, &fh) == 0);
  std::string data(3 * MiB + 5, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (size_t off = 0; off < data.size(); off += 256 * 1024) {
    size_t n = std::min<size_t>(256 * 1024, data.size() - off);
    REQUIRE(f.fs().write(fh, off, data.data() + off, n) == 0);
  }
  CHECK(f.fake->requestCount(FakeOp::UploadPart) >= 3);  // uploaded while writing
  REQUIRE(f.fs().flush(fh) == 0);
  REQUIRE(f.fs().release(fh) == 0);
  CHECK(f.fake->objectData("b", "out.bin") == data);
  CHECK(f.fake->pendingMultipartUploads() == 0);
  Attr got;
  REQUIRE(f.fs().lookup(kRootIno, "out.bin", &got) == 0);
  CHECK(got.size == data.size());
  CHECK(f.cat("out.bin") == data);
}

TEST_CASE("rw: small files use a single PutObject, empty files work", "[fusecore][fs]") {
  Fx f(true);
  Attr a;
  uint64_t fh;
  REQUIRE(f.fs().create(kRootIno, "small", O_WRONLY | O_CREAT, &a, &fh) == 0);
  REQUIRE(f.fs().write(fh, 0, "hello", 5) == 0);
  REQUIRE(f.fs().release(fh) == 0);
  CHECK(f.fake->objectData("b", "small") == "hello");
  CHECK(f.fake->requestCount(FakeOp::InitiateMultipart) == 0);
  REQUIRE(f.fs().create(kRootIno, "zero", O_WRONLY | O_CREAT, &a, &fh) == 0);
  REQUIRE(f.fs().release(fh) == 0);
  CHECK(f.fake->objectData("b", "zero") == "");
}

TEST_CASE("rw: unsupported operations give clear errnos", "[fusecore][fs]") {
  Fx f(true);
  f.fake->putObject("b", "exists", "old");
  f.fake->putObject("b", "d/x", "1");
  Attr a;
  uint64_t fh;
  bool keep;
  CHECK(f.fs().open(f.ino("exists"), O_WRONLY, &fh, &keep) == EPERM);
  CHECK(f.fs().create(kRootIno, "exists", O_WRONLY | O_CREAT, &a, &fh) == EPERM);
  CHECK(f.fs().create(kRootIno, "exists", O_WRONLY | O_CREAT | O_EXCL, &a, &fh) == EEXIST);
  CHECK(f.fs().rename(kRootIno, "d") == EXDEV);
  CHECK(f.fs().rmdir(kRootIno, "d") == ENOTEMPTY);
  REQUIRE(f.fs().create(kRootIno, "seq", O_WRONLY | O_CREAT, &a, &fh) == 0);
  REQUIRE(f.fs().write(fh, 0, "abc", 3) == 0);
  CHECK(f.fs().write(fh, 10, "zzz", 3) == EINVAL);  // random write
  CHECK(f.fs().write(fh, 0, "zzz", 3) == EINVAL);   // overwrite
  REQUIRE(f.fs().release(fh) == 0);
  CHECK(f.fake->objectData("b", "seq") == "abc");
  CHECK(f.fake->objectData("b", "exists") == "old");
}

TEST_CASE("rw: unlink, mkdir and rmdir", "[fusecore][fs]") {
  Fx f(true);
  f.fake->putObject("b", "gone", "x");
  REQUIRE(f.ino("gone") != 0);
  CHECK(f.fs().unlink(kRootIno, "gone") == 0);
  CHECK(!f.fake->objectData("b", "gone"));
  Attr a;
  CHECK(f.fs().lookup(kRootIno, "gone", &a) == ENOENT);
  REQUIRE(f.fs().mkdir(kRootIno, "nd", &a) == 0);
  CHECK(a.isDir);
  CHECK(f.fake->objectData("b", "nd/") == "");
  CHECK(f.fs().rmdir(kRootIno, "nd") == 0);
  CHECK(!f.fake->objectData("b", "nd/"));
}

TEST_CASE("a failed upload reports EIO and leaves no object", "[fusecore][fs][faults]") {
  Fx f(true);
  Attr a;
  uint64_t fh;
  REQUIRE(f.fs().create(kRootIno, "bad", O_WRONLY | O_CREAT, &a, &fh) == 0);
  f.fake->failNext(FakeOp::UploadPart, unavailable("injected"), 100);
  std::string chunk(MiB, 'q');
  int err = 0;
  for (int i = 0; i < 3 && err == 0; ++i) err = f.fs().write(fh, i * MiB, chunk.data(), chunk.size());
  int ferr = f.fs().flush(fh);
  CHECK((err != 0 || ferr != 0));
  (void)f.fs().release(fh);
  CHECK(!f.fake->objectData("b", "bad"));
  CHECK(f.fake->pendingMultipartUploads() == 0);
}

namespace {

// A small file opened and read through readAsync, as the FUSE adapter does.
struct AsyncRead {
  int err = -1;
  std::string bytes;
  std::thread::id thread;
};

AsyncRead readOnce(Filesystem& fs, uint64_t fh, uint64_t offset, size_t len) {
  std::promise<AsyncRead> p;
  auto f = p.get_future();
  fs.readAsync(fh, offset, len, [&p](int err, PinnedBytes b) {
    AsyncRead r{err, {}, std::this_thread::get_id()};
    for (const iovec& piece : b.pieces) r.bytes.append(static_cast<char*>(piece.iov_base), piece.iov_len);
    p.set_value(std::move(r));
  });
  return f.get();
}

}  // namespace

TEST_CASE("close-to-open: a small file's first open does no HEAD, its GET validates", "[fusecore][fs][c2o]") {
  Fx f;
  f.fake->putObject("b", "dir/f", "version-1");
  std::vector<uint64_t> changed;
  f.fs().setAttrsChangedHook([&](uint64_t ino) { changed.push_back(ino); });
  uint64_t ino = f.ino("dir/f");
  f.fake->putObject("b", "dir/f", "version-2");  // same size, new ETag, after the listing
  size_t lists = f.fake->requestCount(FakeOp::List);
  uint64_t fh;
  bool keep = true;
  REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
  CHECK(!keep);  // the kernel must ask: nothing validated yet
  AsyncRead r = readOnce(f.fs(), fh, 0, 4096);
  CHECK(r.err == 0);
  CHECK(r.bytes == "version-2");
  CHECK(r.thread != std::this_thread::get_id());  // answered from the GET's callback
  CHECK(f.fs().release(fh) == 0);
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
  CHECK(f.fake->requestCount(FakeOp::Get) == 1);
  // The mismatch invalidated the kernel's attributes and the parent listing.
  CHECK(changed == std::vector<uint64_t>{ino});
  Attr a;
  REQUIRE(f.fs().lookup(f.ino("dir"), "f", &a) == 0);
  CHECK(f.fake->requestCount(FakeOp::List) == lists + 1);
}

TEST_CASE("close-to-open: an unchanged small file costs one GET and changes nothing", "[fusecore][fs][c2o]") {
  Fx f;
  f.fake->putObject("b", "f", std::string(200 * 1024, 'x'));
  int changed = 0;
  f.fs().setAttrsChangedHook([&](uint64_t) { ++changed; });
  CHECK(f.cat("f") == std::string(200 * 1024, 'x'));
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
  CHECK(f.fake->requestCount(FakeOp::Get) == 1);
  CHECK(changed == 0);
  // Served once: the kernel may hold its pages, so the next open revalidates
  // with a HEAD (and keeps them, the object being unchanged).
  uint64_t fh;
  bool keep = false;
  REQUIRE(f.fs().open(f.ino("f"), O_RDONLY, &fh, &keep) == 0);
  CHECK(keep);
  CHECK(f.fake->requestCount(FakeOp::Head) == 1);
  CHECK(f.fs().release(fh) == 0);
}

TEST_CASE("close-to-open: a small file that grew is read whole in its new version", "[fusecore][fs][c2o]") {
  Fx f;
  f.fake->putObject("b", "f", "abc");
  uint64_t ino = f.ino("f");
  std::string grown(100 * 1024, 'g');  // past the bytes the validating GET holds
  grown[0] = 'A';
  f.fake->putObject("b", "f", grown);
  uint64_t fh;
  bool keep;
  REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
  AsyncRead first = readOnce(f.fs(), fh, 0, 4096);  // the kernel's page of the listed size
  CHECK(first.err == 0);
  CHECK(first.bytes == grown.substr(0, 4096));
  Attr a;
  REQUIRE(f.fs().getattr(ino, &a) == 0);
  CHECK(a.size == grown.size());
  AsyncRead rest = readOnce(f.fs(), fh, 4096, 256 * 1024);  // past those bytes: the engine
  CHECK(rest.err == 0);
  CHECK(rest.bytes == grown.substr(4096));
  CHECK(f.fs().release(fh) == 0);
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
}

TEST_CASE("close-to-open: a small file that shrank or went away fails cleanly, reopen sees it", "[fusecore][fs][c2o]") {
  Fx f;
  f.fake->putObject("b", "f", "a longer version");
  f.fake->putObject("b", "g", "gone soon");
  f.fake->putObject("b", "e", "emptied");
  uint64_t fi = f.ino("f"), gi = f.ino("g"), ei = f.ino("e");
  f.fake->putObject("b", "f", "short");
  f.fake->putObject("b", "e", "");
  REQUIRE(f.fake->deleteObject("b", "g").isOk());
  for (auto [ino, want] : {std::pair{fi, ESTALE}, std::pair{gi, ENOENT}, std::pair{ei, ESTALE}}) {
    uint64_t fh;
    bool keep;
    REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
    AsyncRead r = readOnce(f.fs(), fh, 0, 4096);  // never old bytes padded to the old size
    CHECK(r.err == want);
    CHECK(r.bytes.empty());
    CHECK(f.fs().release(fh) == 0);
  }
  CHECK(f.cat("f") == "short");
  CHECK(f.cat("e").empty());
  CHECK(f.ino("g") == 0);
}

TEST_CASE("without close-to-open, a changed small file fails with ESTALE, never mixed", "[fusecore][fs][c2o]") {
  Fx f(false, false);
  f.fake->putObject("b", "f", "version-1");
  uint64_t ino = f.ino("f");
  f.fake->putObject("b", "f", "version-2");
  uint64_t fh;
  bool keep = false;
  REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
  CHECK(keep);
  CHECK(readOnce(f.fs(), fh, 0, 4096).err == ESTALE);
  CHECK(f.fs().release(fh) == 0);
  CHECK(f.fake->requestCount(FakeOp::Head) == 0);
}

namespace {

std::string patterned(size_t n, char salt) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4096) ^ static_cast<size_t>(salt));
  return s;
}

}  // namespace

TEST_CASE("close-to-open: a large file's first GETs go out before its HEAD, and nothing is fetched twice",
          "[fusecore][fs][c2o]") {
  Fx f;
  const std::string data = patterned(4 * MiB + 123, 'a');
  f.fake->putObject("b", "big", data);
  uint64_t ino = f.ino("big");
  f.fake->clearRequests();
  uint64_t fh;
  bool keep = false;
  REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
  CHECK(keep);  // unchanged: the kernel's pages stay
  auto reqs = f.fake->requests();
  REQUIRE(!reqs.empty());
  CHECK(reqs.front().op == FakeOp::Get);
  CHECK(reqs.front().offset == 0);
  auto head = std::find_if(reqs.begin(), reqs.end(), [](const auto& r) { return r.op == FakeOp::Head; });
  REQUIRE(head != reqs.end());
  CHECK(std::count_if(reqs.begin(), head, [](const auto& r) { return r.op == FakeOp::Get; }) >= 1);

  std::string got = readToEnd(f.fs(), fh);
  CHECK(f.fs().release(fh) == 0);
  CHECK(got == data);
  uint64_t fetched = 0;
  for (const auto& r : f.fake->requests()) {
    if (r.op == FakeOp::Get) fetched += r.length.value_or(data.size() - r.offset);
  }
  CHECK(fetched == data.size());  // the early GETs were the reader's, not extra
  CHECK(f.fake->requestCount(FakeOp::Head) == 1);
}

TEST_CASE("close-to-open: a large file replaced after its listing is read whole in the new version",
          "[fusecore][fs][c2o]") {
  Fx f;
  f.fake->putObject("b", "big", patterned(3 * MiB, 'a'));
  uint64_t ino = f.ino("big");
  const std::string v2 = patterned(3 * MiB, 'b');  // same size, new ETag
  f.fake->putObject("b", "big", v2);
  uint64_t fh;
  bool keep = true;
  REQUIRE(f.fs().open(ino, O_RDONLY, &fh, &keep) == 0);
  CHECK(!keep);  // the kernel drops pages of the old version
  std::string got = readToEnd(f.fs(), fh);
  CHECK(f.fs().release(fh) == 0);
  CHECK(got == v2);
}

TEST_CASE("close-to-open: reopening a large file the kernel may cache starts no GET with its HEAD",
          "[fusecore][fs][c2o]") {
  Fx f;
  const std::string data = patterned(3 * MiB, 'c');
  f.fake->putObject("b", "big", data);
  CHECK(f.cat("big") == data);  // served: the kernel may now hold its pages
  f.fake->clearRequests();
  uint64_t fh;
  bool keep = false;
  REQUIRE(f.fs().open(f.ino("big"), O_RDONLY, &fh, &keep) == 0);
  CHECK(keep);  // unchanged: the kernel reads its own pages, so nothing was fetched for it
  CHECK(f.fake->requestCount(FakeOp::Head) == 1);
  CHECK(f.fake->requestCount(FakeOp::Get) == 0);
  CHECK(f.fs().release(fh) == 0);
}
