// InodeTable: the inode numbers this mount has handed to the kernel, keyed
// by (parent inode, name). An inode remembers its object key (files) or key
// prefix ending in "/" (directories; the root's is the mount prefix) and the
// attributes last seen in a listing or HEAD. nlookup follows the FUSE rule:
// +1 per lookup/create/readdirplus entry, -n per forget; at zero the inode is
// dropped. A name that changes kind (file <-> directory) gets a new number.
//
// Thread-safety: internally synchronized; get() returns a copy.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "ossvp/fusecore/meta_cache.h"

namespace ossvp::fusecore {

constexpr uint64_t kRootIno = 1;

struct Inode {
  uint64_t ino = 0;
  uint64_t parent = 0;
  std::string name;
  std::string key;  // object key, or prefix with trailing "/" for directories
  bool isDir = false;
  uint64_t size = 0;
  int64_t mtime = 0;
  std::string etag;
  uint64_t nlookup = 0;
};

class InodeTable {
 public:
  // `rootPrefix`: "" (whole bucket) or "some/prefix/".
  explicit InodeTable(std::string rootPrefix, int64_t rootMtime = 0);

  // Finds or creates the inode for `entry` under `parent` (which must be a
  // directory inode), refreshes its attributes and, when `countLookup`,
  // increments nlookup. Returns a copy; nullopt when `parent` is unknown.
  std::optional<Inode> upsert(uint64_t parent, const DirEntry& entry, bool countLookup);

  std::optional<Inode> get(uint64_t ino) const;
  std::optional<Inode> child(uint64_t parent, const std::string& name) const;

  // Updates a file's attributes (after a write or a revalidating HEAD).
  void setAttrs(uint64_t ino, uint64_t size, int64_t mtime, const std::string& etag);

  // Drops `n` lookups; the inode is removed when none remain (root never).
  void forget(uint64_t ino, uint64_t n);
  // Forgets the (parent, name) binding only (after unlink/rmdir).
  void unbind(uint64_t parent, const std::string& name);

  size_t size() const;

 private:
  mutable std::mutex mu_;
  int64_t rootMtime_ = 0;
  uint64_t next_ = kRootIno + 1;                                 // guarded by mu_
  std::unordered_map<uint64_t, Inode> inodes_;                   // guarded by mu_
  std::map<std::pair<uint64_t, std::string>, uint64_t> byName_;  // guarded by mu_
};

}  // namespace ossvp::fusecore
