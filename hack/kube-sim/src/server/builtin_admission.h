// Built-in admission for core kinds (what kube-apiserver's strategies and
// default admission plugins do on create/update): resource quantities
// (quantity_fields.h: 400 for one that does not parse), name validation, defaults
// (Pod, PVC, PV, StorageClass, Secret, Namespace, apps; a pod's container
// requests default to its limits, its status.qosClass is computed: pod_qos.h),
// the storage-object-in-use-protection finalizers, PVC dataSource/dataSourceRef
// sync, PVC spec immutability, DefaultStorageClass. Also the namespace
// controller bits that create the "default" ServiceAccount and the
// kube-root-ca.crt ConfigMap in every namespace.
//
// Thread-safety: install once at startup; hooks are thread-safe.
#pragma once

#include <string>

#include "server/default_storage_class.h"
#include "store/object_store.h"

namespace ossvp::kubesim {

// `defaultClass` (which must outlive the store) gives PVCs created without
// spec.storageClassName the default class, as the DefaultStorageClass
// admission plugin does.
void installBuiltinAdmission(ObjectStore& store, const DefaultStorageClass& defaultClass);
// The same without default-class assignment (tests, fuzzing).
void installBuiltinAdmission(ObjectStore& store);

// Background controller: for each namespace, ensure ServiceAccount "default"
// and ConfigMap "kube-root-ca.crt" (ca.crt = caPem) exist. Returns the
// subscription keeping it alive.
Subscription startNamespaceController(ObjectStore& store, const std::string& caPem);

}  // namespace ossvp::kubesim
