// Garbage collection of the ObjectStore, planned over its objects: what the
// Kubernetes garbage collector and namespace controller would do next.
//   - background: an object whose every owner is gone is deleted; a gone
//     owner's reference is dropped from an object that has other owners;
//   - orphan: the dependents of an owner deleted with the `orphan` finalizer
//     lose their reference to it, then the finalizer is dropped;
//   - foreground: the dependents of an owner with `foregroundDeletion` are
//     deleted; once none is left the finalizer is dropped;
//   - namespace termination: the contents of a terminating namespace are
//     deleted (grace 0), then the empty namespace is erased.
// Events take no part in owner references; they go with their namespace.
// The store applies a plan and plans again until nothing changes.
//
// Thread-safety: a pure function of the objects it is given; the caller
// holds whatever guards them (the store's mutex).
#pragma once

#include <string>
#include <vector>

#include "store/object_table.h"

namespace ossvp::kubesim {

struct GcAction {
  enum class Kind {
    Delete,                  // dependent of a gone or foreground-deleting owner: delete (Background)
    RewriteOwnerReferences,  // `object` is the dependent without its gone/orphaning owners
    DropFinalizer,           // `object` is the owner without its orphan/foregroundDeletion finalizer
    DeleteNamespaceContent,  // in a terminating namespace: delete with grace 0
    EraseNamespace,          // terminating, empty and without finalizers: erase `object`
  };
  std::string storageKey;
  ObjectId id;
  Kind kind;
  json object;  // the object as planned (for rewrites, its next content)
};

// One pass over `objects`; empty when there is nothing to collect.
std::vector<GcAction> planGarbageCollection(const ObjectTable& objects);

}  // namespace ossvp::kubesim
