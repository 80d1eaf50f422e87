// The ObjectStore's state file: <stateDir>/store.json holding
// {"objects": {storageKey: [objects]}, "resourceVersion": N}. Written whole
// to a temporary file then renamed over the old one, so a reader never sees
// a partial snapshot.
//
// Thread-safety: the functions keep no state. Two concurrent writers of the
// same state dir may leave the older snapshot last: the caller serializes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/object_table.h"

namespace ossvp::kubesim {

struct StoreSnapshot {
  uint64_t resourceVersion = 1;
  ObjectTable objects;
};

// The snapshot of `stateDir`; nullopt when there is none or it cannot be
// read (logged with what to do).
std::optional<StoreSnapshot> readStoreSnapshot(const std::string& stateDir);

// Objects of one storage key, as taken from the store.
using SnapshotPart = std::pair<std::string, std::vector<ObjectPtr>>;

// Serializes `parts` and replaces the state file (failures are logged).
void writeStoreSnapshot(const std::string& stateDir, uint64_t resourceVersion, const std::vector<SnapshotPart>& parts);

}  // namespace ossvp::kubesim
