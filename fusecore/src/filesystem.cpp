#include "ossvp/fusecore/filesystem.h"

#include <fcntl.h>

#include <cerrno>
#include <ctime>

#include "ossvp/common/log.h"

namespace ossvp::fusecore {
namespace {

constexpr size_t kMaxName = 1023;  // OSS keys are at most 1023 bytes

int64_t nowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

Attr toAttr(const Inode& n) { return Attr{n.ino, n.isDir, n.size, n.mtime}; }

// The parent directory's key prefix of an object key ("a/b/c" -> "a/b/").
std::string parentPrefixOf(const std::string& key) {
  std::string k = key;
  if (!k.empty() && k.back() == '/') k.pop_back();
  auto slash = k.rfind('/');
  return slash == std::string::npos ? "" : k.substr(0, slash + 1);
}

}  // namespace

std::string normalizePrefix(std::string prefix) {
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  while (prefix.size() >= 2 && prefix.back() == '/' && prefix[prefix.size() - 2] == '/') {
    prefix.pop_back();
  }
  if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
  return prefix;
}

struct Filesystem::Handle {
  uint64_t ino = 0;
  std::unique_ptr<FileReader> reader;
  std::unique_ptr<FileWriter> writer;
};

Filesystem::Filesystem(std::shared_ptr<ossclient::ObjectClient> client, FsOptions options)
    : client_(client),
      options_([&] {
        options.prefix = normalizePrefix(options.prefix);
        return options;
      }()),
      meta_(client, options_.bucket, options_.meta),
      inodes_(options_.prefix, nowSeconds()),
      engine_(client, options_.engine) {}

Filesystem::~Filesystem() {
  std::lock_guard<std::mutex> lock(mu_);
  handles_.clear();
}

Status Filesystem::probe() {
  auto r = meta_.list(options_.prefix);
  return r.isOk() ? Status::ok() : r.status();
}

std::shared_ptr<Filesystem::Handle> Filesystem::handle(uint64_t fh) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = handles_.find(fh);
  return it == handles_.end() ? nullptr : it->second;
}

uint64_t Filesystem::addHandle(std::shared_ptr<Handle> h) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t fh = nextFh_++;
  handles_[fh] = std::move(h);
  return fh;
}

size_t Filesystem::openHandles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return handles_.size();
}

int Filesystem::childEntry(uint64_t parent, const std::string& name, Inode* parentOut,
                           DirEntry* out) {
  if (name.size() > kMaxName) return ENAMETOOLONG;
  auto p = inodes_.get(parent);
  if (!p) return ENOENT;
  if (!p->isDir) return ENOTDIR;
  if (parentOut) *parentOut = *p;
  auto listing = meta_.list(p->key);
  if (!listing.isOk()) {
    logError("fusecore: {}", listing.status().toString());
    return listing.status().toErrno();
  }
  const DirEntry* e = (*listing)->find(name);
  if (e == nullptr) return ENOENT;
  *out = *e;
  return 0;
}

int Filesystem::lookup(uint64_t parent, const std::string& name, Attr* out) {
  DirEntry e;
  if (int err = childEntry(parent, name, nullptr, &e)) return err;
  auto node = inodes_.upsert(parent, e, true);
  if (!node) return ENOENT;
  *out = toAttr(*node);
  return 0;
}

void Filesystem::forget(uint64_t ino, uint64_t nlookup) { inodes_.forget(ino, nlookup); }

int Filesystem::getattr(uint64_t ino, Attr* out) {
  auto n = inodes_.get(ino);
  if (!n) return ENOENT;
  *out = toAttr(*n);
  return 0;
}

int Filesystem::listDir(uint64_t ino, DirListingPtr* out) {
  auto n = inodes_.get(ino);
  if (!n) return ENOENT;
  if (!n->isDir) return ENOTDIR;
  auto listing = meta_.list(n->key);
  if (!listing.isOk()) {
    logError("fusecore: {}", listing.status().toString());
    return listing.status().toErrno();
  }
  *out = *listing;
  return 0;
}

Attr Filesystem::registerEntry(uint64_t parent, const DirEntry& entry, bool countLookup) {
  auto node = inodes_.upsert(parent, entry, countLookup);
  if (!node) return Attr{0, entry.isDir, entry.size, entry.mtime};
  return toAttr(*node);
}

int Filesystem::open(uint64_t ino, int flags, uint64_t* fh, bool* keepCache) {
  auto n = inodes_.get(ino);
  if (!n) return ENOENT;
  if (n->isDir) return EISDIR;
  if ((flags & O_ACCMODE) != O_RDONLY) {
    if (!options_.readWrite) return EROFS;
    logWarn("fusecore: refusing to open existing oss://{}/{} for writing: overwriting or "
            "modifying existing objects is not supported (only new files are written)",
            options_.bucket, n->key);
    return EPERM;
  }
  ossclient::ObjectMeta meta;
  meta.key = n->key;
  meta.size = n->size;
  meta.mtime = n->mtime;
  meta.etag = n->etag;
  *keepCache = true;
  if (options_.closeToOpen || meta.etag.empty()) {
    auto h = client_->head(options_.bucket, n->key);
    if (!h.isOk()) {
      if (h.status().code() == StatusCode::NotFound) {
        meta_.invalidate(parentPrefixOf(n->key));
        return ENOENT;
      }
      logError("fusecore: open oss://{}/{}: {}", options_.bucket, n->key, h.status().toString());
      return h.status().toErrno();
    }
    if (h->etag != meta.etag || h->size != meta.size || h->mtime != meta.mtime) {
      *keepCache = false;
      inodes_.setAttrs(ino, h->size, h->mtime, h->etag);
      meta_.invalidate(parentPrefixOf(n->key));
    }
    meta = *h;
    meta.key = n->key;
  }
  auto handle = std::make_shared<Handle>();
  handle->ino = ino;
  handle->reader = engine_.open(options_.bucket, meta);
  *fh = addHandle(std::move(handle));
  return 0;
}

int Filesystem::read(uint64_t fh, uint64_t offset, size_t len, char* buf, size_t* got) {
  return readVia(fh, offset, [&](FileReader& r) -> Status {
    auto n = r.read(offset, buf, len);
    if (n.isOk()) *got = *n;
    return n.isOk() ? Status::ok() : n.status();
  });
}

int Filesystem::readPinned(uint64_t fh, uint64_t offset, size_t len, PinnedBytes* out) {
  return readVia(fh, offset, [&](FileReader& r) { return r.readPinned(offset, len, out); });
}

int Filesystem::readVia(uint64_t fh, uint64_t offset,
                        const std::function<Status(FileReader&)>& doRead) {
  auto h = handle(fh);
  if (!h) return EBADF;
  if (!h->reader) return EBADF;  // write-only handle
  Status st = doRead(*h->reader);
  if (!st.isOk()) {
    logError("fusecore: read oss://{}/{} at {}: {}", options_.bucket, h->reader->meta().key,
             offset, st.toString());
    return st.toErrno();
  }
  return 0;
}

int Filesystem::create(uint64_t parent, const std::string& name, int flags, Attr* out,
                       uint64_t* fh) {
  if (!options_.readWrite) return EROFS;
  Inode p;
  DirEntry existing;
  int err = childEntry(parent, name, &p, &existing);
  if (err == 0) {
    if (flags & O_EXCL) return EEXIST;
    logWarn("fusecore: refusing to overwrite existing oss://{}/{}{}: overwriting objects is "
            "not supported", options_.bucket, p.key, name);
    return existing.isDir ? EISDIR : EPERM;
  }
  if (err != ENOENT) return err;
  DirEntry e{name, false, 0, nowSeconds(), ""};
  auto node = inodes_.upsert(parent, e, true);
  if (!node) return ENOENT;
  meta_.upsert(p.key, e);
  auto handle = std::make_shared<Handle>();
  handle->ino = node->ino;
  handle->writer = std::make_unique<FileWriter>(*client_, engine_.budget(), options_.bucket,
                                                node->key, options_.writer);
  *fh = addHandle(std::move(handle));
  *out = toAttr(*node);
  return 0;
}

int Filesystem::write(uint64_t fh, uint64_t offset, const char* data, size_t len) {
  auto h = handle(fh);
  if (!h) return EBADF;
  if (!h->writer) return EBADF;
  Status st = h->writer->write(offset, data, len);
  if (!st.isOk()) return st.toErrno();
  inodes_.setAttrs(h->ino, h->writer->size(), nowSeconds(), "");
  return 0;
}

int Filesystem::finishWriter(Handle& h) {
  auto r = h.writer->finish();
  if (!r.isOk()) return r.status().toErrno();
  inodes_.setAttrs(h.ino, r->size, r->mtime, r->etag);
  auto n = inodes_.get(h.ino);
  if (n) meta_.upsert(parentPrefixOf(n->key), DirEntry{n->name, false, r->size, r->mtime, r->etag});
  return 0;
}

int Filesystem::flush(uint64_t fh) {
  auto h = handle(fh);
  if (!h) return EBADF;
  if (!h->writer) return 0;
  // A close of a duplicate descriptor before any data (dd, shells) must not
  // seal the object; an empty file is then completed at release.
  if (h->writer->size() == 0) return 0;
  return finishWriter(*h);
}

int Filesystem::fsync(uint64_t fh) {
  auto h = handle(fh);
  if (!h) return EBADF;
  return h->writer ? finishWriter(*h) : 0;
}

int Filesystem::release(uint64_t fh) {
  std::shared_ptr<Handle> h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = handles_.find(fh);
    if (it == handles_.end()) return EBADF;
    h = std::move(it->second);
    handles_.erase(it);
  }
  return h->writer ? finishWriter(*h) : 0;
}

int Filesystem::setSize(uint64_t ino, uint64_t size, Attr* out) {
  auto n = inodes_.get(ino);
  if (!n) return ENOENT;
  if (n->isDir) return EISDIR;
  if (!options_.readWrite) return EROFS;
  if (size != n->size) {
    logWarn("fusecore: refusing to truncate oss://{}/{} from {} to {} bytes: changing the size "
            "of an object is not supported", options_.bucket, n->key, n->size, size);
    return EPERM;
  }
  *out = toAttr(*n);
  return 0;
}

int Filesystem::unlink(uint64_t parent, const std::string& name) {
  if (!options_.readWrite) return EROFS;
  Inode p;
  DirEntry e;
  if (int err = childEntry(parent, name, &p, &e)) return err;
  if (e.isDir) return EISDIR;
  Status st = client_->deleteObject(options_.bucket, p.key + name);
  if (!st.isOk()) {
    logError("fusecore: unlink oss://{}/{}{}: {}", options_.bucket, p.key, name, st.toString());
    return st.toErrno();
  }
  meta_.remove(p.key, name);
  inodes_.unbind(parent, name);
  return 0;
}

int Filesystem::mkdir(uint64_t parent, const std::string& name, Attr* out) {
  if (!options_.readWrite) return EROFS;
  Inode p;
  DirEntry e;
  int err = childEntry(parent, name, &p, &e);
  if (err == 0) return EEXIST;
  if (err != ENOENT) return err;
  ossclient::PutRequest req;
  req.bucket = options_.bucket;
  req.key = p.key + name + "/";
  auto r = client_->put(req);
  if (!r.isOk()) {
    logError("fusecore: mkdir oss://{}/{}: {}", options_.bucket, req.key, r.status().toString());
    return r.status().toErrno();
  }
  DirEntry d{name, true, 0, nowSeconds(), ""};
  meta_.upsert(p.key, d);
  auto node = inodes_.upsert(parent, d, true);
  if (!node) return ENOENT;
  *out = toAttr(*node);
  return 0;
}

int Filesystem::rmdir(uint64_t parent, const std::string& name) {
  if (!options_.readWrite) return EROFS;
  Inode p;
  DirEntry e;
  if (int err = childEntry(parent, name, &p, &e)) return err;
  if (!e.isDir) return ENOTDIR;
  std::string prefix = p.key + name + "/";
  meta_.invalidate(prefix);
  auto listing = meta_.list(prefix);
  if (!listing.isOk()) return listing.status().toErrno();
  if (!(*listing)->entries.empty()) return ENOTEMPTY;
  Status st = client_->deleteObject(options_.bucket, prefix);
  if (!st.isOk()) return st.toErrno();
  meta_.invalidate(prefix);
  meta_.remove(p.key, name);
  inodes_.unbind(parent, name);
  return 0;
}

int Filesystem::rename(uint64_t parent, const std::string& name) {
  auto p = inodes_.get(parent);
  logWarn("fusecore: refusing rename of oss://{}/{}{}: OSS has no rename; renaming files and "
          "directories is not supported on this mount", options_.bucket, p ? p->key : "?", name);
  return options_.readWrite ? EXDEV : EROFS;
}

}  // namespace ossvp::fusecore
