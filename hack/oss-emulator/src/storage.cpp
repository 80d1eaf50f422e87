#include "ossvp/ossemu/storage.h"

#include <fcntl.h>
#include <isa-l/crc64.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <chrono>
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

// The writers Storage makes. Besides hashed bytes, they take stored parts
// whole: a multipart object's ETag is not its MD5, and its CRC64 combines
// the parts', so completing an upload reads no byte back.
class StoredWriter : public ObjectWriter {
 public:
  Status appendPart(const PartInfo& p) {
    OSSVP_RETURN_IF_ERROR(appendBytes(p));
    crc_ = ossclient::crc64Combine(crc_, p.crc64, p.size);
    size_ += p.size;
    return Status::ok();
  }

 protected:
  virtual Status appendBytes(const PartInfo& p) = 0;
};

// Disk-backed writer: a temp file renamed into place on commit.
class FileWriter : public StoredWriter {
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

 protected:
  Status appendBytes(const PartInfo& p) override {
    int in = ::open(p.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return internalError("open " + p.path + ": " + std::strerror(errno));
    Status st = appendFile(in, fd_, p.path + " to " + path_);
    ::close(in);
    return st;
  }

 private:
  std::string path_;
  int fd_;
  bool committed_ = false;
};

class MemoryWriter : public StoredWriter {
 public:
  Status write(const char* data, size_t n) override {
    account(data, n);
    buf_.append(data, n);
    return Status::ok();
  }
  std::shared_ptr<const std::string> take() { return std::make_shared<const std::string>(std::move(buf_)); }

 protected:
  Status appendBytes(const PartInfo& p) override {
    buf_.append(*p.data);
    return Status::ok();
  }

 private:
  std::string buf_;
};

// Copies the bytes of a stored object or part into a writer.
Status pump(const std::string& path, const std::shared_ptr<const std::string>& data, ObjectWriter& w) {
  if (data) return w.write(data->data(), data->size());
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

}  // namespace

// --------------------------------------------------------------- ObjectWriter

ObjectWriter::~ObjectWriter() {
  if (md5_ != nullptr) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(md5_));
}

void ObjectWriter::account(const char* data, size_t n) {
  if (md5_ == nullptr) {
    md5_ = EVP_MD_CTX_new();
    EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(md5_), EVP_md5(), nullptr);
  }
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(md5_), data, n);
  crc_ = crc64_ecma_refl(crc_, reinterpret_cast<const unsigned char*>(data), n);
  size_ += n;
}

std::string ObjectWriter::md5Raw() {
  if (!md5Done_.empty()) return md5Done_;
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
        referenced.insert(m.path);
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
    OSSVP_RETURN_IF_ERROR(pump(it->path().string(), nullptr, hasher));
    ObjectMeta m;
    m.key = fs::relative(it->path(), root, ec).generic_string();
    m.size = hasher.size();
    m.crc64 = hasher.crc64();
    std::string md5 = hasher.md5Raw();
    m.etag = hexUpper(md5);
    m.contentMd5 = base64Encode(md5);
    m.mtime = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::file_clock::to_sys(fs::last_write_time(it->path(), ec)).time_since_epoch())
                  .count();
    m.path = it->path().string();
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

Result<std::unique_ptr<ObjectWriter>> Storage::newWriter() {
  if (opt_.inMemory) return std::unique_ptr<ObjectWriter>(new MemoryWriter());
  std::string path = opt_.dataDir + "/tmp/" + randomHex(12);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return internalError("cannot create temp file " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ObjectWriter>(new FileWriter(path, fd));
}

Status Storage::persistMeta(const std::string& bucketName, const ObjectMeta& meta) {
  if (opt_.inMemory || meta.external) return Status::ok();
  return writeFileAtomic(metaPath(bucketName, meta.key), metaToJson(meta).dump(), opt_.dataDir + "/tmp");
}

void Storage::releaseData(const ObjectMeta& old) {
  if (!old.external && !old.path.empty()) ::unlink(old.path.c_str());
}

Result<ObjectMeta> Storage::publishLocked(const std::string& bucketName, const std::string& key, ObjectWriter& writer,
                                          ObjectMeta templ, bool forbidOverwrite) {
  auto it = buckets_.find(bucketName);
  if (it == buckets_.end()) return bucketNotFound(bucketName);
  auto old = it->second.objects.find(key);
  if (forbidOverwrite && old != it->second.objects.end()) {
    return Status(StatusCode::AlreadyExists, "FileAlreadyExists:" + key);
  }
  templ.key = key;
  templ.size = writer.size();
  templ.crc64 = writer.crc64();
  templ.mtime = nowSeconds();
  templ.external = false;
  if (opt_.inMemory) {
    templ.data = static_cast<MemoryWriter&>(writer).take();
    templ.path.clear();
  } else {
    templ.path = bucketDir(bucketName) + "/data/" + randomHex(12);
    OSSVP_RETURN_IF_ERROR(static_cast<FileWriter&>(writer).finishTo(templ.path));
    Status st = persistMeta(bucketName, templ);
    if (!st.isOk()) {
      ::unlink(templ.path.c_str());
      return st;
    }
  }
  if (old != it->second.objects.end()) {
    // The old data file is unlinked; open readers keep their fd.
    if (old->second.external && !opt_.inMemory) {
      // the seeded entry had no index file; nothing to remove
    }
    releaseData(old->second);
  }
  it->second.objects[key] = templ;
  return templ;
}

Result<ObjectMeta> Storage::commit(const std::string& bucketName, const std::string& key, ObjectWriter& writer,
                                   ObjectMeta templ, bool forbidOverwrite) {
  std::string md5 = writer.md5Raw();
  templ.etag = hexUpper(md5);
  templ.contentMd5 = base64Encode(md5);
  templ.type = "Normal";
  std::lock_guard<std::mutex> lock(mu_);
  return publishLocked(bucketName, key, writer, std::move(templ), forbidOverwrite);
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
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta src, head(srcBucket, srcKey));
  OSSVP_ASSIGN_OR_RETURN(BucketInfo dst, bucket(dstBucket));
  (void)dst;
  OSSVP_ASSIGN_OR_RETURN(auto writer, newWriter());
  OSSVP_RETURN_IF_ERROR(pump(src.path, src.data, *writer));
  ObjectMeta templ = src;
  if (replaceMeta) {
    templ.contentType = replaceMeta->contentType;
    templ.userMeta = replaceMeta->userMeta;
    templ.extraHeaders = replaceMeta->extraHeaders;
  }
  std::string md5 = writer->md5Raw();
  if (src.type == "Normal") {
    templ.etag = hexUpper(md5);
    templ.contentMd5 = base64Encode(md5);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return publishLocked(dstBucket, dstKey, *writer, std::move(templ), forbidOverwrite);
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
  resp->bodyOffset = offset;
  resp->bodyLength = length;
  if (meta.data) {
    resp->blob = meta.data;
    return Status::ok();
  }
  int fd = ::open(meta.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return internalError("object data missing: " + meta.path + ": " + std::strerror(errno));
  resp->file = std::make_shared<FileSlice>();
  resp->file->fd = fd;
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
  p.md5Raw = writer.md5Raw();
  p.etag = hexUpper(p.md5Raw);
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
  OSSVP_ASSIGN_OR_RETURN(auto writer, newWriter());
  auto& stored = static_cast<StoredWriter&>(*writer);  // every writer newWriter() makes is one
  std::string md5s;
  for (const auto& p : chosen) {
    OSSVP_RETURN_IF_ERROR(stored.appendPart(p));
    md5s += p.md5Raw;
  }
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(md5s.data(), md5s.size(), d, &len, EVP_md5(), nullptr);
  ObjectMeta templ = u.templ;
  templ.etag = hexUpper(std::string(reinterpret_cast<char*>(d), len)) + "-" + std::to_string(chosen.size());
  templ.contentMd5.clear();
  templ.type = "Multipart";
  std::lock_guard<std::mutex> lock(mu_);
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, publishLocked(bucketName, key, *writer, std::move(templ), forbidOverwrite));
  if (!opt_.inMemory) {
    std::error_code ec;
    fs::remove_all(opt_.dataDir + "/uploads/" + uploadId, ec);
  }
  uploads_.erase(uploadId);
  return m;
}

}  // namespace ossvp::ossemu
