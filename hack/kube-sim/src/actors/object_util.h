// Small accessors over Kubernetes objects held as JSON (metadata, annotations,
// owner references, object references), shared by all actors so each actor
// reads like the Go controller it imitates.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/api_error.h"

namespace ossvp::kubesim {

std::string nameOf(const json& obj);
std::string namespaceOf(const json& obj);
std::string uidOf(const json& obj);
bool isDeleting(const json& obj);

// Annotation / label value, or "" when absent.
std::string annotation(const json& obj, const std::string& key);
bool hasAnnotation(const json& obj, const std::string& key);
void setAnnotation(json& obj, const std::string& key, const std::string& value);
std::string label(const json& obj, const std::string& key);

bool hasFinalizer(const json& obj, const std::string& finalizer);
void removeFinalizer(json& obj, const std::string& finalizer);

// Nested string lookup with a default ("" when any step is missing or not a string).
std::string str(const json& obj, std::initializer_list<const char*> path);

// {apiVersion, kind, name, namespace, uid, resourceVersion}: a reference as
// client-go's reference.GetReference builds it (claimRef, involvedObject).
json objectReference(const json& obj);

// True when `obj` has a controller ownerReference with this uid.
bool isControlledBy(const json& obj, const std::string& ownerUid);
json controllerOwnerRef(const json& owner);  // {apiVersion, kind, name, uid, controller, blockOwnerDeletion}
// The objects of `candidates` in the owner's namespace that it controls (copies).
std::vector<json> controlledBy(const json& owner, const std::vector<std::shared_ptr<const json>>& candidates);

// A pod whose phase is Running and whose Ready condition is True.
bool podIsReady(const json& pod);

}  // namespace ossvp::kubesim
