#include "ossvp/controller/kube/informer.h"

#include <algorithm>

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"

namespace ossvp::controller::kube {

Informer::Informer(ApiClient& api, Resource resource, InformerOptions options)
    : api_(api), resource_(std::move(resource)), options_(std::move(options)) {}

Informer::~Informer() { stop(); }

void Informer::addHandler(Handler h) { handlers_.push_back(std::move(h)); }

void Informer::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  cancel_.cancel();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return synced_ || cancel_.cancelled(); });
  return synced_;
}

void Informer::dispatch(ChangeType type, const Object& obj) {
  for (const auto& h : handlers_) h(type, obj);
}

Status Informer::relist() {
  std::vector<ObjectPtr> items;
  ListOptions lo;
  lo.labelSelector = options_.labelSelector;
  lo.limit = options_.pageSize;
  std::string rv;
  do {
    auto page = api_.list(resource_, options_.ns, lo);
    if (!page.isOk()) return page.status();
    for (auto& item : page->items) {
      if (!isCacheableObject(item)) {
        logWarn(
            "informer {}: ignored a listed object without usable metadata (name, namespace, "
            "resourceVersion must be strings)",
            resource_.plural);
        continue;
      }
      items.push_back(std::make_shared<const Object>(std::move(item)));
    }
    rv = page->resourceVersion;
    lo.continueToken = page->continueToken;
  } while (!lo.continueToken.empty());

  // Report differences between the old cache and the fresh list.
  std::vector<std::pair<ChangeType, ObjectPtr>> changes;
  for (const auto& obj : items) {
    ObjectPtr old = cache_.get(namespaceOf(*obj), nameOf(*obj));
    if (!old) {
      changes.emplace_back(ChangeType::Added, obj);
    } else if (resourceVersionOf(*old) != resourceVersionOf(*obj)) {
      changes.emplace_back(ChangeType::Modified, obj);
    }
  }
  for (auto& gone : cache_.replace(items)) changes.emplace_back(ChangeType::Deleted, gone);
  resourceVersion_ = rv;
  {
    std::lock_guard<std::mutex> lock(mu_);
    synced_ = true;
  }
  cv_.notify_all();
  for (const auto& [type, obj] : changes) dispatch(type, *obj);
  logDebug("informer {}: listed {} objects at resourceVersion {}", resource_.plural, items.size(), rv);
  return Status::ok();
}

bool Informer::apply(const WatchEvent& ev, bool* needRelist) {
  AppliedWatchEvent a = applyWatchEvent(cache_, ev, &resourceVersion_);
  switch (a.outcome) {
    case AppliedWatchEvent::Outcome::Relist:
      if (a.errorCode == 410) {
        logInfo("informer {}: watch expired ({}), relisting", resource_.plural, a.errorMessage);
      } else {
        logWarn("informer {}: watch error {}: {}", resource_.plural, a.errorCode, a.errorMessage);
      }
      *needRelist = true;
      return false;
    case AppliedWatchEvent::Outcome::Changed: dispatch(a.change, *a.object); return true;
    case AppliedWatchEvent::Outcome::Ignored:
      if (a.malformed) {
        logWarn(
            "informer {}: ignored a {} event whose object has no usable metadata (name, namespace, "
            "resourceVersion must be strings)",
            resource_.plural, ev.type);
      }
      return true;
  }
  return true;
}

void Informer::run() {
  using std::chrono::milliseconds;
  const milliseconds kMinBackoff(200), kMaxBackoff(30000);
  milliseconds backoff = kMinBackoff;
  bool needRelist = true;
  while (!cancel_.cancelled()) {
    if (needRelist) {
      Status s = relist();
      if (!s.isOk()) {
        logWarn("informer {}: list failed, retrying in {} ms: {}", resource_.plural, backoff.count(), s.message());
        if (!cancel_.sleepFor(backoff)) break;
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      needRelist = false;
    }
    WatchOptions wo;
    wo.labelSelector = options_.labelSelector;
    wo.resourceVersion = resourceVersion_;
    wo.timeoutSeconds = options_.watchTimeoutSeconds;
    bool gotEvent = false;
    auto started = std::chrono::steady_clock::now();
    Status s = api_.watch(
        resource_, options_.ns, wo,
        [&](const WatchEvent& ev) {
          gotEvent = true;
          return apply(ev, &needRelist);
        },
        cancel_);
    if (cancel_.cancelled()) break;
    if (isExpired(s)) {
      logInfo("informer {}: resourceVersion {} expired (410), relisting", resource_.plural, wo.resourceVersion);
      needRelist = true;
    } else if (!s.isOk()) {
      logWarn("informer {}: watch failed, reconnecting in {} ms: {}", resource_.plural, backoff.count(), s.message());
      if (!cancel_.sleepFor(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    if (s.isOk() && !needRelist) {
      logDebug("informer {}: watch ended, resuming at resourceVersion {}", resource_.plural, resourceVersion_);
    }
    // A stream that closes at once without events must not become a busy loop.
    if (!gotEvent && std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
      if (!cancel_.sleepFor(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
    } else {
      backoff = kMinBackoff;
    }
  }
}

}  // namespace ossvp::controller::kube
