// Filesystem: the FUSE-free core of the mount. Every operation takes inode
// numbers and plain buffers and returns 0 or an errno (the only place errnos
// are chosen, each non-trivial refusal with a log line saying why), so unit
// tests drive it without a kernel and fuse_adapter.cpp stays a thin shim.
//
// Semantics (SEMANTICS.md): metadata from cached listings (MetaCache), only
// size and mtime; reads through the shared ReadEngine; with `readWrite`,
// new files are written sequentially and uploaded while written (FileWriter),
// completed on flush/fsync/close; overwrites, random writes, renames and
// directory renames are refused with a clear errno. Close-to-open: open()
// revalidates with a HEAD (unless `closeToOpen` is off) and a changed object
// gets a fresh reader on the new ETag.
//
// Thread-safety: internally synchronized; all methods may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ossvp/fusecore/file_writer.h"
#include "ossvp/fusecore/inode_table.h"
#include "ossvp/fusecore/meta_cache.h"
#include "ossvp/fusecore/read_engine.h"

namespace ossvp::fusecore {

struct FsOptions {
  std::string bucket;
  std::string prefix;  // "" or "dir/sub/" (normalized by normalizePrefix)
  bool readWrite = false;
  bool closeToOpen = true;
  MetaCacheOptions meta;
  EngineOptions engine;
  WriterOptions writer;
};

// "/a/b" -> "a/b/", "/" or "" -> "".
std::string normalizePrefix(std::string prefix);

struct Attr {
  uint64_t ino = 0;
  bool isDir = false;
  uint64_t size = 0;
  int64_t mtime = 0;
};

class Filesystem {
 public:
  Filesystem(std::shared_ptr<ossclient::ObjectClient> client, FsOptions options);
  ~Filesystem();

  // Lists the mount root once: fails fast on a missing bucket or bad credentials.
  Status probe();

  int lookup(uint64_t parent, const std::string& name, Attr* out);
  void forget(uint64_t ino, uint64_t nlookup);
  int getattr(uint64_t ino, Attr* out);

  // Directory listing for readdir; registerEntry() gives an entry its inode
  // (with a lookup reference when `countLookup`, as readdirplus needs).
  int listDir(uint64_t ino, DirListingPtr* out);
  Attr registerEntry(uint64_t parent, const DirEntry& entry, bool countLookup);

  int open(uint64_t ino, int flags, uint64_t* fh, bool* keepCache);
  int read(uint64_t fh, uint64_t offset, size_t len, char* buf, size_t* got);
  // The same read, zero-copy (see PinnedBytes): the FUSE adapter's path.
  int readPinned(uint64_t fh, uint64_t offset, size_t len, PinnedBytes* out);
  int create(uint64_t parent, const std::string& name, int flags, Attr* out, uint64_t* fh);
  int write(uint64_t fh, uint64_t offset, const char* data, size_t len);
  // Completes an upload once it has data (an empty one completes at release).
  int flush(uint64_t fh);
  int fsync(uint64_t fh);  // completes an upload
  int release(uint64_t fh);

  int setSize(uint64_t ino, uint64_t size, Attr* out);
  int unlink(uint64_t parent, const std::string& name);
  int mkdir(uint64_t parent, const std::string& name, Attr* out);
  int rmdir(uint64_t parent, const std::string& name);
  int rename(uint64_t parent, const std::string& name);

  const FsOptions& options() const { return options_; }
  ReadEngine& engine() { return engine_; }
  MetaCache& meta() { return meta_; }
  size_t openHandles() const;

 private:
  struct Handle;
  std::shared_ptr<Handle> handle(uint64_t fh) const;
  uint64_t addHandle(std::shared_ptr<Handle> h);
  int childEntry(uint64_t parent, const std::string& name, Inode* parentOut, DirEntry* out);
  int finishWriter(Handle& h);
  // Runs a read on the handle's reader; maps its error to an errno (logged).
  int readVia(uint64_t fh, uint64_t offset, const std::function<Status(FileReader&)>& doRead);

  const std::shared_ptr<ossclient::ObjectClient> client_;
  const FsOptions options_;
  MetaCache meta_;
  InodeTable inodes_;
  ReadEngine engine_;

  mutable std::mutex mu_;
  uint64_t nextFh_ = 1;                                  // guarded by mu_
  std::map<uint64_t, std::shared_ptr<Handle>> handles_;  // guarded by mu_
};

}  // namespace ossvp::fusecore
