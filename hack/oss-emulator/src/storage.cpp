#include "ossvp/ossemu/storage.h"

#include <fcntl.h>
#include <isa-l/crc64.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "ossvp/common/base64.h"
#include "ossvp/ossclient/crc64.h"

namespace fs = std::filesystem;

namespace ossvp::ossemu {
namespace {

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string randomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return hexUpper(raw);
}

std::string sha256Hex(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  std::string out = hexUpper(std::string(reinterpret_cast<char*>(d), sizeof d));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status writeFileAtomic(const std::string& path, const std::string& content, const std::string& tmpDir) {
  std::string tmp = tmpDir + "/" + randomHex(8) + ".json";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return internalError("cannot create " + tmp);
    f << content;
    if (!f.flush()) return internalError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return internalError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::ok();
}

Status bucketNotFound(const std::string& b) { return notFound("NoSuchBucket:" + b); }
Status keyNotFound(const std::string& k) { return notFound("NoSuchKey:" + k); }

// Appends all of `in` to `out` inside the kernel (no copy through user space).
Status appendFile(int in, int out, const std::string& what) {
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) break;
    if (n < 0) return internalError("copy " + what + ": " + std::strerror(errno));
    if (n == 0) return Status::ok();
  }
  for (;;) {  // a file system without copy_file_range
    ssize_t n = ::sendfile(out, in, nullptr, 1 << 30);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internalError("copy " + what + ": " + std::strerror(errno));
    if (n == 0) return Status::ok();
  }
}

// Gives `to` the bytes of the file `from`: a hard link when allowed and the
// file system has them, else a copy inside the kernel.
Status linkOrCopy(const std::string& from, const std::string& to, bool mayLink) {
  if (mayLink && ::link(from.c_str(), to.c_str()) == 0) return Status::ok();
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return internalError("object data missing: " + from + ": " + std::strerror(errno));
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  Status st =
      out < 0 ? internalError("create " + to + ": " + std::strerror(errno)) : appendFile(in, out, from + " to " + to);
  ::close(in);
  if (out >= 0) ::close(out);
  if (!st.isOk() && out >= 0) ::unlink(to.c_str());
  return st;
}

void unlinkSegments(const std::vector<DataSegment>& segments) {
  for (const DataSegment& s : segments) {
    if (!s.path.empty()) ::unlink(s.path.c_str());
  }
}

std::shared_ptr<const std::vector<DataSegment>> shareSegments(std::vector<DataSegment> segments) {
  return std::make_shared<const std::vector<DataSegment>>(std::move(segments));
}

// Disk-backed writer: a temp file renamed into place on commit.
class FileWriter : public ObjectWriter {
 public:
  FileWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~FileWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  Status write(const char* data, size_t n) override {
    account(data, n);
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Status(StatusCode::ResourceExhausted, "write " + path_ + ": " + std::strerror(errno));
      }
      data += w;
      n -= static_cast<size_t>(w);
    }
    return Status::ok();
  }
  Status finishTo(const std::string& dest) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (::rename(path_.c_str(), dest.c_str()) != 0) {
      return internalError("rename " + path_ + " -> " + dest + ": " + std::strerror(errno));
    }
    committed_ = true;
    return Status::ok();
  }

 private:
  std::string path_;
  int fd_;
  bool committed_ = false;
};

class MemoryWriter : public ObjectWriter {
 public:
  Status write(const char* data, size_t n) override {
    account(data, n);
    buf_.append(data, n);
    return Status::ok();
  }
  std::shared_ptr<const std::string> take() { return std::make_shared<const std::string>(std::move(buf_)); }

 private:
  std::string buf_;
};

// Feeds the bytes of a file into a writer.
Status pump(const std::string& path, ObjectWriter& w) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return internalError("open " + path + ": " + std::strerror(errno));
  std::string buf(1 << 20, '\0');
  Status st;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = internalError("read " + path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    st = w.write(buf.data(), static_cast<size_t>(n));
    if (!st.isOk()) break;
  }
  ::close(fd);
  return st;
}

// A written body's ETag: its digest in upper-case hex, with "-0" when the
// digest is not the data's MD5 (EtagDigest::Crc64).
std::string etagOf(const ObjectWriter& w, const std::string& digest) {
  return w.hashesMd5() ? hexUpper(digest) : hexUpper(digest) + "-0";
}

// What a whole body says about the object it becomes: size, CRC64, ETag and
// (when the digest is its MD5) Content-MD5. Finishes the writer's digest.
void describeBody(ObjectWriter& w, ObjectMeta* m) {
  std::string digest = w.digestRaw();
  m->size = w.size();
  m->crc64 = w.crc64();
  m->etag = etagOf(w, digest);
  m->contentMd5 = w.hashesMd5() ? base64Encode(digest) : "";
}

}  // namespace

// --------------------------------------------------------------- ObjectWriter

ObjectWriter::~ObjectWriter() {
  if (md5_ != nullptr) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
}

void ObjectWriter::account(const char* data, size_t n) {
  crc_ = crc64_ecma_refl(crc_, reinterpret_cast<const unsigned char*>(data), n);
  size_ += n;
  if (!md5On_) return;
  if (md5_ == nullptr) {
    md5_ = EVP_MD_CTX_new();
    EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(md5_), EVP_md5(), nullptr);
  }
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md5_), data, n);
}

std::string ObjectWriter::digestRaw() {
  if (!md5Done_.empty()) return md5Done_;
  if (!md5On_) {
    std::string raw(16, '\0');
    for (int i = 0; i < 8; ++i) {
      raw[i] = static_cast<char>(crc_ >> (56 - 8 * i));
      raw[8 + i] = static_cast<char>(size_ >> (56 - 8 * i));
    }
    return raw;
  }
  if (md5_ == nullptr) account("", 0);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(md5_), d, &len);
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
  md5_ = nullptr;
  md5Done_.assign(reinterpret_cast<char*>(d), len);
  return md5Done_;
}

// -------------------------------------------------------------------- Storage

Result<std::unique_ptr<Storage>> Storage::open(const StorageOptions& options) {
  std::unique_ptr<Storage> s(new Storage(options));
  if (!options.inMemory) {
    std::error_code ec;
    for (const char* sub : {"buckets", "uploads", "tmp"}) {
      fs::create_directories(fs::path(options.dataDir) / sub, ec);
      if (ec) {
        return internalError("cannot create data dir " + options.dataDir + "/" + sub + ": " + ec.message() +
                             " (pass a writable --data-dir)");
      }
    }
    OSSVP_RETURN_IF_ERROR(s->load());
  }
  return s;
}

Storage::~Storage() = default;

std::string Storage::bucketDir(const std::string& b) const { return opt_.dataDir + "/buckets/" + b; }
std::string Storage::metaPath(const std::string& b, const std::string& key) const {
  return bucketDir(b) + "/meta/" + sha256Hex(key) + ".json";
}

Status Storage::load() {
  std::error_code ec;
  fs::remove_all(opt_.dataDir + "/tmp", ec);
  fs::create_directories(opt_.dataDir + "/tmp", ec);
  for (const auto& bd : fs::directory_iterator(opt_.dataDir + "/buckets", ec)) {
    std::ifstream bf(bd.path() / "bucket.json");
    if (!bf) continue;
    Bucket b;
    try {
      nlohmann::json j = nlohmann::json::parse(bf);
      b.info.name = j.at("name").get<std::string>();
      b.info.created = j.at("created").get<int64_t>();
      b.info.region = j.value("region", opt_.region);
    } catch (const std::exception& e) {
      return corruption("bad " + (bd.path() / "bucket.json").string() + ": " + e.what());
    }
    std::set<std::string> referenced;
    for (const auto& mf : fs::directory_iterator(bd.path() / "meta", ec)) {
      std::ifstream in(mf.path());
      try {
        ObjectMeta m = metaFromJson(nlohmann::json::parse(in));
        for (const DataSegment& s : m.dataSegments()) referenced.insert(s.path);
        b.objects[m.key] = std::move(m);
      } catch (const std::exception&) {
        fs::remove(mf.path(), ec);  // half-written index entry: not an object
      }
    }
    for (const auto& df : fs::directory_iterator(bd.path() / "data", ec)) {
      if (!referenced.count(df.path().string())) fs::remove(df.path(), ec);  // crashed PUT leftovers
    }
    buckets_[b.info.name] = std::move(b);
  }
  for (const auto& ud : fs::directory_iterator(opt_.dataDir + "/uploads", ec)) {
    std::ifstream in(ud.path() / "upload.json");
    if (!in) continue;
    try {
      nlohmann::json j = nlohmann::json::parse(in);
      UploadInfo u;
      u.uploadId = j.at("upload_id").get<std::string>();
      u.bucket = j.at("bucket").get<std::string>();
      u.key = j.at("key").get<std::string>();
      u.initiated = j.at("initiated").get<int64_t>();
      u.templ = metaFromJson(j.at("templ"));
      for (const auto& pf : fs::directory_iterator(ud.path(), ec)) {
        std::string name = pf.path().filename().string();
        if (name.rfind("part-", 0) != 0 || pf.path().extension() != ".json") continue;
        nlohmann::json pj = nlohmann::json::parse(std::ifstream(pf.path()));
        PartInfo p;
        p.number = pj.at("number").get<int>();
        p.size = pj.at("size").get<uint64_t>();
        p.etag = pj.at("etag").get<std::string>();
        p.crc64 = std::stoull(pj.at("crc64").get<std::string>());
        p.mtime = pj.at("mtime").get<int64_t>();
        p.md5Raw = base64Decode(pj.at("md5").get<std::string>()).value_or(std::string());
        p.path = pj.at("path").get<std::string>();
        u.parts[p.number] = p;
      }
      uploads_[u.uploadId] = std::move(u);
    } catch (const std::exception&) {
      continue;
    }
  }
  return Status::ok();
}

Status Storage::createBucket(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.count(name)) return Status(StatusCode::AlreadyExists, "BucketAlreadyExists:" + name);
  Bucket b;
  b.info = BucketInfo{name, nowSeconds(), opt_.region};
  if (!opt_.inMemory) {
    std::error_code ec;
    fs::create_directories(bucketDir(name) + "/meta", ec);
    fs::create_directories(bucketDir(name) + "/data", ec);
    if (ec) return internalError("cannot create bucket dir " + bucketDir(name) + ": " + ec.message());
    nlohmann::json j = {{"name", name}, {"created", b.info.created}, {"region", b.info.region}};
    OSSVP_RETURN_IF_ERROR(writeFileAtomic(bucketDir(name) + "/bucket.json", j.dump(), opt_.dataDir + "/tmp"));
  }
  buckets_[name] = std::move(b);
  return Status::ok();
}

Status Storage::deleteBucket(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return bucketNotFound(name);
  if (!it->second.objects.empty()) return Status(StatusCode::PreconditionFailed, "BucketNotEmpty:" + name);
  for (const auto& [id, u] : uploads_) {
    if (u.bucket == name) return Status(StatusCode::PreconditionFailed, "BucketNotEmpty:" + name);
  }
  if (!opt_.inMemory) {
    std::error_code ec;
    fs::remove_all(bucketDir(name), ec);
  }
  buckets_.erase(it);
  return Status::ok();
}

Result<BucketInfo> Storage::bucket(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return bucketNotFound(name);
  return it->second.info;
}

std::vector<BucketInfo> Storage::listBuckets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BucketInfo> out;
  for (const auto& [n, b] : buckets_) out.push_back(b.info);
  return out;
}

Status Storage::seed(const std::string& bucketName, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return invalidArgument("--seed " + bucketName + "=" + dir + ": not a directory");
  if (!bucket(bucketName).isOk()) OSSVP_RETURN_IF_ERROR(createBucket(bucketName));
  fs::path root = fs::canonical(dir, ec);
  std::vector<ObjectMeta> metas;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return internalError("--seed: cannot walk " + dir + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    // Index the file in place: hash it once (MD5 for the ETag, CRC64) without copying.
    class HashOnly : public ObjectWriter {
     public:
      Status write(const char* d, size_t n) override {
        account(d, n);
        return Status::ok();
      }
    } hasher;
    OSSVP_RETURN_IF_ERROR(pump(it->path().string(), hasher));
    ObjectMeta m;
    m.key = fs::relative(it->path(), root, ec).generic_string();
    describeBody(hasher, &m);
    m.mtime = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::file_clock::to_sys(fs::last_write_time(it->path(), ec)).time_since_epoch())
                  .count();
    m.segments = shareSegments({DataSegment{it->path().string(), nullptr, m.size}});
    m.external = true;
    metas.push_back(std::move(m));
  }
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_[bucketName];
  for (auto& m : metas) b.objects[m.key] = std::move(m);
  return Status::ok();
}

Result<ObjectMeta> Storage::head(const std::string& bucketName, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(bucketName);
  if (it == buckets_.end()) return bucketNotFound(bucketName);
  auto o = it->second.objects.find(key);
  if (o == it->second.objects.end()) return keyNotFound(key);
  return o->second;
}

Result<std::unique_ptr<ObjectWriter>> Storage::newWriter(bool withMd5) {
  std::unique_ptr<ObjectWriter> w;
  if (opt_.inMemory) {
    w.reset(new MemoryWriter());
  } else {
    std::string path = opt_.dataDir + "/tmp/" + randomHex(12);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return internalError("cannot create temp file " + path + ": " + std::strerror(errno));
    w.reset(new FileWriter(path, fd));
  }
  w->md5On_ = withMd5 || opt_.etagDigest == EtagDigest::Md5;
  return w;
}

Status Storage::persistMeta(const std::string& bucketName, const ObjectMeta& meta) {
  if (opt_.inMemory || meta.external) return Status::ok();
  return writeFileAtomic(metaPath(bucketName, meta.key), metaToJson(meta).dump(), opt_.dataDir + "/tmp");
}

void Storage::releaseData(const ObjectMeta& old) {
  if (!old.external) unlinkSegments(old.dataSegments());
}

std::string Storage::newDataPath(const std::string& b) const { return bucketDir(b) + "/data/" + randomHex(12); }

Result<std::vector<DataSegment>> Storage::ownSegments(const std::string& b, const std::vector<DataSegment>& from,
                                                      bool mayLink) const {
  std::vector<DataSegment> own;
  for (const DataSegment& s : from) {
    Status st;
    if (s.data) {
      own.push_back(s);  // immutable: shared
    } else if (opt_.inMemory) {
      MemoryWriter bytes;
      st = pump(s.path, bytes);
      own.push_back(DataSegment{"", bytes.take(), s.size});
    } else {
      own.push_back(DataSegment{newDataPath(b), nullptr, s.size});
      st = linkOrCopy(s.path, own.back().path, mayLink);
    }
    if (!st.isOk()) {
      own.pop_back();
      unlinkSegments(own);
      return st;
    }
  }
  return own;
}

Result<ObjectMeta> Storage::publishLocked(const std::string& bucketName, const std::string& key, ObjectMeta m,
                                          bool forbidOverwrite) {
  m.key = key;
  m.mtime = nowSeconds();
  m.external = false;
  auto it = buckets_.find(bucketName);
  Status st;
  if (it == buckets_.end()) {
    st = bucketNotFound(bucketName);
  } else if (forbidOverwrite && it->second.objects.count(key)) {
    st = Status(StatusCode::AlreadyExists, "FileAlreadyExists:" + key);
  } else {
    st = persistMeta(bucketName, m);
  }
  if (!st.isOk()) {
    releaseData(m);
    return st;
  }
  auto old = it->second.objects.find(key);
  if (old != it->second.objects.end()) releaseData(old->second);  // open readers keep their fds
  it->second.objects[key] = m;
  return m;
}

Result<ObjectMeta> Storage::commit(const std::string& bucketName, const std::string& key, ObjectWriter& writer,
                                   ObjectMeta templ, bool forbidOverwrite) {
  describeBody(writer, &templ);
  templ.type = "Normal";
  DataSegment data{"", nullptr, writer.size()};
  if (opt_.inMemory) {
    data.data = static_cast<MemoryWriter&>(writer).take();
  } else {
    OSSVP_RETURN_IF_ERROR(bucket(bucketName).status());
    data.path = newDataPath(bucketName);
    OSSVP_RETURN_IF_ERROR(static_cast<FileWriter&>(writer).finishTo(data.path));
  }
  templ.segments = shareSegments({std::move(data)});
  std::lock_guard<std::mutex> lock(mu_);
  return publishLocked(bucketName, key, std::move(templ), forbidOverwrite);
}

Status Storage::remove(const std::string& bucketName, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(bucketName);
  if (it == buckets_.end()) return bucketNotFound(bucketName);
  auto o = it->second.objects.find(key);
  if (o == it->second.objects.end()) return Status::ok();  // OSS: deleting a missing key is a success
  if (!opt_.inMemory) ::unlink(metaPath(bucketName, key).c_str());
  releaseData(o->second);
  it->second.objects.erase(o);
  return Status::ok();
}

Result<ObjectMeta> Storage::copy(const std::string& srcBucket, const std::string& srcKey, const std::string& dstBucket,
                                 const std::string& dstKey, const ObjectMeta* replaceMeta, bool forbidOverwrite) {
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, head(srcBucket, srcKey));
  OSSVP_RETURN_IF_ERROR(bucket(dstBucket).status());
  if (replaceMeta) {
    m.contentType = replaceMeta->contentType;
    m.userMeta = replaceMeta->userMeta;
    m.extraHeaders = replaceMeta->extraHeaders;
  }
  // Same bytes, so the same ETag and CRC64. A seeded file is not the
  // emulator's to share (and may be on another file system): copied once.
  OSSVP_ASSIGN_OR_RETURN(std::vector<DataSegment> own, ownSegments(dstBucket, m.dataSegments(), !m.external));
  m.segments = shareSegments(std::move(own));
  std::lock_guard<std::mutex> lock(mu_);
  return publishLocked(dstBucket, dstKey, std::move(m), forbidOverwrite);
}

Result<ListResult> Storage::list(const std::string& bucketName, const ListParams& p) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto bit = buckets_.find(bucketName);
  if (bit == buckets_.end()) return bucketNotFound(bucketName);
  const auto& objects = bit->second.objects;
  ListResult r;
  std::string start = p.prefix;
  auto it = objects.lower_bound(start);
  if (!p.startAfter.empty() && p.startAfter >= start) {
    it = objects.upper_bound(p.startAfter);
    // A marker that is a common prefix skips everything under it.
    if (!p.delimiter.empty() && p.startAfter.size() >= p.delimiter.size() &&
        p.startAfter.compare(p.startAfter.size() - p.delimiter.size(), p.delimiter.size(), p.delimiter) == 0) {
      while (it != objects.end() && it->first.compare(0, p.startAfter.size(), p.startAfter) == 0) ++it;
    }
  }
  int count = 0;
  while (it != objects.end()) {
    const std::string& key = it->first;
    if (key.compare(0, p.prefix.size(), p.prefix) != 0) break;
    if (count >= p.maxKeys) {
      r.truncated = true;
      break;
    }
    if (!p.delimiter.empty()) {
      size_t d = key.find(p.delimiter, p.prefix.size());
      if (d != std::string::npos) {
        std::string cp = key.substr(0, d + p.delimiter.size());
        r.commonPrefixes.push_back(cp);
        r.nextMarker = cp;
        ++count;
        while (it != objects.end() && it->first.compare(0, cp.size(), cp) == 0) ++it;
        continue;
      }
    }
    r.contents.push_back(it->second);
    r.nextMarker = key;
    ++count;
    ++it;
  }
  if (!r.truncated) r.nextMarker.clear();
  return r;
}

Status Storage::openBody(const ObjectMeta& meta, HttpResponse* resp, uint64_t offset, uint64_t length) const {
  resp->slices.clear();
  uint64_t end = offset + length;
  uint64_t segStart = 0;
  for (const DataSegment& seg : meta.dataSegments()) {
    if (segStart >= end) break;
    uint64_t segEnd = segStart + seg.size;
    if (segEnd > offset) {
      BodySlice slice;
      slice.offset = std::max(offset, segStart) - segStart;
      slice.length = std::min(end, segEnd) - segStart - slice.offset;
      if (seg.data) {
        slice.blob = seg.data;
      } else {
        int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return internalError("object data missing: " + seg.path + ": " + std::strerror(errno));
        slice.file = std::make_shared<const OpenFile>(fd);
      }
      resp->slices.push_back(std::move(slice));
    }
    segStart = segEnd;
  }
  return Status::ok();
}

// ------------------------------------------------------------------ multipart

Result<std::string> Storage::initiateUpload(const std::string& bucketName, const std::string& key, ObjectMeta templ) {
  OSSVP_ASSIGN_OR_RETURN(BucketInfo b, bucket(bucketName));
  (void)b;
  UploadInfo u;
  u.uploadId = randomHex(16);
  u.bucket = bucketName;
  u.key = key;
  u.initiated = nowSeconds();
  templ.key = key;
  u.templ = templ;
  if (!opt_.inMemory) {
    std::string dir = opt_.dataDir + "/uploads/" + u.uploadId;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return internalError("cannot create " + dir + ": " + ec.message());
    nlohmann::json j = {{"upload_id", u.uploadId},
                        {"bucket", bucketName},
                        {"key", key},
                        {"initiated", u.initiated},
                        {"templ", metaToJson(templ)}};
    OSSVP_RETURN_IF_ERROR(writeFileAtomic(dir + "/upload.json", j.dump(), opt_.dataDir + "/tmp"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  uploads_[u.uploadId] = u;
  return u.uploadId;
}

Result<PartInfo> Storage::putPart(const std::string& bucketName, const std::string& uploadId, int partNumber,
                                  ObjectWriter& writer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = uploads_.find(uploadId);
    if (it == uploads_.end() || it->second.bucket != bucketName) return notFound("NoSuchUpload:" + uploadId);
  }
  PartInfo p;
  p.number = partNumber;
  p.size = writer.size();
  p.crc64 = writer.crc64();
  p.md5Raw = writer.digestRaw();
  p.etag = etagOf(writer, p.md5Raw);
  p.mtime = nowSeconds();
  if (opt_.inMemory) {
    p.data = static_cast<MemoryWriter&>(writer).take();
  } else {
    std::string dir = opt_.dataDir + "/uploads/" + uploadId;
    p.path = dir + "/part-" + std::to_string(partNumber) + ".data";
    OSSVP_RETURN_IF_ERROR(static_cast<FileWriter&>(writer).finishTo(p.path));
    nlohmann::json j = {{"number", p.number}, {"size", p.size},
                        {"etag", p.etag},     {"crc64", std::to_string(p.crc64)},
                        {"mtime", p.mtime},   {"md5", base64Encode(p.md5Raw)},
                        {"path", p.path}};
    OSSVP_RETURN_IF_ERROR(
        writeFileAtomic(dir + "/part-" + std::to_string(partNumber) + ".json", j.dump(), opt_.dataDir + "/tmp"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(uploadId);
  if (it == uploads_.end()) return notFound("NoSuchUpload:" + uploadId);
  it->second.parts[partNumber] = p;
  return p;
}

Result<UploadInfo> Storage::upload(const std::string& bucketName, const std::string& uploadId) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(uploadId);
  if (it == uploads_.end() || it->second.bucket != bucketName) return notFound("NoSuchUpload:" + uploadId);
  return it->second;
}

std::vector<UploadInfo> Storage::listUploads(const std::string& bucketName) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<UploadInfo> out;
  for (const auto& [id, u] : uploads_) {
    if (u.bucket == bucketName) out.push_back(u);
  }
  std::sort(out.begin(), out.end(), [](const UploadInfo& a, const UploadInfo& b) {
    return a.key != b.key ? a.key < b.key : a.uploadId < b.uploadId;
  });
  return out;
}

Status Storage::abortUpload(const std::string& bucketName, const std::string& key, const std::string& uploadId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uploads_.find(uploadId);
  if (it == uploads_.end() || it->second.bucket != bucketName || it->second.key != key) {
    return notFound("NoSuchUpload:" + uploadId);
  }
  if (!opt_.inMemory) {
    std::error_code ec;
    fs::remove_all(opt_.dataDir + "/uploads/" + uploadId, ec);
  }
  uploads_.erase(it);
  return Status::ok();
}

Result<ObjectMeta> Storage::completeUpload(const std::string& bucketName, const std::string& key,
                                           const std::string& uploadId,
                                           const std::vector<std::pair<int, std::string>>& parts, bool completeAll,
                                           bool forbidOverwrite) {
  OSSVP_ASSIGN_OR_RETURN(UploadInfo u, upload(bucketName, uploadId));
  if (u.key != key) return notFound("NoSuchUpload:" + uploadId);
  std::vector<PartInfo> chosen;
  if (completeAll) {
    for (const auto& [n, p] : u.parts) chosen.push_back(p);
  } else {
    int last = 0;
    for (const auto& [n, etag] : parts) {
      if (n <= last) return invalidArgument("InvalidPartOrder:part numbers must be ascending");
      last = n;
      auto it = u.parts.find(n);
      std::string want = etag;
      if (want.size() >= 2 && want.front() == '"') want = want.substr(1, want.size() - 2);
      if (it == u.parts.end() || toLower(it->second.etag) != toLower(want)) {
        return invalidArgument("InvalidPart:part " + std::to_string(n) + " not found or ETag mismatch");
      }
      chosen.push_back(it->second);
    }
  }
  if (chosen.empty()) return invalidArgument("InvalidPart:no parts to complete");
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i].size < 100 * 1024) {
      return invalidArgument("EntityTooSmall:part " + std::to_string(chosen[i].number) + " is smaller than 100 KB");
    }
  }
  // The chosen parts become the object's segments and no byte is read or
  // copied: the ETag is the MD5 of the parts' MD5s, the CRC64 combines theirs.
  ObjectMeta templ = u.templ;
  templ.size = 0;
  templ.crc64 = 0;
  std::string md5s;
  std::vector<DataSegment> segments;
  for (const auto& p : chosen) {
    md5s += p.md5Raw;
    templ.crc64 = ossclient::crc64Combine(templ.crc64, p.crc64, p.size);
    templ.size += p.size;
    segments.push_back(DataSegment{p.path, p.data, p.size});
  }
  // On disk each part file is hard-linked into the bucket's data dir, so the
  // upload stays whole until the object is published; then its dir goes.
  OSSVP_ASSIGN_OR_RETURN(segments, ownSegments(bucketName, segments, true));
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(md5s.data(), md5s.size(), d, &len, EVP_md5(), nullptr);
  templ.etag = hexUpper(std::string(reinterpret_cast<char*>(d), len)) + "-" + std::to_string(chosen.size());
  templ.contentMd5.clear();
  templ.type = "Multipart";
  templ.segments = shareSegments(std::move(segments));
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, publishLocked(bucketName, key, std::move(templ), forbidOverwrite));
  if (!opt_.inMemory) {
    std::error_code ec;
    fs::remove_all(opt_.dataDir + "/uploads/" + uploadId, ec);
  }
  uploads_.erase(uploadId);
  return m;
}

}  // namespace ossvp::ossemu
