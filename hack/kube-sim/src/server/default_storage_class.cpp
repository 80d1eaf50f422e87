#include "server/default_storage_class.h"

namespace ossvp::kubesim {

Subscription DefaultStorageClass::start(ObjectStore& store) {
  auto sub = store.subscribe(gvr::kStorageClasses, "", {}, [this](const WatchEvent& ev) {
    const json& meta = ev.object["metadata"];
    std::string name = meta.value("name", "");
    std::lock_guard lock(mu_);
    if (ev.type == "DELETED") {
      classes_.erase(name);
    } else if (ev.type == "ADDED" || ev.type == "MODIFIED") {
      Entry e;
      if (meta.contains("annotations") && meta["annotations"].is_object()) {
        e.isDefault = meta["annotations"].value("storageclass.kubernetes.io/is-default-class", "") == "true";
      }
      e.created = meta.value("creationTimestamp", "");
      classes_[name] = e;
    }
    return true;
  });
  if (!sub) return Subscription();
  return std::move(sub).value();
}

std::string DefaultStorageClass::name() const {
  std::lock_guard lock(mu_);
  std::string best;
  std::string bestCreated;
  for (const auto& [name, e] : classes_) {
    if (e.isDefault && (best.empty() || e.created > bestCreated)) {
      best = name;
      bestCreated = e.created;
    }
  }
  return best;
}

}  // namespace ossvp::kubesim
