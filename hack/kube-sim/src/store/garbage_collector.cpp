#include "store/garbage_collector.h"

#include <set>

#include "store/object_meta.h"

namespace ossvp::kubesim {
namespace {

using objmeta::hasFinalizer;
using objmeta::hasFinalizers;
using objmeta::isDeleting;
using objmeta::meta;
using objmeta::metaStr;

const ObjectMap& objectsOf(const ObjectTable& objects, const std::string& key) {
  static const ObjectMap empty;
  auto it = objects.find(key);
  return it == objects.end() ? empty : it->second;
}

// Owners named by some ownerReference, and the owners being deleted in the
// foreground / orphaning their dependents.
struct OwnerScan {
  std::set<std::string> referenced;  // owner uids named by some ownerReference
  std::set<std::string> foreground;
  std::set<std::string> orphaning;
  std::set<std::string> existing;  // the referenced owners that exist
};

// Runs after every delete over every object (thousands of Events at scale):
// the scan touches only metadata and records the uids of the owners that
// objects refer to, not every uid. Events (most of the objects) are neither
// owners nor owned here; they go with their namespace only.
OwnerScan scanOwners(const ObjectTable& objects) {
  OwnerScan s;
  for (const auto& [key, objs] : objects) {
    if (key == kEventsStorageKey) continue;
    for (const auto& [k, ptr] : objs) {
      const json& m = meta(*ptr);
      if (m.contains("deletionTimestamp")) {
        if (hasFinalizer(*ptr, "foregroundDeletion")) s.foreground.insert(metaStr(*ptr, "uid"));
        if (hasFinalizer(*ptr, "orphan")) s.orphaning.insert(metaStr(*ptr, "uid"));
      }
      auto refs = m.find("ownerReferences");
      if (refs == m.end() || !refs->is_array()) continue;
      for (const auto& ref : *refs) {
        if (ref.is_object()) s.referenced.insert(ref.value("uid", ""));
      }
    }
  }
  if (s.referenced.empty()) return s;
  for (const auto& [key, objs] : objects) {
    if (key == kEventsStorageKey) continue;
    for (const auto& [k, ptr] : objs) {
      const json& m = meta(*ptr);
      auto uid = m.find("uid");
      if (uid != m.end() && uid->is_string() && s.referenced.count(uid->get_ref<const std::string&>())) {
        s.existing.insert(uid->get<std::string>());
      }
    }
  }
  return s;
}

// The dependents' side: deletes and ownerReference rewrites. Records in
// `dependentsOf` the foreground owners that still have dependents.
void planDependent(const OwnerScan& s, const std::string& key, const ObjectId& id, const json& obj,
                   std::set<std::string>& dependentsOf, std::vector<GcAction>& actions) {
  const json& m = meta(obj);
  if (s.referenced.empty() || !m.contains("ownerReferences") || !m["ownerReferences"].is_array()) return;
  json kept = json::array();
  bool dangling = false;
  bool orphaned = false;
  for (const auto& ref : m["ownerReferences"]) {
    std::string ou = ref.value("uid", "");
    if (s.orphaning.count(ou)) {
      orphaned = true;
      continue;
    }
    if (!s.existing.count(ou)) {
      dangling = true;
      continue;
    }
    if (s.foreground.count(ou)) {
      dependentsOf.insert(ou);
      if (!isDeleting(obj)) actions.push_back({key, id, GcAction::Kind::Delete, obj});
    }
    kept.push_back(ref);
  }
  if (!orphaned && !dangling) return;
  if (kept.empty() && dangling && !orphaned) {
    if (!isDeleting(obj)) actions.push_back({key, id, GcAction::Kind::Delete, obj});
    return;
  }
  json next = obj;
  if (kept.empty()) {
    next["metadata"].erase("ownerReferences");
  } else {
    next["metadata"]["ownerReferences"] = kept;
  }
  actions.push_back({key, id, GcAction::Kind::RewriteOwnerReferences, next});
}

// The owners' side: drop foregroundDeletion once no dependent is left, and orphan.
void planOwners(const ObjectTable& objects, const OwnerScan& s, const std::set<std::string>& dependentsOf,
                std::vector<GcAction>& actions) {
  if (s.foreground.empty() && s.orphaning.empty()) return;
  for (const auto& [key, objs] : objects) {
    for (const auto& [id, ptr] : objs) {
      const json& obj = *ptr;
      std::string uid = metaStr(obj, "uid");
      const char* finalizer = nullptr;
      if (s.foreground.count(uid) && !dependentsOf.count(uid)) {
        finalizer = "foregroundDeletion";
      } else if (s.orphaning.count(uid)) {
        finalizer = "orphan";
      }
      if (!finalizer) continue;
      json next = obj;
      objmeta::removeFinalizer(next, finalizer);
      actions.push_back({key, id, GcAction::Kind::DropFinalizer, next});
    }
  }
}

}  // namespace

std::vector<GcAction> planGarbageCollection(const ObjectTable& objects) {
  OwnerScan owners = scanOwners(objects);
  std::vector<GcAction> actions;
  std::set<std::string> dependentsOf;  // foreground owners that still have dependents
  const ObjectMap& namespaces = objectsOf(objects, "/namespaces");
  std::set<std::string> terminatingNs;
  for (const auto& [k, ptr] : namespaces) {
    if (isDeleting(*ptr)) terminatingNs.insert(k.second);
  }
  std::set<std::string> nonEmptyNs;
  for (const auto& [key, objs] : objects) {
    if (key == kEventsStorageKey && terminatingNs.empty()) continue;
    for (const auto& [id, ptr] : objs) {
      const json& obj = *ptr;
      if (!terminatingNs.empty() && !id.first.empty() && terminatingNs.count(id.first)) {
        nonEmptyNs.insert(id.first);
        if (!isDeleting(obj)) actions.push_back({key, id, GcAction::Kind::DeleteNamespaceContent, obj});
      }
      planDependent(owners, key, id, obj, dependentsOf, actions);
    }
  }
  planOwners(objects, owners, dependentsOf, actions);
  for (const auto& ns : terminatingNs) {
    if (nonEmptyNs.count(ns)) continue;
    auto it = namespaces.find({"", ns});
    if (it != namespaces.end() && !hasFinalizers(*it->second)) {
      actions.push_back({"/namespaces", {"", ns}, GcAction::Kind::EraseNamespace, *it->second});
    }
  }
  return actions;
}

}  // namespace ossvp::kubesim
