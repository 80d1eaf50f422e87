#include "ossvp/fusecore/filesystem.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <future>

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
  std::shared_ptr<SmallObjectLoad> load;  // small objects: one whole GET, async replies
  std::mutex readerMu;                    // guards `reader` while `load` is set
  std::unique_ptr<FileReader> reader;     // engine reads (a grown small object: lazily)
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
  cancelReads();
  std::lock_guard<std::mutex> lock(mu_);
  handles_.clear();
}

void Filesystem::cancelReads() {
  std::vector<std::shared_ptr<SmallObjectLoad>> loads;
  std::unique_lock<std::mutex> lock(mu_);
  for (auto& [fh, h] : handles_) {
    if (h->load) loads.push_back(h->load);
  }
  lock.unlock();
  for (auto& l : loads) l->cancel();
  lock.lock();
  readsDone_.wait(lock, [this] { return pendingReads_ == 0; });
}

void Filesystem::setAttrsChangedHook(std::function<void(uint64_t ino)> hook) { attrsChangedHook_ = std::move(hook); }

void Filesystem::attrsChanged(uint64_t ino, const std::string& key) {
  meta_.invalidate(parentPrefixOf(key));
  if (attrsChangedHook_) attrsChangedHook_(ino);
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

int Filesystem::childEntry(uint64_t parent, const std::string& name, Inode* parentOut, DirEntry* out) {
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

void Filesystem::forget(uint64_t ino, uint64_t nlookup) {
  inodes_.forget(ino, nlookup);
  if (inodes_.get(ino)) return;
  std::lock_guard<std::mutex> lock(mu_);
  served_.erase(ino);  // the kernel dropped the inode and its pages
}

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

int Filesystem::revalidate(uint64_t ino, ossclient::ObjectMeta* meta, bool* keep) {
  auto h = client_->head(options_.bucket, meta->key);
  if (!h.isOk()) {
    if (h.status().code() == StatusCode::NotFound) {
      meta_.invalidate(parentPrefixOf(meta->key));
      return ENOENT;
    }
    logError("fusecore: open oss://{}/{}: {}", options_.bucket, meta->key, h.status().toString());
    return h.status().toErrno();
  }
  if (h->etag != meta->etag || h->size != meta->size || h->mtime != meta->mtime) {
    *keep = false;
    inodes_.setAttrs(ino, h->size, h->mtime, h->etag);
    attrsChanged(ino, meta->key);
  }
  std::string key = meta->key;
  *meta = *h;
  meta->key = key;
  return 0;
}

int Filesystem::judgeFetch(uint64_t ino, const ossclient::ObjectMeta& expected, const Result<ossclient::GetResult>& r) {
  const std::string& key = expected.key;
  if (!r.isOk()) {
    const Status& st = r.status();
    if (st.code() == StatusCode::NotFound) {
      logInfo("fusecore: oss://{}/{} is gone since it was listed", options_.bucket, key);
      attrsChanged(ino, key);
      return ENOENT;
    }
    if (st.serviceCode() == "InvalidRange") {
      // 416 on a range from 0: the object is empty now.
      logWarn(
          "fusecore: oss://{}/{} shrank to 0 bytes since it was listed ({} bytes): this "
          "read fails with ESTALE, reopening reads the new version",
          options_.bucket, key, expected.size);
      inodes_.setAttrs(ino, 0, expected.mtime, "");
      attrsChanged(ino, key);
      return ESTALE;
    }
    if (st.code() != StatusCode::Cancelled) {
      logError("fusecore: read oss://{}/{}: {}", options_.bucket, key, st.toString());
    }
    return st.toErrno();
  }
  const ossclient::ObjectMeta& now = r->meta;
  if (now.etag == expected.etag && now.size == expected.size) return 0;
  inodes_.setAttrs(ino, now.size, now.mtime, now.etag);
  attrsChanged(ino, key);
  if (now.size < expected.size) {
    logWarn(
        "fusecore: oss://{}/{} shrank from {} to {} bytes since it was listed: this read "
        "fails with ESTALE (the kernel would pad the old size with zeros), reopening reads "
        "the new version",
        options_.bucket, key, expected.size, now.size);
    return ESTALE;
  }
  return 0;
}

int Filesystem::open(uint64_t ino, int flags, uint64_t* fh, bool* keepCache) {
  auto n = inodes_.get(ino);
  if (!n) return ENOENT;
  if (n->isDir) return EISDIR;
  if ((flags & O_ACCMODE) != O_RDONLY) {
    if (!options_.readWrite) return EROFS;
    logWarn(
        "fusecore: refusing to open existing oss://{}/{} for writing: overwriting or "
        "modifying existing objects is not supported (only new files are written)",
        options_.bucket, n->key);
    return EPERM;
  }
  ossclient::ObjectMeta meta;
  meta.key = n->key;
  meta.size = n->size;
  meta.mtime = n->mtime;
  meta.etag = n->etag;
  const bool small = meta.size > 0 && meta.size <= options_.engine.smallObjectThreshold && !meta.etag.empty();
  bool pagesCached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pagesCached = served_.count(ino) > 0;
  }
  auto handle = std::make_shared<Handle>();
  handle->ino = ino;
  *keepCache = true;
  if (small && (!options_.closeToOpen || !pagesCached)) {
    // No I/O now: the first read's GET fetches the object and, with
    // close-to-open, validates it. Nothing to keep in the kernel: it has no
    // pages of this inode (close-to-open), or they are the listed version.
    *keepCache = !options_.closeToOpen;
    handle->load = std::make_shared<SmallObjectLoad>(
        *client_, engine_.budget(), options_.bucket, meta, options_.closeToOpen,
        [this, ino, meta](const Result<ossclient::GetResult>& r) { return judgeFetch(ino, meta, r); });
  } else {
    // With close-to-open, the listed version's first GETs go out with the
    // HEAD instead of after it. Unchanged (the usual case), the reader opened
    // below shares them through the version's cache before `early` goes;
    // changed, they die with `early` (cancelled, or their If-Match fails)
    // and nothing of the old version is served. Not when the kernel may
    // still hold the file's pages: unchanged, it reads them, not us.
    std::unique_ptr<FileReader> early;
    if (options_.closeToOpen || meta.etag.empty()) {
      if (!meta.etag.empty() && !pagesCached) {
        early = engine_.open(options_.bucket, meta);
        early->prefetchStart();
      }
      if (int err = revalidate(ino, &meta, keepCache)) return err;
    }
    handle->reader = engine_.open(options_.bucket, meta);
  }
  *fh = addHandle(std::move(handle));
  return 0;
}

void Filesystem::readAsync(uint64_t fh, uint64_t offset, size_t len, ReadDone done) {
  auto h = handle(fh);
  if (!h || (!h->load && !h->reader)) {  // unknown or write-only handle
    done(EBADF, {});
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++pendingReads_;
  }
  auto served = [this, ino = h->ino, done = std::move(done)](int err, PinnedBytes bytes) {
    if (err == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      served_.insert(ino);
    }
    done(err, std::move(bytes));
    std::lock_guard<std::mutex> lock(mu_);
    if (--pendingReads_ == 0) readsDone_.notify_all();
  };
  if (h->load) {
    if (h->load->read(offset, len, served)) return;
    // Past the bytes held of an object that grew: the engine reads the
    // version the GET found.
    std::lock_guard<std::mutex> lock(h->readerMu);
    if (!h->reader) h->reader = engine_.open(options_.bucket, h->load->fetched());
  }
  PinnedBytes bytes;
  int err = readEngine(*h, offset, len, &bytes);
  served(err, std::move(bytes));
}

int Filesystem::readPinned(uint64_t fh, uint64_t offset, size_t len, PinnedBytes* out) {
  std::promise<std::pair<int, PinnedBytes>> p;
  auto f = p.get_future();
  readAsync(fh, offset, len, [&p](int err, PinnedBytes bytes) { p.set_value({err, std::move(bytes)}); });
  auto r = f.get();
  *out = std::move(r.second);
  return r.first;
}

int Filesystem::read(uint64_t fh, uint64_t offset, size_t len, char* buf, size_t* got) {
  PinnedBytes bytes;
  if (int err = readPinned(fh, offset, len, &bytes)) return err;
  size_t at = 0;
  for (const iovec& piece : bytes.pieces) {
    std::memcpy(buf + at, piece.iov_base, piece.iov_len);
    at += piece.iov_len;
  }
  *got = at;
  return 0;
}

int Filesystem::readEngine(Handle& h, uint64_t offset, size_t len, PinnedBytes* out) {
  Status st = h.reader->readPinned(offset, len, out);
  if (!st.isOk()) {
    logError("fusecore: read oss://{}/{} at {}: {}", options_.bucket, h.reader->meta().key, offset, st.toString());
    return st.toErrno();
  }
  return 0;
}

int Filesystem::create(uint64_t parent, const std::string& name, int flags, Attr* out, uint64_t* fh) {
  if (!options_.readWrite) return EROFS;
  Inode p;
  DirEntry existing;
  int err = childEntry(parent, name, &p, &existing);
  if (err == 0) {
    if (flags & O_EXCL) return EEXIST;
    logWarn(
        "fusecore: refusing to overwrite existing oss://{}/{}{}: overwriting objects is "
        "not supported",
        options_.bucket, p.key, name);
    return existing.isDir ? EISDIR : EPERM;
  }
  if (err != ENOENT) return err;
  DirEntry e{name, false, 0, nowSeconds(), ""};
  auto node = inodes_.upsert(parent, e, true);
  if (!node) return ENOENT;
  meta_.upsert(p.key, e);
  auto handle = std::make_shared<Handle>();
  handle->ino = node->ino;
  handle->writer = std::make_unique<FileWriter>(*client_, engine_.budget(), options_.bucket, node->key, options_.writer,
                                                &engine_.bufferPool());
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
    logWarn(
        "fusecore: refusing to truncate oss://{}/{} from {} to {} bytes: changing the size "
        "of an object is not supported",
        options_.bucket, n->key, n->size, size);
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
  logWarn(
      "fusecore: refusing rename of oss://{}/{}{}: OSS has no rename; renaming files and "
      "directories is not supported on this mount",
      options_.bucket, p ? p->key : "?", name);
  return options_.readWrite ? EXDEV : EROFS;
}

}  // namespace ossvp::fusecore
