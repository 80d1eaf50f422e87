// Filesystem: the FUSE-free core of the mount. Every operation takes inode
// numbers and plain buffers and returns 0 or an errno (the only place errnos
// are chosen, each non-trivial refusal with a log line saying why), so unit
// tests drive it without a kernel and fuse_adapter.cpp stays a thin shim.
//
// Semantics (SEMANTICS.md): metadata from cached listings (MetaCache), only
// size and mtime; reads through the shared ReadEngine; with `readWrite`,
// new files are written sequentially and uploaded while written (FileWriter),
// completed on flush/fsync/close; overwrites, random writes, renames and
// directory renames are refused with a clear errno.
//
// Close-to-open (unless `closeToOpen` is off): an open sees the object as it
// is now. A small object (up to the engine's smallObjectThreshold) that the
// kernel holds no pages of is opened without I/O; its first read's GET (the
// whole object, no If-Match) is the validation: a different ETag or size
// updates the inode, drops the parent listing and calls the attrsChanged
// hook before any byte of the new version is served; an object that shrank
// fails that read with ESTALE (the kernel would pad the old size with
// zeros), one that is gone with ENOENT. Other opens revalidate with a HEAD
// and keep the kernel's pages only when the object is unchanged. Reads of
// small objects are answered from the GET's callback (readAsync), so no
// thread waits per small file.
//
// Thread-safety: internally synchronized; all methods may run concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "ossvp/fusecore/file_writer.h"
#include "ossvp/fusecore/inode_table.h"
#include "ossvp/fusecore/meta_cache.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/fusecore/small_object_load.h"

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

  // Sets the hook called when an inode's attributes turn out to have
  // changed on the server (the adapter drops the kernel's cached ones). Set
  // it before the first request; it may run on a client I/O thread.
  void setAttrsChangedHook(std::function<void(uint64_t ino)> hook);

  int open(uint64_t ino, int flags, uint64_t* fh, bool* keepCache);
  // Reads zero-copy (see PinnedBytes) and calls `done` exactly once: inline,
  // or later on a client I/O thread when the bytes are still on their way.
  // The FUSE adapter's path; call it from a thread that may block.
  void readAsync(uint64_t fh, uint64_t offset, size_t len, ReadDone done);
  // Cancels the GETs of reads in flight and waits until every readAsync
  // has called its `done` (before the FUSE session they reply to is gone).
  void cancelReads();
  // Blocking forms of readAsync.
  int read(uint64_t fh, uint64_t offset, size_t len, char* buf, size_t* got);
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
  // Engine read on the handle's reader; maps its error to an errno (logged).
  int readEngine(Handle& h, uint64_t offset, size_t len, PinnedBytes* out);
  // A HEAD: refreshes the inode when the object changed (keep = false).
  int revalidate(uint64_t ino, ossclient::ObjectMeta* meta, bool* keep);
  // Judges the validating GET of a small object opened without a HEAD.
  int judgeFetch(uint64_t ino, const ossclient::ObjectMeta& expected, const Result<ossclient::GetResult>& r);
  void attrsChanged(uint64_t ino, const std::string& key);

  const std::shared_ptr<ossclient::ObjectClient> client_;
  const FsOptions options_;
  MetaCache meta_;
  InodeTable inodes_;
  ReadEngine engine_;

  mutable std::mutex mu_;
  uint64_t nextFh_ = 1;                                  // guarded by mu_
  std::map<uint64_t, std::shared_ptr<Handle>> handles_;  // guarded by mu_
  // Inodes whose bytes were served, so the kernel may cache their pages:
  // their opens revalidate with a HEAD. Guarded by mu_.
  std::set<uint64_t> served_;
  std::function<void(uint64_t)> attrsChangedHook_;
  size_t pendingReads_ = 0;  // readAsync calls whose `done` has not returned; guarded by mu_
  std::condition_variable readsDone_;
};

}  // namespace ossvp::fusecore
