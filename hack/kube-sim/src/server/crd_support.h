// CustomResourceDefinition support: CRD admission (structural validation,
// names defaulting, establishing conditions), serving each served version of an
// established CRD through the ResourceRegistry (also on startup from
// persisted CRDs), deleting its custom resources when the CRD goes, and CR
// admission: pruning + strict unknown-field errors, schema validation,
// defaulting and x-kubernetes-validations rules (CEL subset).
//
// Thread-safety: install once at startup; hooks are thread-safe.
#pragma once

#include "store/object_store.h"

namespace ossvp::kubesim {

void installCrdSupport(ObjectStore& store);

}  // namespace ossvp::kubesim
