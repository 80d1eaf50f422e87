// Resource: identifies a Kubernetes API resource (group, version, plural,
// kind, scope) and builds its REST paths. The well-known resources the
// controller uses are constants in `resources::`.
//
// Thread-safety: immutable value type.
#pragma once

#include <string>
#include <string_view>

namespace ossvp::controller::kube {

struct Resource {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string plural;   // "persistentvolumeclaims"
  std::string kind;     // "PersistentVolumeClaim"
  bool namespaced = true;

  // "v1" or "storage.alibabacloud.com/v1beta1".
  std::string apiVersion() const;
  // Collection path: "/api/v1/namespaces/<ns>/pods" or "/api/v1/pods" when
  // `ns` is empty (all namespaces) or the resource is cluster-scoped.
  std::string collectionPath(std::string_view ns) const;
  // Object path; `subresource` (e.g. "status") is appended when not empty.
  std::string objectPath(std::string_view ns, std::string_view name, std::string_view subresource = {}) const;
  // "persistentvolumeclaims" or "ossvolumepopulators.storage.alibabacloud.com".
  std::string qualifiedName() const;
};

namespace resources {
const Resource& pods();
const Resource& pvcs();
const Resource& pvs();
const Resource& storageClasses();
const Resource& events();
const Resource& secrets();
const Resource& namespaces();
const Resource& ossvps();
const Resource& leases();
}  // namespace resources

}  // namespace ossvp::controller::kube
