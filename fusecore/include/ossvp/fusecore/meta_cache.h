// MetaCache: directory listings of one bucket, cached with a TTL. Metadata
// comes from ListObjectsV2 (delimiter "/"), never from a HeadObject per entry:
// a lookup or getattr of any name in a directory is answered from its cached
// listing, and a name absent from a fresh listing is a cached negative. Only
// size, mtime and ETag are kept. Directories are both implicit (a common
// prefix "a/") and explicit (a zero-byte "a/" marker). When a key is both a
// file "x" and a prefix "x/", the directory wins and the file is hidden (one
// warning is logged): a name cannot be both in a file system.
// Concurrent misses on the same directory share one listing (single flight).
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/object_client.h"

namespace ossvp::fusecore {

struct DirEntry {
  std::string name;  // one path component
  bool isDir = false;
  uint64_t size = 0;
  int64_t mtime = 0;  // epoch seconds; 0 for implicit directories
  std::string etag;
};

struct DirListing {
  std::vector<DirEntry> entries;  // sorted by name, unique names
  std::chrono::steady_clock::time_point fetched;
  const DirEntry* find(const std::string& name) const;
};
using DirListingPtr = std::shared_ptr<const DirListing>;

struct MetaCacheOptions {
  std::chrono::milliseconds ttl{60000};
  // Clock seam for tests.
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

class MetaCache {
 public:
  MetaCache(std::shared_ptr<ossclient::ObjectClient> client, std::string bucket, MetaCacheOptions options = {});

  // The listing of the directory whose key prefix is `dirPrefix` ("" for the
  // bucket root, else ending in "/"), from cache while younger than the TTL.
  Result<DirListingPtr> list(const std::string& dirPrefix);

  // Adds or replaces an entry in a cached listing (after this mount wrote
  // it); no-op when the directory is not cached.
  void upsert(const std::string& dirPrefix, const DirEntry& entry);
  // Removes a name from a cached listing (after an unlink).
  void remove(const std::string& dirPrefix, const std::string& name);
  void invalidate(const std::string& dirPrefix);

  uint64_t listCalls() const;  // ListObjects pages requested so far

 private:
  Result<DirListingPtr> fetch(const std::string& dirPrefix);

  const std::shared_ptr<ossclient::ObjectClient> client_;
  const std::string bucket_;
  const MetaCacheOptions options_;

  mutable std::mutex mu_;
  std::map<std::string, DirListingPtr> dirs_;                                  // guarded by mu_
  std::map<std::string, std::shared_future<Result<DirListingPtr>>> inflight_;  // guarded by mu_
  uint64_t listCalls_ = 0;                                                     // guarded by mu_
};

}  // namespace ossvp::fusecore
