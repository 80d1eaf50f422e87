// SnapshotReader: an ObjectReader frozen at the moment of snapshot(), for
// tests of code that reads informer caches lagging behind the API server.
// Thread-safety: none (tests call it from one thread).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {

class SnapshotReader : public kube::ObjectReader {
 public:
  explicit SnapshotReader(FakeKubeApi& api) : api_(api) {}
  void snapshot() {
    objects_.clear();
    for (const auto* r : {&kube::resources::pvcs(), &kube::resources::pvs(), &kube::resources::pods(),
                          &kube::resources::ossvps(), &kube::resources::storageClasses()}) {
      for (auto& o : api_.all(*r)) objects_[r->plural].push_back(o);
    }
  }
  kube::ObjectPtr getCached(const kube::Resource& r, const std::string& ns, const std::string& name) const override {
    auto it = objects_.find(r.plural);
    if (it == objects_.end()) return nullptr;
    for (const auto& o : it->second) {
      if (kube::nameOf(o) == name && (!r.namespaced || kube::namespaceOf(o) == ns)) {
        return std::make_shared<const kube::Object>(o);
      }
    }
    return nullptr;
  }
  std::vector<kube::ObjectPtr> listCached(const kube::Resource& r, const std::string& ns,
                                          const kube::LabelPairs& labels) const override {
    std::vector<kube::ObjectPtr> out;
    auto it = objects_.find(r.plural);
    if (it == objects_.end()) return out;
    for (const auto& o : it->second) {
      if ((ns.empty() || kube::namespaceOf(o) == ns) && kube::labelsMatch(o, labels)) {
        out.push_back(std::make_shared<const kube::Object>(o));
      }
    }
    return out;
  }

 private:
  FakeKubeApi& api_;
  std::map<std::string, std::vector<kube::Object>> objects_;
};

}  // namespace ossvp::controller::testing
