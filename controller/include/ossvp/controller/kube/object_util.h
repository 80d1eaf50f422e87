// Small helpers to read Kubernetes objects held as JSON: metadata fields,
// labels/annotations, label matching, RFC 3339 timestamps, conflict retry.
//
// Thread-safety: pure functions (retryOnConflict runs `fn` on the caller's thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ossvp/common/rfc3339.h"
#include "ossvp/common/status.h"

namespace ossvp::controller::kube {

using Object = nlohmann::json;
using ObjectPtr = std::shared_ptr<const Object>;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

std::string nameOf(const Object& obj);
std::string namespaceOf(const Object& obj);
std::string uidOf(const Object& obj);
std::string resourceVersionOf(const Object& obj);
bool isDeleting(const Object& obj);  // has metadata.deletionTimestamp
// metadata.annotations[key] / metadata.labels[key], "" when absent.
std::string annotationOf(const Object& obj, const std::string& key);
std::string labelOf(const Object& obj, const std::string& key);
bool hasFinalizer(const Object& obj, const std::string& finalizer);
// Every pair in `want` is present in metadata.labels.
bool labelsMatch(const Object& obj, const LabelPairs& want);
// Reads a string at a JSON pointer ("/spec/volumeName"), "" when absent or not a string.
std::string stringAt(const Object& obj, const std::string& pointer);

// Kubernetes Time "2026-11-23T14:05:00Z" (MicroTime: Rfc3339Fraction::kMicros);
// parsing is ossvp::parseRfc3339.
using ossvp::formatRfc3339;

// Runs `fn` until it returns something other than a 409 Conflict, at most
// `attempts` times. `fn` must re-read the object it modifies on each call.
Status retryOnConflict(const std::function<Status()>& fn, int attempts = 5);

}  // namespace ossvp::controller::kube
