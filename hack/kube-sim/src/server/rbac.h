// RBAC authorization (--authorization rbac) for non-admin users (service
// accounts): evaluates RoleBindings in the request namespace and
// ClusterRoleBindings against Roles/ClusterRoles stored in the ObjectStore,
// like the Kubernetes RBAC authorizer (apiGroups, resources incl.
// "res/subresource" and "*", verbs, resourceNames).
//
// Thread-safety: reads the (thread-safe) store only.
#pragma once

#include <string>
#include <vector>

#include "store/object_store.h"

namespace ossvp::kubesim {

bool rbacAllows(ObjectStore& store, const std::string& user, const std::vector<std::string>& groups,
                const std::string& verb, const std::string& apiGroup, const std::string& resource,
                const std::string& ns, const std::string& name);

}  // namespace ossvp::kubesim
