#include "actors/default_class.h"

#include "actors/object_util.h"
#include "actors/storage_names.h"

namespace ossvp::kubesim {

void applyDefaultStorageClass(ObjectStore& store, json& claim) {
  if (claim["spec"].contains("storageClassName") && !claim["spec"]["storageClassName"].is_null()) return;
  auto classes = store.list(gvr::kStorageClasses, "");
  if (!classes) return;
  const json* best = nullptr;
  for (const auto& c : classes->items) {
    if (annotation(c, names::kDefaultClass) != "true" || isDeleting(c)) continue;
    if (best == nullptr || str(c, {"metadata", "creationTimestamp"}) > str(*best, {"metadata", "creationTimestamp"})) {
      best = &c;
    }
  }
  if (best != nullptr) claim["spec"]["storageClassName"] = nameOf(*best);
}

}  // namespace ossvp::kubesim
