// CustomResourceDefinition support: CRD admission (C1 validation, names
// defaulting, C2 establishing conditions), serving each served version of an
// established CRD through the ResourceRegistry (C3, C4; also on startup from
// persisted CRDs), deleting its custom resources when the CRD goes, and CR
// admission: pruning + strict unknown-field errors (C5), schema validation
// (C6), defaulting (C7) and x-kubernetes-validations rules (CEL subset).
//
// Thread-safety: install once at startup; hooks are thread-safe.
#pragma once

#include "store/object_store.h"

namespace ossvp::kubesim {

void installCrdSupport(ObjectStore& store);

}  // namespace ossvp::kubesim
