// What the DefaultStorageClass admission plugin does to a new PVC without
// spec.storageClassName: set it to the default StorageClass (annotation
// storageclass.kubernetes.io/is-default-class=true; the newest wins). The
// StatefulSet and ephemeral-volume controllers apply it to the claims they
// create in-process, since those do not pass through the API server's
// admission chain.
//
// Thread-safety: stateless; the store is thread-safe.
#pragma once

#include "store/object_store.h"

namespace ossvp::kubesim {

void applyDefaultStorageClass(ObjectStore& store, json& claim);

}  // namespace ossvp::kubesim
