// ObjectCache: the local copy of one resource's objects kept by an Informer,
// keyed "namespace/name" (or "name" for cluster-scoped objects). Objects are
// shared immutable snapshots, so readers never copy large JSON.
//
// Thread-safety: internally synchronized.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller::kube {

class ObjectCache {
 public:
  static std::string keyOf(const std::string& ns, const std::string& name);

  ObjectPtr get(const std::string& ns, const std::string& name) const;
  // Objects in `ns` ("" = every namespace) whose labels include `labels`.
  std::vector<ObjectPtr> list(const std::string& ns, const LabelPairs& labels = {}) const;
  size_t size() const;

  // Stores `obj`; returns the previous version (nullptr if new).
  ObjectPtr upsert(ObjectPtr obj);
  // Removes and returns the stored version (nullptr if absent).
  ObjectPtr erase(const std::string& ns, const std::string& name);
  // Replaces everything; returns the objects that were dropped.
  std::vector<ObjectPtr> replace(std::vector<ObjectPtr> objects);

 private:
  mutable std::mutex mu_;
  std::map<std::string, ObjectPtr> objects_;  // guarded by mu_
};

}  // namespace ossvp::controller::kube
