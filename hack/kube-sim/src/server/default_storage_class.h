// DefaultStorageClass: what kube-apiserver's DefaultStorageClass admission
// plugin needs — the name of the default StorageClass (annotation
// storageclass.kubernetes.io/is-default-class: "true"; the newest one when
// several are marked, as Kubernetes >= 1.26 picks). Kept current by a store
// subscription so admission hooks (which run under the store lock and must not
// call the store) can read it.
//
// Thread-safety: internally synchronized.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "store/object_store.h"

namespace ossvp::kubesim {

class DefaultStorageClass {
 public:
  // Subscribes to StorageClasses; keep the returned Subscription alive.
  Subscription start(ObjectStore& store);

  // The default class name, or "" when none is marked default.
  std::string name() const;

 private:
  struct Entry {
    bool isDefault = false;
    std::string created;  // RFC 3339: orders lexicographically
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> classes_;  // guarded by mu_
};

}  // namespace ossvp::kubesim
