#include "ossvp/controller/kube/resource.h"

namespace ossvp::controller::kube {

std::string Resource::apiVersion() const { return group.empty() ? version : group + "/" + version; }

std::string Resource::collectionPath(std::string_view ns) const {
  std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  return path + "/" + plural;
}

std::string Resource::objectPath(std::string_view ns, std::string_view name, std::string_view subresource) const {
  std::string path = collectionPath(ns) + "/" + std::string(name);
  if (!subresource.empty()) {
    path += "/";
    path += subresource;
  }
  return path;
}

std::string Resource::qualifiedName() const { return group.empty() ? plural : plural + "." + group; }

namespace resources {
const Resource& pods() {
  static const Resource r{"", "v1", "pods", "Pod", true};
  return r;
}
const Resource& pvcs() {
  static const Resource r{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true};
  return r;
}
const Resource& pvs() {
  static const Resource r{"", "v1", "persistentvolumes", "PersistentVolume", false};
  return r;
}
const Resource& storageClasses() {
  static const Resource r{"storage.k8s.io", "v1", "storageclasses", "StorageClass", false};
  return r;
}
const Resource& events() {
  static const Resource r{"", "v1", "events", "Event", true};
  return r;
}
const Resource& secrets() {
  static const Resource r{"", "v1", "secrets", "Secret", true};
  return r;
}
const Resource& namespaces() {
  static const Resource r{"", "v1", "namespaces", "Namespace", false};
  return r;
}
const Resource& ossvps() {
  static const Resource r{"storage.alibabacloud.com", "v1beta1", "ossvolumepopulators", "OSSVolumePopulator", true};
  return r;
}
const Resource& leases() {
  static const Resource r{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return r;
}
}  // namespace resources

}  // namespace ossvp::controller::kube
