// Metadata accessors the object store's parts share (write path, garbage
// collector, pod expiry, snapshot loading). They never throw on a missing or
// mistyped field: absent reads as empty.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <cstdint>
#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim::objmeta {

// obj.metadata, or an empty object.
const json& meta(const json& obj);
// A string field of obj.metadata, or "".
std::string metaStr(const json& obj, const char* field);
bool hasFinalizers(const json& obj);
bool hasFinalizer(const json& obj, const std::string& finalizer);
// Removes every occurrence; drops metadata.finalizers when none is left.
void removeFinalizer(json& obj, const std::string& finalizer);
bool isDeleting(const json& obj);  // has a deletionTimestamp
// A resourceVersion string as a number; 0 when empty or not a number.
uint64_t parseResourceVersion(const std::string& rv);

}  // namespace ossvp::kubesim::objmeta
