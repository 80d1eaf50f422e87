#include "store/object_store.h"

#include <algorithm>
#include <ctime>
#include <random>

#include "ossvp/common/rfc3339.h"
#include "store/cluster_context.h"
#include "store/garbage_collector.h"
#include "store/object_meta.h"
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

using objmeta::hasFinalizer;
using objmeta::hasFinalizers;
using objmeta::isDeleting;
using objmeta::metaStr;

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

}  // namespace

ObjectStore::ObjectStore(StoreOptions options) : options_(std::move(options)), watches_(options_.historySize) {
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
  watches_.publish({rv_, storageKeyOf(info), type, std::move(obj), std::move(old)});
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
    continueRv = objmeta::parseResourceVersion(o.continueToken.substr(0, bar));
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
    out.continueToken =
        std::to_string(out.resourceVersion) + "|" + metaStr(last, "namespace") + "/" + metaStr(last, "name");
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
    return errInvalid(
        info.gvr.group, info.kind, "",
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
    return errBadRequest("the name of the object (" + metaStr(obj, "name") + ") does not match the name on the URL (" +
                         name + ")");
  }
  obj["apiVersion"] = info.gvr.groupVersion();
  obj["kind"] = info.kind;
  if (info.namespaced) m["namespace"] = ns;
  const json& om = old["metadata"];
  for (const char* f :
       {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"}) {
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
        return errInvalid(
            info.gvr.group, info.kind, name,
            json::array({invalidCause(
                "FieldValueForbidden", "metadata.finalizers",
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
    std::vector<GcAction> actions = planGarbageCollection(objects_);
    if (actions.empty()) return;
    bool progress = false;
    std::map<std::string, ResourceInfo> infos;
    for (const auto& info : registry_.all()) infos.emplace(storageKeyOf(info), info);
    for (auto& a : actions) {
      auto infoIt = infos.find(a.storageKey);
      if (infoIt == infos.end()) continue;
      const ResourceInfo& info = infoIt->second;
      auto cur = objects_[a.storageKey].find(a.id);
      if (cur == objects_[a.storageKey].end()) continue;
      if (a.kind == GcAction::Kind::Delete || a.kind == GcAction::Kind::DeleteNamespaceContent) {
        DeleteOptions d;
        d.propagationPolicy = "Background";
        if (a.kind == GcAction::Kind::DeleteNamespaceContent) d.gracePeriodSeconds = 0;
        (void)removeLocked(info, a.id.first, a.id.second, d);
        progress = true;
      } else if (a.kind == GcAction::Kind::EraseNamespace) {
        eraseLocked(info, a.id.first, a.id.second, a.object);
        progress = true;
      } else {
        const ObjectPtr oldPtr = cur->second;
        const json& old = *oldPtr;
        json next = a.object;
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
  WatchFilter filter;
  filter.storageKey = storageKeyOf(*info);
  filter.ns = info->namespaced ? nsIn : "";
  filter.labels = *labels;
  filter.fields = *fields;
  filter.bookmarks = o.allowBookmarks;
  filter.kind = info->kind;
  filter.apiVersion = info->gvr.groupVersion();
  auto w = std::make_shared<Watch>(std::move(filter));
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t from = o.resourceVersion.value_or(0);
  if (from == 0) {
    auto it = objects_.find(w->filter().storageKey);
    watches_.sendExisting(*w, it == objects_.end() ? nullptr : &it->second);
  } else if (!watches_.replaySince(*w, from)) {
    return w;
  }
  watches_.add(w);
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
    ws = watches_.detachAll();
  }
  for (auto& weak : ws) {
    if (auto w = weak.lock()) w->stop();
  }
}

void ObjectStore::compactHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  watches_.compact(rv_);
}

}  // namespace ossvp::kubesim
