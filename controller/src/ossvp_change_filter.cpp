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
  std::string shape = (kube::isDeleting(ossvp) ? "deleting " : "") + ossvp.value("spec", kube::Object()).dump();
  auto [it, fresh] = seen_.try_emplace(key, shape);
  if (fresh) return true;
  if (it->second == shape) return false;
  it->second = std::move(shape);
  return true;
}

}  // namespace ossvp::controller
