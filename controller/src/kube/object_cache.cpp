#include "ossvp/controller/kube/object_cache.h"

namespace ossvp::controller::kube {

std::string ObjectCache::keyOf(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

ObjectPtr ObjectCache::get(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(keyOf(ns, name));
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> ObjectCache::list(const std::string& ns, const LabelPairs& labels) const {
  std::vector<ObjectPtr> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, obj] : objects_) {
    if (!ns.empty() && namespaceOf(*obj) != ns) continue;
    if (labelsMatch(*obj, labels)) out.push_back(obj);
  }
  return out;
}

size_t ObjectCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

ObjectPtr ObjectCache::upsert(ObjectPtr obj) {
  std::string key = keyOf(namespaceOf(*obj), nameOf(*obj));
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = objects_[key];
  ObjectPtr old = std::move(slot);
  slot = std::move(obj);
  return old;
}

ObjectPtr ObjectCache::erase(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(keyOf(ns, name));
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  objects_.erase(it);
  return old;
}

std::vector<ObjectPtr> ObjectCache::replace(std::vector<ObjectPtr> objects) {
  std::map<std::string, ObjectPtr> next;
  for (auto& obj : objects) next[keyOf(namespaceOf(*obj), nameOf(*obj))] = std::move(obj);
  std::vector<ObjectPtr> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, obj] : objects_) {
    if (!next.count(key)) dropped.push_back(obj);
  }
  objects_.swap(next);
  return dropped;
}

}  // namespace ossvp::controller::kube
