// Helpers for the populator unit tests: a temp directory, an in-memory
// ObjectSource with fault hooks, file reading and directory listing.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

#include "ossvp/ossclient/crc64.h"
#include "ossvp/populator/object_source.h"

namespace ossvp::populator::testutil {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ossvp-pop-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Every entry under `root` (files, directories, symlinks), as paths relative
// to it, e.g. {"a.txt", "sub", "sub/b"}.
inline std::set<std::string> entriesUnder(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    out.insert(std::filesystem::relative(e.path(), root).string());
  }
  return out;
}

inline int64_t mtimeOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mtim.tv_sec;
}

// An in-memory bucket. Faults: corruptReads (flip a byte in the next N reads),
// failReads (the next N reads fail with Unavailable), permanent list error.
// onRead (set before the copy starts) runs before every read with the key.
class MemorySource : public ObjectSource {
 public:
  void put(const std::string& key, std::string data, int64_t mtime = 1600000000) {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[key] = Obj{std::move(data), mtime};
  }
  Result<std::vector<SourceObject>> list(const std::string& prefix) override {
    if (!listError.isOk()) return listError;
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<SourceObject> out;
    for (const auto& [k, o] : objects_) {
      if (k.rfind(prefix, 0) != 0) continue;
      std::string etag(1, '"');  // stepwise: GCC 12 -Wrestrict misfires on "x" + string
      etag += std::to_string(o.data.size());
      etag.push_back('"');
      out.push_back(SourceObject{k, o.data.size(), o.mtime, etag});
    }
    return out;
  }
  Result<std::unique_ptr<SourceFile>> open(const SourceObject& object, bool fresh) override;

  std::atomic<int> corruptReads{0};
  std::atomic<int> failReads{0};
  std::atomic<int> reads{0};
  std::atomic<int> freshOpens{0};
  Status listError;
  std::function<void(const std::string& key)> onRead;

 private:
  friend class MemoryFile;
  struct Obj {
    std::string data;
    int64_t mtime;
  };
  std::mutex mu_;
  std::map<std::string, Obj> objects_;
};

class MemoryFile : public SourceFile {
 public:
  MemoryFile(MemorySource* src, std::string key, std::string data)
      : src_(src), key_(std::move(key)), data_(std::move(data)) {}
  Result<size_t> read(uint64_t offset, char* buf, size_t len) override {
    src_->reads++;
    if (src_->onRead) src_->onRead(key_);
    if (src_->failReads.load() > 0 && src_->failReads.fetch_sub(1) > 0) {
      return Status(StatusCode::Unavailable, "injected: connection reset");
    }
    if (offset >= data_.size()) return size_t{0};
    size_t n = std::min<size_t>(len, data_.size() - offset);
    std::memcpy(buf, data_.data() + offset, n);
    if (n > 0 && src_->corruptReads.load() > 0 && src_->corruptReads.fetch_sub(1) > 0) buf[0] ^= 0x5a;
    return n;
  }
  std::optional<uint64_t> serverCrc64() const override { return ossclient::crc64(data_); }
  std::unique_ptr<SourceFile> clone() const override { return std::make_unique<MemoryFile>(src_, key_, data_); }

 private:
  MemorySource* src_;
  std::string key_;
  std::string data_;
};

inline Result<std::unique_ptr<SourceFile>> MemorySource::open(const SourceObject& object, bool fresh) {
  if (fresh) freshOpens++;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(object.key);
  if (it == objects_.end()) return Status(StatusCode::NotFound, "NoSuchKey " + object.key);
  return std::unique_ptr<SourceFile>(new MemoryFile(this, object.key, it->second.data));
}

}  // namespace ossvp::populator::testutil
