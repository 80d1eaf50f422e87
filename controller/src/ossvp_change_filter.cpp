#include "ossvp/controller/ossvp_change_filter.h"

#include "ossvp/controller/kube/object_util.h"

namespace ossvp::controller {

bool OssvpChangeFilter::concernsPvcs(kube::ChangeType change, const kube::Object& ossvp) {
  const std::string key = kube::namespaceOf(ossvp) + "/" + kube::nameOf(ossvp);
  std::lock_guard<std::mutex> lock(mu_);
  if (change == kube::ChangeType::Deleted) {
    seen_.erase(key);
    return true;
  }
  const Seen now{ossvp.value("metadata", kube::Object::object()).value("generation", int64_t{0}),
                 kube::isDeleting(ossvp)};
  auto [it, fresh] = seen_.try_emplace(key, now);
  if (fresh) return true;
  if (it->second == now) return false;
  it->second = now;
  return true;
}

}  // namespace ossvp::controller
