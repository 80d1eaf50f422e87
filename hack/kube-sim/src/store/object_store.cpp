#include "store/object_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <ctime>
#include <set>

#include "ossvp/common/log.h"
#include "ossvp/common/rfc3339.h"
#include "store/cluster_context.h"
#include "store/patch.h"

namespace ossvp::kubesim {
namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

std::string newUid() {
  std::uniform_int_distribution<int> d(0, 15);
  const char* hex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : s) {
    if (c == 'x') c = hex[d(rng())];
    if (c == 'y') c = hex[8 + d(rng()) % 4];
  }
  return s;
}

std::string randomSuffix() {
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<size_t> d(0, alphabet.size() - 1);
  std::string s;
  for (int i = 0; i < 5; i++) s += alphabet[d(rng())];
  return s;
}

const json& meta(const json& obj) {
  static const json empty = json::object();
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : empty;
}

std::string metaStr(const json& obj, const char* field) {
  const json& m = meta(obj);
  auto it = m.find(field);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

bool hasFinalizers(const json& obj) {
  const json& m = meta(obj);
  return m.contains("finalizers") && m["finalizers"].is_array() && !m["finalizers"].empty();
}

bool isDeleting(const json& obj) { return !metaStr(obj, "deletionTimestamp").empty(); }

// Storage key of core/v1 and events.k8s.io/v1 Events (one storage).
const std::string kEventsKey = "/events";

bool hasFinalizer(const json& obj, const std::string& f) {
  const json& m = meta(obj);
  if (!m.contains("finalizers") || !m["finalizers"].is_array()) return false;
  for (const auto& e : m["finalizers"]) {
    if (e == f) return true;
  }
  return false;
}

void removeFinalizer(json& obj, const std::string& f) {
  json& fins = obj["metadata"]["finalizers"];
  json kept = json::array();
  for (const auto& e : fins) {
    if (e != f) kept.push_back(e);
  }
  if (kept.empty()) {
    obj["metadata"].erase("finalizers");
  } else {
    fins = kept;
  }
}

// Everything but metadata (and status when it is a subresource): what a
// generation bump looks at.
json specPart(const json& obj, bool statusIsSubresource) {
  json out = obj;
  out.erase("metadata");
  out.erase("apiVersion");
  out.erase("kind");
  if (statusIsSubresource) out.erase("status");
  return out;
}

json withoutVolatile(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("resourceVersion");
    obj["metadata"].erase("managedFields");
  }
  return obj;
}

uint64_t parseRv(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoull(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace

// ---------------------------------------------------------------- Watch

void Watch::push(WatchEvent ev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    queue_.push_back(std::move(ev));
  }
  cv_.notify_all();
}

std::optional<WatchEvent> Watch::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return std::nullopt;
  WatchEvent ev = std::move(queue_.front());
  queue_.pop_front();
  if (ev.type == "ERROR") closed_ = true;
  return ev;
}

bool Watch::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_ && queue_.empty();
}

void Watch::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

Subscription& Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    stop();
    watch_ = std::move(o.watch_);
    thread_ = std::move(o.thread_);
  }
  return *this;
}

Subscription::~Subscription() { stop(); }

void Subscription::stop() {
  if (watch_) watch_->stop();
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

// ---------------------------------------------------------------- ObjectStore

bool ObjectStore::watchMatches(const Watch& w, const json& obj) {
  if (obj.is_null()) return false;
  if (!w.ns_.empty() && metaStr(obj, "namespace") != w.ns_) return false;
  return w.labels_.matchesObject(obj) && w.fields_.matches(obj);
}

// Turns a stored change into what this watcher sees: an update that
// starts matching its selector is ADDED, one that stops matching is DELETED
// (old content, new resourceVersion).
void ObjectStore::deliver(Watch& w, const Event& ev) {
  bool now = ev.type != "DELETED" && watchMatches(w, ev.object);
  bool before = ev.type == "DELETED" ? watchMatches(w, ev.object) : watchMatches(w, ev.oldObject);
  if (ev.type == "DELETED") {
    if (before) w.push({"DELETED", ev.object, ev.rv});
  } else if (now && before) {
    w.push({"MODIFIED", ev.object, ev.rv});
  } else if (now) {
    w.push({"ADDED", ev.object, ev.rv});
  } else if (before) {
    json gone = ev.oldObject;
    gone["metadata"]["resourceVersion"] = std::to_string(ev.rv);
    w.push({"DELETED", gone, ev.rv});
  }
}

ObjectStore::ObjectStore(StoreOptions options) : options_(std::move(options)) {
  if (options_.historySize == 0) options_.historySize = 1;
  loadSnapshot();
  flushThread_ = std::thread([this] { flushLoop(); });
}

ObjectStore::~ObjectStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  flushCv_.notify_all();
  if (flushThread_.joinable()) flushThread_.join();
  flush();
  dropAllWatches();
}

void ObjectStore::addAdmission(AdmissionHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  admission_.push_back(std::move(hook));
}

void ObjectStore::addCommitHook(CommitHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  commitHooks_.push_back(std::move(hook));
}

ApiResult<ResourceInfo> ObjectStore::resolve(const GVR& gvr) const {
  auto info = registry_.find(gvr);
  if (!info) {
    ApiError e = errNotFound(gvr.group, gvr.resource, "");
    e.message = "the server could not find the requested resource";
    e.details = json::object();
    return e;
  }
  return *info;
}

std::string ObjectStore::storageKeyOf(const ResourceInfo& info) {
  return info.storageGroup + "/" + info.storageResource;
}

uint64_t ObjectStore::currentResourceVersion() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

std::optional<ApiError> ObjectStore::checkNamespaceLocked(const ResourceInfo& info, const std::string& ns) const {
  if (!info.namespaced) return std::nullopt;
  if (ns.empty()) return errBadRequest("the namespace of the object must be set for a namespaced resource");
  auto it = objects_.find("/namespaces");
  const json* nsObj = nullptr;
  if (it != objects_.end()) {
    auto o = it->second.find({"", ns});
    if (o != it->second.end()) nsObj = o->second.get();
  }
  if (!nsObj) return errNotFound("", "namespaces", ns);
  if (isDeleting(*nsObj)) {
    ApiError e = errForbidden(info.gvr.groupResource() + " is forbidden: unable to create new content in namespace " +
                              ns + " because it is being terminated");
    e.details = {{"name", ns}, {"kind", "namespaces"}};
    return e;
  }
  return std::nullopt;
}

std::optional<ApiError> ObjectStore::admitLocked(Operation op, const ResourceInfo& info, const json* old,
                                                 const WriteOptions& o, const std::string& ns, json& obj) {
  AdmissionRequest req{op, info, old, o, ns};
  for (const auto& hook : admission_) {
    if (auto err = hook(req, obj)) return err;
  }
  return std::nullopt;
}

void ObjectStore::recordLocked(const ResourceInfo& info, const std::string& type, json obj, json old) {
  for (const auto& hook : commitHooks_) hook(info, type, obj);
  Event ev{rv_, storageKeyOf(info), type, std::move(obj), std::move(old)};
  // Dispatch to live watches (with selector transitions).
  std::vector<std::weak_ptr<Watch>> alive;
  for (auto& weak : watches_) {
    auto w = weak.lock();
    if (!w || w->closed()) continue;
    alive.push_back(weak);
    if (w->storageKey_ != ev.storageKey) continue;
    deliver(*w, ev);
  }
  watches_ = std::move(alive);
  // Bounded per resource, like the API server's per-resource watch cache.
  History& h = history_[ev.storageKey];
  h.events.push_back(std::move(ev));
  while (h.events.size() > options_.historySize) {
    h.compactedRv = h.events.front().rv;
    h.events.pop_front();
  }
  dirty_ = true;  // the flush thread looks every 100 ms
}

ApiResult<json> ObjectStore::create(const GVR& gvr, const std::string& ns, json obj, const WriteOptions& o) {
  auto info = resolve(gvr);
  if (!info) return info.error();
  std::lock_guard<std::mutex> lock(mu_);
  return createLocked(*info, ns, std::move(obj), o);
}

ApiResult<json> ObjectStore::createLocked(const ResourceInfo& info, const std::string& nsIn, json obj,
                                          const WriteOptions& o) {
  if (!obj.is_object()) return errBadRequest("the body of the request must be a JSON object");
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  json& m = obj["metadata"];
  std::string ns = nsIn;
  if (info.namespaced) {
    std::string bodyNs = metaStr(obj, "namespace");
    if (ns.empty()) ns = bodyNs;
    if (!bodyNs.empty() && bodyNs != ns) {
      return errBadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    m["namespace"] = ns;
    if (auto err = checkNamespaceLocked(info, ns)) return *err;
  } else {
    m.erase("namespace");
  }
  obj["apiVersion"] = info.gvr.groupVersion();
  obj["kind"] = info.kind;
  if (info.hasStatusSubresource) obj.erase("status");
  m["uid"] = newUid();
  m["creationTimestamp"] = nowRfc3339();
  m.erase("deletionTimestamp");
  m.erase("deletionGracePeriodSeconds");
  m.erase("resourceVersion");
  m.erase("selfLink");
  m.erase("managedFields");
  if (info.tracksGeneration) {
    m["generation"] = 1;
  } else {
    m.erase("generation");
  }
  std::string name = metaStr(obj, "name");
  std::string generate = metaStr(obj, "generateName");
  if (name.empty() && generate.empty()) {
    return errInvalid(info.gvr.group, info.kind, "",
                      json::array({invalidCause("FieldValueRequired", "metadata.name",
                                                "Required value: name or generateName is required")}));
  }
  if (auto err = admitLocked(Operation::Create, info, nullptr, o, ns, obj)) return *err;
  ObjectMap& objs = objects_[storageKeyOf(info)];
  if (name.empty()) {
    std::string prefix = generate.substr(0, std::min<size_t>(generate.size(), 58));
    for (int attempt = 0; attempt < 8; attempt++) {
      name = prefix + randomSuffix();
      if (!objs.count({ns, name})) break;
    }
    obj["metadata"]["name"] = name;
  }
  if (objs.count({ns, name})) return errAlreadyExists(info.gvr.group, info.gvr.resource, name);
  if (o.dryRun) return obj;
  rv_++;
  obj["metadata"]["resourceVersion"] = std::to_string(rv_);
  objs[{ns, name}] = std::make_shared<const json>(obj);
  recordLocked(info, "ADDED", obj, json());
  return obj;
}

ApiResult<json> ObjectStore::get(const GVR& gvr, const std::string& ns, const std::string& name) const {
  auto info = resolve(gvr);
  if (!info) return info.error();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(storageKeyOf(*info));
  std::string key = info->namespaced ? ns : "";
  if (it != objects_.end()) {
    auto o = it->second.find({key, name});
    if (o != it->second.end()) return *o->second;
  }
  return errNotFound(gvr.group, gvr.resource, name);
}

ApiResult<ListResult> ObjectStore::list(const GVR& gvr, const std::string& ns, const ListOptions& o) const {
  auto info = resolve(gvr);
  if (!info) return info.error();
  auto labels = LabelSelector::parse(o.labelSelector);
  if (!labels) return labels.error();
  auto fields = FieldSelector::parse(o.fieldSelector, info->fieldSelectors, info->namespaced);
  if (!fields) return fields.error();
  ListResult out;
  uint64_t continueRv = 0;
  std::string start;  // continue token: "<rv>|<ns>/<name>" of the last item returned
  if (!o.continueToken.empty()) {
    size_t bar = o.continueToken.find('|');
    if (bar == std::string::npos) return errBadRequest("continue key is not valid");
    continueRv = parseRv(o.continueToken.substr(0, bar));
    start = o.continueToken.substr(bar + 1);
  }
  std::vector<ObjectPtr> matched;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out.resourceVersion = continueRv ? continueRv : rv_;
    auto it = objects_.find(storageKeyOf(*info));
    if (it == objects_.end()) return out;
    for (const auto& [key, ptr] : it->second) {
      if (info->namespaced && !ns.empty() && key.first != ns) continue;
      if (!start.empty() && key.first + "/" + key.second <= start) continue;
      if (!labels->matchesObject(*ptr) || !fields->matches(*ptr)) continue;
      matched.push_back(ptr);
    }
  }
  // The objects are immutable once stored: copied without holding the lock.
  size_t n = matched.size();
  if (o.limit > 0 && static_cast<size_t>(o.limit) < n) {
    n = static_cast<size_t>(o.limit);
    const json& last = *matched[n - 1];
    out.continueToken = std::to_string(out.resourceVersion) + "|" + metaStr(last, "namespace") + "/" +
                        metaStr(last, "name");
    out.remainingItemCount = static_cast<int64_t>(matched.size() - n);
  }
  out.items.reserve(n);
  for (size_t i = 0; i < n; i++) out.items.push_back(*matched[i]);
  return out;
}

std::vector<std::shared_ptr<const json>> ObjectStore::listShared(const GVR& gvr, const std::string& ns) const {
  std::vector<ObjectPtr> out;
  auto info = registry_.find(gvr);
  if (!info) return out;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(storageKeyOf(*info));
  if (it == objects_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [key, ptr] : it->second) {
    if (info->namespaced && !ns.empty() && key.first != ns) continue;
    out.push_back(ptr);
  }
  return out;
}

ApiResult<json> ObjectStore::update(const GVR& gvr, const std::string& ns, json obj, const WriteOptions& o) {
  auto info = resolve(gvr);
  if (!info) return info.error();
  std::lock_guard<std::mutex> lock(mu_);
  return updateLocked(*info, ns, std::move(obj), o, nullptr);
}

ApiResult<json> ObjectStore::updateStatus(const GVR& gvr, const std::string& ns, json obj, WriteOptions o) {
  o.statusSubresource = true;
  return update(gvr, ns, std::move(obj), o);
}

ApiResult<json> ObjectStore::updateLocked(const ResourceInfo& info, const std::string& nsIn, json obj,
                                          const WriteOptions& o, const json* /*precomputedOld*/) {
  if (!obj.is_object()) return errBadRequest("the body of the request must be a JSON object");
  std::string ns = info.namespaced ? nsIn : "";
  std::string name = metaStr(obj, "name");
  if (info.namespaced) {
    std::string bodyNs = metaStr(obj, "namespace");
    if (ns.empty()) ns = bodyNs;
    if (!bodyNs.empty() && bodyNs != ns) {
      return errBadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  if (name.empty()) {
    return errInvalid(info.gvr.group, info.kind, "",
                      json::array({invalidCause("FieldValueRequired", "metadata.name", "Required value: name is required")}));
  }
  ObjectMap& objs = objects_[storageKeyOf(info)];
  auto it = objs.find({ns, name});
  if (it == objs.end()) return errNotFound(info.gvr.group, info.gvr.resource, name);
  const ObjectPtr oldPtr = it->second;  // keeps `old` alive after the commit replaces it
  const json& old = *oldPtr;
  std::string rv = metaStr(obj, "resourceVersion");
  if (!o.ignoreResourceVersion) {
    if (rv.empty() && !info.allowUnconditionalUpdate) {
      return errInvalid(info.gvr.group, info.kind, name,
                        json::array({invalidCause("FieldValueInvalid", "metadata.resourceVersion",
                                                  "Invalid value: 0x0: must be specified for an update")}));
    }
    if (!rv.empty() && rv != metaStr(old, "resourceVersion")) {
      return errConflict(info.gvr.group, info.gvr.resource, name);
    }
  }
  json next;
  if (o.statusSubresource) {
    next = old;
    if (obj.contains("status")) {
      next["status"] = obj["status"];
    } else {
      next.erase("status");
    }
    if (!info.isCustom && obj.contains("metadata")) {
      // Core status strategies keep spec but accept metadata label/annotation changes.
      for (const char* f : {"labels", "annotations"}) {
        if (obj["metadata"].contains(f)) {
          next["metadata"][f] = obj["metadata"][f];
        } else {
          next["metadata"].erase(f);
        }
      }
    }
  } else {
    next = std::move(obj);
    if (info.hasStatusSubresource) {
      if (old.contains("status")) {
        next["status"] = old["status"];
      } else {
        next.erase("status");
      }
    }
  }
  return commitUpdateLocked(info, ns, old, std::move(next), o);
}

ApiResult<json> ObjectStore::commitUpdateLocked(const ResourceInfo& info, const std::string& ns, const json& old,
                                                json obj, const WriteOptions& o) {
  const std::string name = metaStr(old, "name");
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  json& m = obj["metadata"];
  if (metaStr(obj, "name") != name) {
    return errBadRequest("the name of the object (" + metaStr(obj, "name") +
                         ") does not match the name on the URL (" + name + ")");
  }
  obj["apiVersion"] = info.gvr.groupVersion();
  obj["kind"] = info.kind;
  if (info.namespaced) m["namespace"] = ns;
  const json& om = old["metadata"];
  for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                        "generateName"}) {
    if (om.contains(f)) {
      m[f] = om[f];
    } else {
      m.erase(f);
    }
  }
  m.erase("managedFields");
  m.erase("selfLink");
  if (m.contains("finalizers") && m["finalizers"].is_array() && m["finalizers"].empty()) m.erase("finalizers");
  if (isDeleting(old) && m.contains("finalizers")) {
    for (const auto& f : m["finalizers"]) {
      if (!hasFinalizer(old, f.is_string() ? f.get<std::string>() : "")) {
        return errInvalid(info.gvr.group, info.kind, name,
                          json::array({invalidCause("FieldValueForbidden", "metadata.finalizers",
                                                    "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [\"" +
                                                        f.get<std::string>() + "\"]")}));
      }
    }
  }
  if (info.tracksGeneration) {
    int64_t gen = om.value("generation", int64_t{1});
    if (specPart(old, info.hasStatusSubresource) != specPart(obj, info.hasStatusSubresource)) gen++;
    m["generation"] = gen;
  } else {
    m.erase("generation");
  }
  if (auto err = admitLocked(Operation::Update, info, &old, o, ns, obj)) return *err;
  obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"];
  if (withoutVolatile(obj) == withoutVolatile(old)) return old;  // no-op write: old RV, no event
  if (o.dryRun) return obj;
  rv_++;
  obj["metadata"]["resourceVersion"] = std::to_string(rv_);
  if (isDeleting(obj) && !hasFinalizers(obj)) {
    eraseLocked(info, ns, name, obj);
    collectGarbageLocked();
    return obj;
  }
  objects_[storageKeyOf(info)][{ns, name}] = std::make_shared<const json>(obj);
  recordLocked(info, "MODIFIED", obj, old);
  if (isDeleting(obj)) collectGarbageLocked();
  return obj;
}

ApiResult<json> ObjectStore::patch(const GVR& gvr, const std::string& nsIn, const std::string& name, PatchType type,
                                   const json& patchBody, const WriteOptions& o) {
  auto info = resolve(gvr);
  if (!info) return info.error();
  if (type == PatchType::StrategicMergePatch && info->isCustom) {
    return errUnsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string ns = info->namespaced ? nsIn : "";
  ObjectMap& objs = objects_[storageKeyOf(*info)];
  auto it = objs.find({ns, name});
  if (it == objs.end()) {
    if (type == PatchType::ApplyPatch && !o.statusSubresource) {
      json obj = patchBody;
      if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
      obj["metadata"]["name"] = name;
      return createLocked(*info, ns, std::move(obj), o);
    }
    return errNotFound(gvr.group, gvr.resource, name);
  }
  const ObjectPtr oldPtr = it->second;
  const json& old = *oldPtr;
  ApiResult<json> patched = [&]() -> ApiResult<json> {
    switch (type) {
      case PatchType::JsonPatch: return applyJsonPatch(old, patchBody, info->kind, name);
      case PatchType::MergePatch: return applyMergePatch(old, patchBody);
      case PatchType::StrategicMergePatch: return applyStrategicMergePatch(old, patchBody);
      case PatchType::ApplyPatch: {
        // Server-side apply approximation: the applied configuration is merged
        // into the live object (maps merge, lists keyed like SMP for built-ins).
        if (info->isCustom) return applyMergePatch(old, patchBody);
        return applyStrategicMergePatch(old, patchBody);
      }
    }
    return errBadRequest("unknown patch type");
  }();
  if (!patched) return patched.error();
  json next = std::move(patched).value();
  if (!next.is_object()) return errBadRequest("the patched object is not a JSON object");
  std::string wantRv = metaStr(next, "resourceVersion");
  if (!wantRv.empty() && wantRv != metaStr(old, "resourceVersion")) {
    return errConflict(info->gvr.group, info->gvr.resource, name);
  }
  if (metaStr(next, "name") != name) {
    return errBadRequest("metadata.name: the name of the object (" + metaStr(next, "name") +
                         ") does not match the name on the URL (" + name + ")");
  }
  WriteOptions wo = o;
  wo.ignoreResourceVersion = true;
  if (o.statusSubresource) {
    json merged = old;
    if (next.contains("status")) {
      merged["status"] = next["status"];
    } else {
      merged.erase("status");
    }
    if (!info->isCustom) {
      for (const char* f : {"labels", "annotations"}) {
        if (next["metadata"].contains(f)) {
          merged["metadata"][f] = next["metadata"][f];
        } else {
          merged["metadata"].erase(f);
        }
      }
    }
    return commitUpdateLocked(*info, ns, old, std::move(merged), wo);
  }
  if (info->hasStatusSubresource) {
    if (old.contains("status")) {
      next["status"] = old["status"];
    } else {
      next.erase("status");
    }
  }
  return commitUpdateLocked(*info, ns, old, std::move(next), wo);
}

ApiResult<json> ObjectStore::remove(const GVR& gvr, const std::string& ns, const std::string& name,
                                    const DeleteOptions& o) {
  auto info = resolve(gvr);
  if (!info) return info.error();
  std::lock_guard<std::mutex> lock(mu_);
  auto r = removeLocked(*info, info->namespaced ? ns : "", name, o);
  collectGarbageLocked();
  return r;
}

ApiResult<json> ObjectStore::removeLocked(const ResourceInfo& info, const std::string& ns, const std::string& name,
                                          const DeleteOptions& o) {
  ObjectMap& objs = objects_[storageKeyOf(info)];
  auto it = objs.find({ns, name});
  if (it == objs.end()) return errNotFound(info.gvr.group, info.gvr.resource, name);
  const ObjectPtr oldPtr = it->second;
  json obj = *oldPtr;
  if (o.preconditionUid && *o.preconditionUid != metaStr(obj, "uid")) {
    ApiError e = errConflict(info.gvr.group, info.gvr.resource, name,
                             "Precondition failed: UID in precondition: " + *o.preconditionUid +
                                 ", UID in object meta: " + metaStr(obj, "uid"));
    return e;
  }
  if (o.preconditionResourceVersion && *o.preconditionResourceVersion != metaStr(obj, "resourceVersion")) {
    return errConflict(info.gvr.group, info.gvr.resource, name,
                       "Precondition failed: ResourceVersion in precondition: " + *o.preconditionResourceVersion +
                           ", ResourceVersion in object meta: " + metaStr(obj, "resourceVersion"));
  }
  if (auto err = admitLocked(Operation::Delete, info, oldPtr.get(), WriteOptions{}, ns, obj)) return *err;
  if (o.dryRun) return obj;
  const json& old = *oldPtr;
  json& m = obj["metadata"];
  bool changed = false;
  auto addFinalizer = [&](const std::string& f) {
    if (hasFinalizer(obj, f)) return;
    if (!m.contains("finalizers") || !m["finalizers"].is_array()) m["finalizers"] = json::array();
    m["finalizers"].push_back(f);
    changed = true;
  };
  if (o.propagationPolicy == "Orphan") addFinalizer("orphan");
  if (o.propagationPolicy == "Foreground") addFinalizer("foregroundDeletion");
  // Pods on a node that are not finished terminate gracefully: the
  // kubelet (or the grace-expiry sweep) finishes the delete.
  int64_t grace = 0;
  if (info.gvr.resource == "pods" && info.gvr.group.empty()) {
    std::string phase = obj.contains("status") ? obj["status"].value("phase", "") : "";
    bool onNode = obj.contains("spec") && !obj["spec"].value("nodeName", "").empty();
    if (onNode && phase != "Succeeded" && phase != "Failed") {
      grace = o.gracePeriodSeconds ? *o.gracePeriodSeconds
                                   : obj["spec"].value("terminationGracePeriodSeconds", int64_t{30});
      if (isDeleting(obj) && m.contains("deletionGracePeriodSeconds") &&
          m["deletionGracePeriodSeconds"].get<int64_t>() <= grace && grace != 0) {
        grace = m["deletionGracePeriodSeconds"].get<int64_t>();
      }
    }
  }
  bool isNamespace = info.gvr.resource == "namespaces" && info.gvr.group.empty();
  if (hasFinalizers(obj) || grace > 0 || isNamespace) {
    if (!isDeleting(obj)) {
      // Like the API server: a graceful pod delete stamps now + grace period.
      m["deletionTimestamp"] = formatRfc3339(static_cast<int64_t>(std::time(nullptr)) + grace);
      m["deletionGracePeriodSeconds"] = grace;
      if (isNamespace) obj["status"]["phase"] = "Terminating";
      changed = true;
    } else if (grace > 0 && m.value("deletionGracePeriodSeconds", int64_t{0}) != grace) {
      m["deletionGracePeriodSeconds"] = grace;
      changed = true;
    } else if (grace == 0 && !hasFinalizers(obj) && !isNamespace) {
      eraseLocked(info, ns, name, obj);
      return obj;
    }
    if (changed) {
      rv_++;
      m["resourceVersion"] = std::to_string(rv_);
      objs[{ns, name}] = std::make_shared<const json>(obj);
      recordLocked(info, "MODIFIED", obj, old);
    }
    return obj;
  }
  eraseLocked(info, ns, name, obj);
  return obj;
}

void ObjectStore::eraseLocked(const ResourceInfo& info, const std::string& ns, const std::string& name, json last) {
  objects_[storageKeyOf(info)].erase({ns, name});
  rv_++;
  last["metadata"]["resourceVersion"] = std::to_string(rv_);
  recordLocked(info, "DELETED", last, last);
}

void ObjectStore::collectGarbageLocked() {
  // Iterate to a fixed point: each pass may delete objects that free others.
  for (int pass = 0; pass < 50; pass++) {
    bool progress = false;
    // Runs after every delete over every object (thousands of Events at
    // scale): the scan touches only metadata and records the uids of the
    // owners that objects refer to, not every uid.
    // Events (most of the objects) are neither owners nor owned here; they
    // go with their namespace only.
    std::set<std::string> referenced;  // owner uids named by some ownerReference
    std::set<std::string> foregroundOwners;
    std::set<std::string> orphanOwners;
    for (const auto& [key, objs] : objects_) {
      if (key == kEventsKey) continue;
      for (const auto& [k, ptr] : objs) {
        const json& m = meta(*ptr);
        if (m.contains("deletionTimestamp")) {
          if (hasFinalizer(*ptr, "foregroundDeletion")) foregroundOwners.insert(metaStr(*ptr, "uid"));
          if (hasFinalizer(*ptr, "orphan")) orphanOwners.insert(metaStr(*ptr, "uid"));
        }
        auto refs = m.find("ownerReferences");
        if (refs == m.end() || !refs->is_array()) continue;
        for (const auto& ref : *refs) {
          if (ref.is_object()) referenced.insert(ref.value("uid", ""));
        }
      }
    }
    std::set<std::string> uids;  // the referenced owners that exist
    if (!referenced.empty()) {
      for (const auto& [key, objs] : objects_) {
        if (key == kEventsKey) continue;
        for (const auto& [k, ptr] : objs) {
          const json& m = meta(*ptr);
          auto uid = m.find("uid");
          if (uid != m.end() && uid->is_string() && referenced.count(uid->get_ref<const std::string&>())) {
            uids.insert(uid->get<std::string>());
          }
        }
      }
    }
    struct Action {
      std::string key;
      std::pair<std::string, std::string> id;
      int kind;  // 0 delete, 1 rewrite ownerReferences, 2 drop GC finalizer, 3 namespace content
      json obj;
    };
    std::vector<Action> actions;
    std::set<std::string> dependentsOf;  // owners that still have dependents
    std::set<std::string> terminatingNs;
    for (const auto& [k, ptr] : objects_["/namespaces"]) {
      if (isDeleting(*ptr)) terminatingNs.insert(k.second);
    }
    std::set<std::string> nonEmptyNs;
    for (const auto& [key, objs] : objects_) {
      if (key == kEventsKey && terminatingNs.empty()) continue;
      for (const auto& [id, ptr] : objs) {
        const json& obj = *ptr;
        if (!terminatingNs.empty() && !id.first.empty() && terminatingNs.count(id.first)) {
          nonEmptyNs.insert(id.first);
          if (!isDeleting(obj)) actions.push_back({key, id, 3, obj});
        }
        const json& m = meta(obj);
        if (referenced.empty() || !m.contains("ownerReferences") || !m["ownerReferences"].is_array()) continue;
        json kept = json::array();
        bool dangling = false;
        bool orphaned = false;
        for (const auto& ref : m["ownerReferences"]) {
          std::string ou = ref.value("uid", "");
          if (orphanOwners.count(ou)) {
            orphaned = true;
            continue;
          }
          if (!uids.count(ou)) {
            dangling = true;
            continue;
          }
          if (foregroundOwners.count(ou)) {
            dependentsOf.insert(ou);
            if (!isDeleting(obj)) actions.push_back({key, id, 0, obj});
          }
          kept.push_back(ref);
        }
        if (orphaned || dangling) {
          if (kept.empty() && dangling && !orphaned) {
            if (!isDeleting(obj)) actions.push_back({key, id, 0, obj});
          } else {
            json next = obj;
            if (kept.empty()) {
              next["metadata"].erase("ownerReferences");
            } else {
              next["metadata"]["ownerReferences"] = kept;
            }
            actions.push_back({key, id, 1, next});
          }
        }
      }
    }
    for (const auto& [key, objs] : objects_) {
      if (foregroundOwners.empty() && orphanOwners.empty()) break;
      for (const auto& [id, ptr] : objs) {
        const json& obj = *ptr;
        std::string uid = metaStr(obj, "uid");
        if (foregroundOwners.count(uid) && !dependentsOf.count(uid)) {
          json next = obj;
          removeFinalizer(next, "foregroundDeletion");
          actions.push_back({key, id, 2, next});
        } else if (orphanOwners.count(uid)) {
          json next = obj;
          removeFinalizer(next, "orphan");
          actions.push_back({key, id, 2, next});
        }
      }
    }
    for (const auto& ns : terminatingNs) {
      if (nonEmptyNs.count(ns)) continue;
      auto it = objects_["/namespaces"].find({"", ns});
      if (it != objects_["/namespaces"].end() && !hasFinalizers(*it->second)) {
        actions.push_back({"/namespaces", {"", ns}, 4, *it->second});
      }
    }
    if (actions.empty()) return;
    std::map<std::string, ResourceInfo> infos;
    for (const auto& info : registry_.all()) infos.emplace(storageKeyOf(info), info);
    for (auto& a : actions) {
      auto infoIt = infos.find(a.key);
      if (infoIt == infos.end()) continue;
      const ResourceInfo& info = infoIt->second;
      auto cur = objects_[a.key].find(a.id);
      if (cur == objects_[a.key].end()) continue;
      if (a.kind == 0 || a.kind == 3) {
        DeleteOptions d;
        d.propagationPolicy = "Background";
        if (a.kind == 3) d.gracePeriodSeconds = 0;
        (void)removeLocked(info, a.id.first, a.id.second, d);
        progress = true;
      } else if (a.kind == 4) {
        eraseLocked(info, a.id.first, a.id.second, a.obj);
        progress = true;
      } else {
        const ObjectPtr oldPtr = cur->second;
        const json& old = *oldPtr;
        json next = a.obj;
        if (withoutVolatile(next) == withoutVolatile(old)) continue;
        rv_++;
        next["metadata"]["resourceVersion"] = std::to_string(rv_);
        if (isDeleting(next) && !hasFinalizers(next)) {
          eraseLocked(info, a.id.first, a.id.second, next);
        } else {
          cur->second = std::make_shared<const json>(next);
          recordLocked(info, "MODIFIED", next, old);
        }
        progress = true;
      }
    }
    if (!progress) return;
  }
}

ApiResult<std::shared_ptr<Watch>> ObjectStore::watch(const GVR& gvr, const std::string& nsIn, const WatchOptions& o) {
  auto info = resolve(gvr);
  if (!info) return info.error();
  auto labels = LabelSelector::parse(o.labelSelector);
  if (!labels) return labels.error();
  auto fields = FieldSelector::parse(o.fieldSelector, info->fieldSelectors, info->namespaced);
  if (!fields) return fields.error();
  auto w = std::make_shared<Watch>();
  w->storageKey_ = storageKeyOf(*info);
  w->ns_ = info->namespaced ? nsIn : "";
  w->labels_ = *labels;
  w->fields_ = *fields;
  w->bookmarks_ = o.allowBookmarks;
  w->kind_ = info->kind;
  w->apiVersion_ = info->gvr.groupVersion();
  std::lock_guard<std::mutex> lock(mu_);
  auto matches = [&](const json& obj) { return watchMatches(*w, obj); };
  uint64_t from = o.resourceVersion.value_or(0);
  if (from == 0) {
    auto it = objects_.find(w->storageKey_);
    if (it != objects_.end()) {
      for (const auto& [id, ptr] : it->second) {
        if (matches(*ptr)) w->push({"ADDED", *ptr, parseRv(metaStr(*ptr, "resourceVersion"))});
      }
    }
  } else if (uint64_t floor = std::max(compactedRv_, history_[w->storageKey_].compactedRv); from < floor) {
    ApiError e = errExpired("too old resource version: " + std::to_string(from) + " (" +
                            std::to_string(floor + 1) + ")");
    w->push({"ERROR", e.toStatus(), 0});
    return w;
  } else {
    for (const auto& ev : history_[w->storageKey_].events) {
      if (ev.rv > from) deliver(*w, ev);
    }
  }
  watches_.push_back(w);
  return w;
}

ApiResult<Subscription> ObjectStore::subscribe(const GVR& gvr, const std::string& ns, const WatchOptions& o,
                                               std::function<bool(const WatchEvent&)> cb) {
  auto w = watch(gvr, ns, o);
  if (!w) return w.error();
  std::shared_ptr<Watch> watch = *w;
  std::thread t([watch, cb = std::move(cb)] {
    while (!watch->closed()) {
      auto ev = watch->next(std::chrono::milliseconds(200));
      if (!ev) continue;
      if (!cb(*ev)) {
        watch->stop();
        return;
      }
    }
  });
  return Subscription(watch, std::move(t));
}

void ObjectStore::dropAllWatches() {
  std::vector<std::weak_ptr<Watch>> ws;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ws.swap(watches_);
  }
  for (auto& weak : ws) {
    if (auto w = weak.lock()) w->stop();
  }
}

void ObjectStore::compactHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  history_.clear();
  compactedRv_ = rv_;
}

void ObjectStore::sweepExpiredPodsLocked() {
  // Stand-in for the kubelet / pod GC: a gracefully deleted pod whose grace
  // period (plus 5 s for the kubelet actor to finish it) has run out is removed.
  // Not on a powered-off node (kubesim.io/power=off): as in Kubernetes such a
  // pod stays Terminating until its node is back or deleted (pod GC).
  auto info = registry_.find(gvr::kPods);
  if (!info) return;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<std::pair<std::string, std::string>> expired;
  const ObjectMap& nodes = objects_["/nodes"];
  for (const auto& [id, ptr] : objects_["/pods"]) {
    const json& pod = *ptr;
    std::string ts = metaStr(pod, "deletionTimestamp");
    if (ts.empty() || hasFinalizers(pod)) continue;
    std::string nodeName = pod.contains("spec") ? pod["spec"].value("nodeName", "") : "";
    auto node = nodes.find({"", nodeName});
    if (node != nodes.end() && meta(*node->second).value("annotations", json::object()).value("kubesim.io/power", "") == "off") continue;
    std::optional<int64_t> t = parseRfc3339Seconds(ts);
    if (t && now > *t + 5) expired.push_back(id);
  }
  for (const auto& id : expired) {
    auto it = objects_["/pods"].find(id);
    if (it == objects_["/pods"].end()) continue;
    json last = *it->second;
    eraseLocked(*info, id.first, id.second, last);
  }
  if (!expired.empty()) collectGarbageLocked();
}

// ---------------------------------------------------------------- persistence

void ObjectStore::loadSnapshot() {
  if (options_.stateDir.empty()) return;
  std::filesystem::path file = std::filesystem::path(options_.stateDir) / "store.json";
  std::ifstream in(file);
  if (!in) return;
  try {
    json snap = json::parse(in);
    rv_ = snap.value("resourceVersion", uint64_t{1});
    compactedRv_ = rv_;
    for (auto& [key, items] : snap["objects"].items()) {
      for (auto& obj : items) {
        objects_[key][{metaStr(obj, "namespace"), metaStr(obj, "name")}] = std::make_shared<const json>(obj);
      }
    }
    logInfo("kube-sim: loaded {} resource types from {} (resourceVersion {})", objects_.size(), file.string(), rv_);
  } catch (const std::exception& e) {
    logError("kube-sim: ignoring unreadable state file {}: {} (delete it to start empty)", file.string(), e.what());
  }
}

void ObjectStore::flush() {
  if (options_.stateDir.empty()) return;
  // One writer at a time (the flush thread and a final flush on SIGTERM), so
  // an older snapshot never replaces a newer one.
  std::lock_guard<std::mutex> writer(flushMu_);
  // Only the (immutable, shared) objects are taken under the store lock; the
  // serialization runs without it, so API requests are not held up.
  uint64_t rv = 0;
  std::vector<std::pair<std::string, std::vector<ObjectPtr>>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rv = rv_;
    for (const auto& [key, objs] : objects_) {
      std::vector<ObjectPtr> items;
      items.reserve(objs.size());
      for (const auto& [id, ptr] : objs) items.push_back(ptr);
      all.emplace_back(key, std::move(items));
    }
    dirty_ = false;
  }
  // Same document as {"resourceVersion": rv, "objects": {key: [objects]}}, written piecewise.
  std::string text = "{\"objects\":{";
  for (size_t k = 0; k < all.size(); k++) {
    if (k > 0) text += ',';
    text += json(all[k].first).dump();
    text += ":[";
    for (size_t i = 0; i < all[k].second.size(); i++) {
      if (i > 0) text += ',';
      text += all[k].second[i]->dump();
    }
    text += ']';
  }
  text += "},\"resourceVersion\":" + std::to_string(rv) + "}";
  std::filesystem::create_directories(options_.stateDir);
  std::filesystem::path file = std::filesystem::path(options_.stateDir) / "store.json";
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) logError("kube-sim: cannot write state file {}: {}", file.string(), ec.message());
}

void ObjectStore::flushLoop() {
  auto lastBookmark = std::chrono::steady_clock::now();
  auto lastSweep = lastBookmark;
  auto lastFlushEnd = lastBookmark;
  std::chrono::steady_clock::duration lastFlushTook{};
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    flushCv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping_) break;
    auto now = std::chrono::steady_clock::now();
    if (now - lastBookmark >= std::chrono::seconds(1)) {
      lastBookmark = now;
      for (auto& weak : watches_) {
        auto w = weak.lock();
        if (!w || !w->bookmarks_) continue;
        json bm = {{"kind", w->kind_}, {"apiVersion", w->apiVersion_},
                   {"metadata", {{"resourceVersion", std::to_string(rv_)}}}};
        w->push({"BOOKMARK", bm, rv_});
      }
    }
    if (now - lastSweep >= std::chrono::seconds(1)) {
      lastSweep = now;
      sweepExpiredPodsLocked();
    }
    // Large stores: the snapshot takes at most ~10% of the time (a 10,000
    // object store is rewritten about every 0.5 s instead of every 100 ms).
    if (dirty_ && now - lastFlushEnd >= 10 * lastFlushTook) {
      lock.unlock();
      auto began = std::chrono::steady_clock::now();
      flush();
      lastFlushEnd = std::chrono::steady_clock::now();
      lastFlushTook = lastFlushEnd - began;
      lock.lock();
    }
  }
}

}  // namespace ossvp::kubesim
