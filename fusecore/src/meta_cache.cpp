#include "ossvp/fusecore/meta_cache.h"

#include <algorithm>

#include "ossvp/common/log.h"

namespace ossvp::fusecore {

const DirEntry* DirListing::find(const std::string& name) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const DirEntry& e, const std::string& n) { return e.name < n; });
  return it != entries.end() && it->name == name ? &*it : nullptr;
}

MetaCache::MetaCache(std::shared_ptr<ossclient::ObjectClient> client, std::string bucket, MetaCacheOptions options)
    : client_(std::move(client)), bucket_(std::move(bucket)), options_(std::move(options)) {}

Result<DirListingPtr> MetaCache::list(const std::string& dirPrefix) {
  std::promise<Result<DirListingPtr>> promise;
  std::shared_future<Result<DirListingPtr>> waitOn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dirs_.find(dirPrefix);
    if (it != dirs_.end() && options_.now() - it->second->fetched < options_.ttl) {
      return it->second;
    }
    auto f = inflight_.find(dirPrefix);
    if (f != inflight_.end()) {
      waitOn = f->second;
    } else {
      inflight_[dirPrefix] = promise.get_future().share();
    }
  }
  if (waitOn.valid()) return waitOn.get();
  Result<DirListingPtr> r = fetch(dirPrefix);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (r.isOk()) dirs_[dirPrefix] = *r;
    inflight_.erase(dirPrefix);
  }
  promise.set_value(r);
  return r;
}

Result<DirListingPtr> MetaCache::fetch(const std::string& dirPrefix) {
  auto listing = std::make_shared<DirListing>();
  std::map<std::string, DirEntry> byName;
  ossclient::ListRequest req;
  req.bucket = bucket_;
  req.prefix = dirPrefix;
  req.delimiter.assign(1, '/');  // (operator= "/" trips GCC 12 -Wrestrict)
  auto validName = [](const std::string& n) {
    return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos;
  };
  Status st = ossclient::listAll(*client_, req, [&](const ossclient::ListPage& page) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++listCalls_;
    }
    for (const auto& o : page.objects) {
      if (o.key.size() <= dirPrefix.size()) continue;  // the directory marker itself
      std::string name = o.key.substr(dirPrefix.size());
      if (!validName(name)) continue;
      DirEntry e{name, false, o.size, o.mtime, o.etag};
      auto [it, inserted] = byName.emplace(name, e);
      if (!inserted && it->second.isDir) {
        logWarn("fusecore: oss://{}/{} is both a file and a prefix; showing the directory", bucket_, o.key);
      }
    }
    for (const auto& p : page.commonPrefixes) {
      if (p.size() <= dirPrefix.size() + 1) continue;
      std::string name = p.substr(dirPrefix.size(), p.size() - dirPrefix.size() - 1);
      if (!validName(name)) continue;
      auto it = byName.find(name);
      if (it != byName.end() && !it->second.isDir) {
        logWarn("fusecore: oss://{}/{}{} is both a file and a prefix; showing the directory", bucket_, dirPrefix, name);
      }
      byName[name] = DirEntry{name, true, 0, 0, ""};
    }
    return Status::ok();
  });
  if (!st.isOk()) return st.withContext(fmt::format("listing oss://{}/{}", bucket_, dirPrefix));
  listing->entries.reserve(byName.size());
  for (auto& [n, e] : byName) listing->entries.push_back(std::move(e));
  listing->fetched = options_.now();
  return DirListingPtr(listing);
}

void MetaCache::upsert(const std::string& dirPrefix, const DirEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dirs_.find(dirPrefix);
  if (it == dirs_.end()) return;
  auto copy = std::make_shared<DirListing>(*it->second);
  auto pos = std::lower_bound(copy->entries.begin(), copy->entries.end(), entry.name,
                              [](const DirEntry& e, const std::string& n) { return e.name < n; });
  if (pos != copy->entries.end() && pos->name == entry.name) {
    *pos = entry;
  } else {
    copy->entries.insert(pos, entry);
  }
  it->second = copy;
}

void MetaCache::remove(const std::string& dirPrefix, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dirs_.find(dirPrefix);
  if (it == dirs_.end()) return;
  auto copy = std::make_shared<DirListing>(*it->second);
  std::erase_if(copy->entries, [&](const DirEntry& e) { return e.name == name; });
  it->second = copy;
}

void MetaCache::invalidate(const std::string& dirPrefix) {
  std::lock_guard<std::mutex> lock(mu_);
  dirs_.erase(dirPrefix);
}

uint64_t MetaCache::listCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return listCalls_;
}

}  // namespace ossvp::fusecore
