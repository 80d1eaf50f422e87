// The thin FUSE3 low-level adapter: each callback converts arguments, calls
// the FUSE-free Filesystem and sends exactly one reply. No policy lives here.
#define FUSE_USE_VERSION 312
#include <fuse3/fuse_lowlevel.h>

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "ossvp/common/log.h"
#include "ossvp/fusecore/fuse_mount.h"

namespace ossvp::fusecore {
namespace {

void raiseReadahead(const std::string& mountpoint, uint32_t kb);

struct Session {
  fuse_session* se = nullptr;
  Filesystem* fs;
  const MountConfig* config;
  // The kernel caps the bdi readahead when it processes our INIT reply, so
  // it is raised on the first request after INIT instead of at mount time.
  std::once_flag readaheadOnce;
  std::mutex dirMu;
  uint64_t nextDir = 1;
  std::map<uint64_t, DirListingPtr> dirs;  // open directory snapshots; guarded by dirMu
  std::atomic<uint64_t> readRequests{0};   // FUSE READs received, logged at unmount
};

Session* sess(fuse_req_t req) {
  auto* s = static_cast<Session*>(fuse_req_userdata(req));
  std::call_once(s->readaheadOnce, [s] { raiseReadahead(s->config->mountpoint, s->config->readaheadKb); });
  return s;
}

struct stat toStat(const Session& s, const Attr& a) {
  struct stat st {};
  st.st_ino = a.ino;
  st.st_mode = a.isDir ? (S_IFDIR | s.config->dirMode) : (S_IFREG | s.config->fileMode);
  st.st_nlink = a.isDir ? 2 : 1;
  st.st_uid = s.config->uid;
  st.st_gid = s.config->gid;
  st.st_size = static_cast<off_t>(a.size);
  st.st_blksize = 1 << 20;  // tools size their buffers from this
  st.st_blocks = static_cast<blkcnt_t>((a.size + 511) / 512);
  st.st_mtim.tv_sec = a.mtime;
  st.st_ctim.tv_sec = a.mtime;
  st.st_atim.tv_sec = a.mtime;
  return st;
}

fuse_entry_param toEntry(const Session& s, const Attr& a) {
  fuse_entry_param e{};
  e.ino = a.ino;
  e.attr = toStat(s, a);
  e.attr_timeout = s.config->attrTimeout;
  e.entry_timeout = s.config->entryTimeout;
  return e;
}

void replyEntryOrErr(fuse_req_t req, int err, const Attr& a) {
  if (err) {
    fuse_reply_err(req, err);
  } else {
    fuse_entry_param e = toEntry(*sess(req), a);
    fuse_reply_entry(req, &e);
  }
}

void opInit(void* userdata, fuse_conn_info* conn) {
  auto* s = static_cast<Session*>(userdata);
  conn->max_read = 1 << 20;  // must match the session's -o max_read
  conn->max_background = static_cast<unsigned>(s->config->maxBackground);
  conn->congestion_threshold = conn->max_background * 3 / 4;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;  // always plus: attributes come with the listing
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;  // writes must reach us in order
  logInfo("fusecore: FUSE init: max_write={} max_readahead={} max_background={}", conn->max_write, conn->max_readahead,
          conn->max_background);
}

void opLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Session* s = sess(req);
  Attr a;
  int err = s->fs->lookup(parent, name, &a);
  if (err == ENOENT && s->config->negativeTimeout > 0) {
    fuse_entry_param e{};
    e.entry_timeout = s->config->negativeTimeout;
    fuse_reply_entry(req, &e);
    return;
  }
  replyEntryOrErr(req, err, a);
}

void opForget(fuse_req_t req, fuse_ino_t ino, uint64_t n) {
  sess(req)->fs->forget(ino, n);
  fuse_reply_none(req);
}

void opForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* items) {
  for (size_t i = 0; i < count; ++i) sess(req)->fs->forget(items[i].ino, items[i].nlookup);
  fuse_reply_none(req);
}

void opGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Attr a;
  if (int err = sess(req)->fs->getattr(ino, &a)) {
    fuse_reply_err(req, err);
    return;
  }
  struct stat st = toStat(*sess(req), a);
  fuse_reply_attr(req, &st, sess(req)->config->attrTimeout);
}

void opSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info*) {
  Session* s = sess(req);
  Attr a;
  int err = (toSet & FUSE_SET_ATTR_SIZE) ? s->fs->setSize(ino, static_cast<uint64_t>(attr->st_size), &a)
                                         : s->fs->getattr(ino, &a);  // modes, owners, times: not kept (SEMANTICS.md)
  if (err) {
    fuse_reply_err(req, err);
    return;
  }
  struct stat st = toStat(*s, a);
  fuse_reply_attr(req, &st, s->config->attrTimeout);
}

void opOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Session* s = sess(req);
  DirListingPtr listing;
  if (int err = s->fs->listDir(ino, &listing)) {
    fuse_reply_err(req, err);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(s->dirMu);
    fi->fh = s->nextDir++;
    s->dirs[fi->fh] = listing;
  }
  fi->cache_readdir = 0;
  fuse_reply_open(req, fi);
}

void readdirCommon(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  Session* s = sess(req);
  DirListingPtr listing;
  {
    std::lock_guard<std::mutex> lock(s->dirMu);
    auto it = s->dirs.find(fi->fh);
    if (it != s->dirs.end()) listing = it->second;
  }
  if (!listing) {
    fuse_reply_err(req, EBADF);
    return;
  }
  std::vector<char> buf(size);
  size_t used = 0;
  const size_t total = listing->entries.size() + 2;
  for (size_t i = static_cast<size_t>(off); i < total; ++i) {
    const char* name;
    Attr a;
    bool dot = i < 2;
    if (dot) {
      name = i == 0 ? "." : "..";
      a = Attr{ino, true, 0, 0};
    } else {
      const DirEntry& e = listing->entries[i - 2];
      name = e.name.c_str();
      a = Attr{0, e.isDir, e.size, e.mtime};
    }
    size_t need;
    if (plus) {
      need = fuse_add_direntry_plus(req, nullptr, 0, name, nullptr, 0);
      if (used + need > size) break;
      fuse_entry_param ep{};
      if (dot) {
        ep.attr = toStat(*s, a);
      } else {
        a = s->fs->registerEntry(ino, listing->entries[i - 2], true);
        ep = toEntry(*s, a);
      }
      fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &ep, static_cast<off_t>(i + 1));
    } else {
      if (!dot) a = s->fs->registerEntry(ino, listing->entries[i - 2], false);
      struct stat st = toStat(*s, a);
      need = fuse_add_direntry(req, nullptr, 0, name, nullptr, 0);
      if (used + need > size) break;
      fuse_add_direntry(req, buf.data() + used, size - used, name, &st, static_cast<off_t>(i + 1));
    }
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void opReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  readdirCommon(req, ino, size, off, fi, false);
}

void opReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  readdirCommon(req, ino, size, off, fi, true);
}

void opReleasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Session* s = sess(req);
  {
    std::lock_guard<std::mutex> lock(s->dirMu);
    s->dirs.erase(fi->fh);
  }
  fuse_reply_err(req, 0);
}

void opOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  uint64_t fh = 0;
  bool keep = false;
  if (int err = sess(req)->fs->open(ino, fi->flags, &fh, &keep)) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = fh;
  fi->keep_cache = keep ? 1 : 0;
  fi->noflush = 1;  // read-only handles have nothing to flush
  fuse_reply_open(req, fi);
}

void opRead(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  // Zero-copy: the reply is written to /dev/fuse straight from the cached
  // parts (one copy, in the kernel), which stay pinned until it is sent. A
  // small file's read is answered from its GET's callback (any thread may
  // reply), so this worker is free at once.
  sess(req)->readRequests.fetch_add(1, std::memory_order_relaxed);
  sess(req)->fs->readAsync(fi->fh, static_cast<uint64_t>(off), size, [req](int err, PinnedBytes bytes) {
    if (err) {
      fuse_reply_err(req, err);
    } else if (bytes.pieces.empty()) {
      fuse_reply_buf(req, nullptr, 0);
    } else {
      fuse_reply_iov(req, bytes.pieces.data(), static_cast<int>(bytes.pieces.size()));
    }
  });
}

void opCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t, fuse_file_info* fi) {
  Attr a;
  uint64_t fh = 0;
  if (int err = sess(req)->fs->create(parent, name, fi->flags, &a, &fh)) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = fh;
  // A new file is written once, in order, and uploaded as it goes: its bytes
  // go from the writer's memory straight into the request (one copy), not
  // through page cache pages first (two copies, and gigabytes of cache
  // filled with data nobody reads back through this handle).
  fi->direct_io = 1;
  fuse_entry_param e = toEntry(*sess(req), a);
  fuse_reply_create(req, &e, fi);
}

void opWrite(fuse_req_t req, fuse_ino_t, const char* data, size_t size, off_t off, fuse_file_info* fi) {
  if (int err = sess(req)->fs->write(fi->fh, static_cast<uint64_t>(off), data, size)) {
    fuse_reply_err(req, err);
    return;
  }
  fuse_reply_write(req, size);
}

void opFlush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) { fuse_reply_err(req, sess(req)->fs->flush(fi->fh)); }

void opFsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info* fi) { fuse_reply_err(req, sess(req)->fs->fsync(fi->fh)); }

void opRelease(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) { fuse_reply_err(req, sess(req)->fs->release(fi->fh)); }

void opUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, sess(req)->fs->unlink(parent, name));
}

void opMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t) {
  Attr a;
  int err = sess(req)->fs->mkdir(parent, name, &a);
  replyEntryOrErr(req, err, a);
}

void opRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, sess(req)->fs->rmdir(parent, name));
}

void opRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t, const char*, unsigned int) {
  fuse_reply_err(req, sess(req)->fs->rename(parent, name));
}

void opStatfs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st {};
  st.f_bsize = 1 << 20;
  st.f_frsize = 1 << 20;
  st.f_blocks = st.f_bfree = st.f_bavail = 1ull << 30;  // 1 EiB: buckets have no size limit
  st.f_files = st.f_ffree = st.f_favail = 1ull << 32;
  st.f_namemax = 1023;
  fuse_reply_statfs(req, &st);
}

const fuse_lowlevel_ops kOps = [] {
  fuse_lowlevel_ops o{};
  o.init = opInit;
  o.lookup = opLookup;
  o.forget = opForget;
  o.forget_multi = opForgetMulti;
  o.getattr = opGetattr;
  o.setattr = opSetattr;
  o.opendir = opOpendir;
  o.readdir = opReaddir;
  o.readdirplus = opReaddirplus;
  o.releasedir = opReleasedir;
  o.open = opOpen;
  o.read = opRead;
  o.create = opCreate;
  o.write = opWrite;
  o.flush = opFlush;
  o.fsync = opFsync;
  o.release = opRelease;
  o.unlink = opUnlink;
  o.mkdir = opMkdir;
  o.rmdir = opRmdir;
  o.rename = opRename;
  o.statfs = opStatfs;
  return o;
}();

// The mount's "maj:min" from /proc/self/mountinfo (no FUSE request needed).
std::string mountDevice(const std::string& mountpoint) {
  char real[PATH_MAX];
  std::string mp = realpath(mountpoint.c_str(), real) ? real : mountpoint;
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string id, parent, dev, root, point;
    ss >> id >> parent >> dev >> root >> point;
    if (point == mp) found = dev;  // the last match is the top mount
  }
  return found;
}

void raiseReadahead(const std::string& mountpoint, uint32_t kb) {
  if (kb == 0) return;
  std::string dev = mountDevice(mountpoint);
  if (dev.empty()) {
    logWarn(
        "fusecore: could not find {} in /proc/self/mountinfo; readahead stays at the kernel "
        "default",
        mountpoint);
    return;
  }
  std::string path = "/sys/class/bdi/" + dev + "/read_ahead_kb";
  std::ofstream out(path);
  out << kb;
  out.close();
  if (!out) {
    logWarn(
        "fusecore: could not set {} to {} (needs root); buffered reads stay at 128 KiB "
        "requests",
        path, kb);
  } else {
    logInfo("fusecore: set {} = {}", path, kb);
  }
}

}  // namespace

int runFuseSession(Filesystem& fs, const MountConfig& config, const std::function<void()>& onReady) {
  Session session{nullptr, &fs, &config, {}, {}, 1, {}};
  std::vector<std::string> argStore = {
      "ossmount", "-o", "max_read=1048576", "-o", "fsname=ossmount:" + config.bucket, "-o", "subtype=ossmount"};
  if (!config.readWrite) argStore.insert(argStore.end(), {"-o", "ro"});
  if (config.allowOther) argStore.insert(argStore.end(), {"-o", "allow_other"});
  if (config.fuseDebug) argStore.push_back("-d");
  std::vector<char*> argv;
  for (auto& a : argStore) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  // fuse_session_new copies argv into heap memory (fuse_opt_add_arg); free it
  // on every return, after the session is gone (LeakSanitizer found the leak).
  struct ArgsFree {
    fuse_args* a;
    ~ArgsFree() { fuse_opt_free_args(a); }
  } argsFree{&args};

  fuse_session* se = fuse_session_new(&args, &kOps, sizeof(kOps), &session);
  if (se == nullptr) {
    logError("fusecore: could not create the FUSE session (bad FUSE options?)");
    return 1;
  }
  session.se = se;
  // The object changed on the server: drop the kernel's cached attributes
  // (size) too. Attributes only (offset -1): no page locks, so this is safe
  // from any thread, also while a read of the inode waits for its reply.
  fs.setAttrsChangedHook([se](uint64_t ino) { fuse_lowlevel_notify_inval_inode(se, ino, -1, 0); });
  if (fuse_set_signal_handlers(se) != 0) {
    fuse_session_destroy(se);
    return 1;
  }
  if (fuse_session_mount(se, config.mountpoint.c_str()) != 0) {
    logError(
        "fusecore: mounting on {} failed: check that it exists, is an empty directory, "
        "and that /dev/fuse is usable",
        config.mountpoint);
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return 1;
  }
  logInfo("fusecore: mounted oss://{}/{} on {} ({})", config.bucket, config.prefix, config.mountpoint,
          config.readWrite ? "read-write" : "read-only");
  if (onReady) onReady();

  fuse_loop_config* loop = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(loop, static_cast<unsigned>(config.fuseThreads));
  fuse_loop_cfg_set_idle_threads(loop, static_cast<unsigned>(std::min(config.fuseThreads, 8)));
  int rc = fuse_session_loop_mt(se, loop);
  fuse_loop_cfg_destroy(loop);
  fs.cancelReads();  // replies still on their way need the session
  logInfo("fusecore: unmounting {} ({} files still open, {} READ requests served)", config.mountpoint, fs.openHandles(),
          session.readRequests.load());
  EngineStats es = fs.engine().stats();
  logInfo(
      "fusecore: engine: {} GETs ({} prefetch, {} retried), {} MiB fetched, {} MiB served, memory peak "
      "{} MiB, prefetch in flight limit {} (grew {}x, backed off {}x)",
      es.getRequests, es.prefetchRequests, es.retries, es.bytesFetched >> 20, es.bytesServed >> 20, es.memoryPeak >> 20,
      es.inflightLimit, es.concurrencyGrowths, es.concurrencyBackoffs);
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return rc < 0 ? 1 : 0;
}

}  // namespace ossvp::fusecore
