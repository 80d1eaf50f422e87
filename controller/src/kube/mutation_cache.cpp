#include "ossvp/controller/kube/mutation_cache.h"

#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller::kube {

namespace {

std::set<std::string> pluralsOf(const std::vector<Resource>& resources) {
  std::set<std::string> out;
  for (const auto& r : resources) out.insert(r.plural);
  return out;
}

constexpr size_t kPruneAbove = 1024;  // remembered objects before expired ones are swept out

}  // namespace

MutationCache::MutationCache(ApiClient& api, const ObjectReader& cache, const std::vector<Resource>& tracked,
                             const Clock& clock, std::chrono::seconds ttl)
    : api_(api), cache_(cache), tracked_(pluralsOf(tracked)), clock_(clock), ttl_(ttl) {}

std::string MutationCache::keyOf(const Resource& r, const std::string& ns, const std::string& name) {
  return r.plural + "/" + (r.namespaced ? ns : "") + "/" + name;
}

std::string MutationCache::cacheVersion(const Resource& r, const std::string& ns, const std::string& name) const {
  auto cached = cache_.getCached(r, ns, name);
  return cached ? resourceVersionOf(*cached) : "";
}

ObjectPtr MutationCache::newer(const std::string& key, const ObjectPtr& cached) const {
  auto it = written_.find(key);
  if (it == written_.end()) return nullptr;
  const bool fresh = clock_.steadyNow() - it->second.at < ttl_;
  const std::string shown = cached ? resourceVersionOf(*cached) : "";
  if (fresh && shown == it->second.cacheVersion) return it->second.object;
  written_.erase(it);  // the cache has moved on (or the write is too old to trust)
  return nullptr;
}

Result<Object> MutationCache::remember(const Resource& r, const std::string& before, Result<Object> written) {
  if (!written.isOk() || !tracked_.count(r.plural)) return written;
  const Object& obj = *written;
  const auto now = clock_.steadyNow();
  std::lock_guard<std::mutex> lock(mu_);
  // Expired writes are swept out at most once per TTL: a burst keeps more
  // than kPruneAbove fresh ones, and scanning them on every write would
  // put the whole map on the write path.
  if (written_.size() >= kPruneAbove && now - pruned_ >= ttl_) {
    pruned_ = now;
    for (auto it = written_.begin(); it != written_.end();) {
      it = now - it->second.at >= ttl_ ? written_.erase(it) : std::next(it);
    }
  }
  written_[keyOf(r, namespaceOf(obj), nameOf(obj))] = Written{before, std::make_shared<const Object>(obj), now};
  return written;
}

ObjectPtr MutationCache::getCached(const Resource& r, const std::string& ns, const std::string& name) const {
  ObjectPtr cached = cache_.getCached(r, ns, name);
  if (!tracked_.count(r.plural)) return cached;
  std::lock_guard<std::mutex> lock(mu_);
  ObjectPtr mine = newer(keyOf(r, ns, name), cached);
  return mine ? mine : cached;
}

std::vector<ObjectPtr> MutationCache::listCached(const Resource& r, const std::string& ns,
                                                 const LabelPairs& labels) const {
  std::vector<ObjectPtr> out = cache_.listCached(r, ns, labels);
  if (!tracked_.count(r.plural)) return out;
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> listed;
  for (ObjectPtr& o : out) {
    const std::string key = keyOf(r, namespaceOf(*o), nameOf(*o));
    listed.insert(key);
    if (ObjectPtr mine = newer(key, o)) o = mine;  // may no longer match `labels`: filtered below
  }
  // Written objects the cache does not list yet (created, or relabelled to match).
  const std::string prefix = r.plural + "/";
  std::vector<std::string> unlisted;
  for (auto it = written_.lower_bound(prefix); it != written_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    if (!listed.count(it->first)) unlisted.push_back(it->first);
  }
  for (const std::string& key : unlisted) {
    auto it = written_.find(key);
    const Object& obj = *it->second.object;
    if (!ns.empty() && namespaceOf(obj) != ns) continue;
    if (ObjectPtr mine = newer(key, cache_.getCached(r, namespaceOf(obj), nameOf(obj)))) out.push_back(mine);
  }
  std::vector<ObjectPtr> matching;
  for (ObjectPtr& o : out) {
    if (labelsMatch(*o, labels)) matching.push_back(std::move(o));
  }
  return matching;
}

size_t MutationCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return written_.size();
}

Result<Object> MutationCache::get(const Resource& r, const std::string& ns, const std::string& name) {
  return api_.get(r, ns, name);
}

Result<ListResult> MutationCache::list(const Resource& r, const std::string& ns, const ListOptions& options) {
  return api_.list(r, ns, options);
}

Result<Object> MutationCache::create(const Resource& r, const std::string& ns, const Object& obj) {
  std::string before = cacheVersion(r, ns, nameOf(obj));
  return remember(r, before, api_.create(r, ns, obj));
}

Result<Object> MutationCache::update(const Resource& r, const Object& obj) {
  std::string before = cacheVersion(r, namespaceOf(obj), nameOf(obj));
  return remember(r, before, api_.update(r, obj));
}

Result<Object> MutationCache::updateStatus(const Resource& r, const Object& obj) {
  std::string before = cacheVersion(r, namespaceOf(obj), nameOf(obj));
  return remember(r, before, api_.updateStatus(r, obj));
}

Result<Object> MutationCache::patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                                    const Object& patch, bool statusSubresource) {
  std::string before = cacheVersion(r, ns, name);
  return remember(r, before, api_.patch(r, ns, name, type, patch, statusSubresource));
}

Status MutationCache::remove(const Resource& r, const std::string& ns, const std::string& name,
                             const DeleteOptions& options) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    written_.erase(keyOf(r, ns, name));
  }
  return api_.remove(r, ns, name, options);
}

Status MutationCache::watch(const Resource& r, const std::string& ns, const WatchOptions& options,
                            const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) {
  return api_.watch(r, ns, options, onEvent, cancel);
}

}  // namespace ossvp::controller::kube
