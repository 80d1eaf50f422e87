// The storage shapes of ObjectStore, shared by its parts (watch hub, garbage
// collector, pod expiry, snapshot file): every stored object is immutable
// JSON behind a shared pointer (a write replaces the pointer), keyed by
// storage key ("<storageGroup>/<storageResource>") then (namespace, name).
//
// Thread-safety: plain types; an ObjectTable is guarded by its owner (the
// store's mutex); the objects it points to may be read from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "store/api_error.h"

namespace ossvp::kubesim {

using ObjectPtr = std::shared_ptr<const json>;
using ObjectId = std::pair<std::string, std::string>;  // (namespace, name); namespace "" when cluster-scoped
using ObjectMap = std::map<ObjectId, ObjectPtr>;
using ObjectTable = std::map<std::string, ObjectMap>;  // storage key -> objects

// Storage key of core/v1 and events.k8s.io/v1 Events (one storage).
inline const std::string kEventsStorageKey = "/events";

}  // namespace ossvp::kubesim
