#include "server/crd_support.h"

#include <thread>

#include "ossvp/common/log.h"
#include "server/schema_validator.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {
namespace {

bool isCrd(const ResourceInfo& info) {
  return info.gvr.group == "apiextensions.k8s.io" && info.gvr.resource == "customresourcedefinitions";
}

json cause(const std::string& reason, const std::string& field, const std::string& msg) {
  return invalidCause(reason, field, msg);
}

std::optional<ApiError> admitCrd(const AdmissionRequest& req, json& crd) {
  std::string name = crd["metadata"].value("name", "");
  json& spec = crd["spec"];
  json causes = json::array();
  std::string group = spec.value("group", "");
  json& names = spec["names"];
  std::string plural = names.value("plural", "");
  std::string kind = names.value("kind", "");
  if (group.empty()) causes.push_back(cause("FieldValueRequired", "spec.group", "Required value"));
  if (plural.empty()) causes.push_back(cause("FieldValueRequired", "spec.names.plural", "Required value"));
  if (kind.empty()) causes.push_back(cause("FieldValueRequired", "spec.names.kind", "Required value"));
  if (!plural.empty() && !group.empty() && name != plural + "." + group) {
    causes.push_back(cause("FieldValueInvalid", "metadata.name",
                           "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group"));
  }
  std::string scope = spec.value("scope", "");
  if (scope != "Namespaced" && scope != "Cluster") {
    causes.push_back(cause("FieldValueNotSupported", "spec.scope",
                           "Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\""));
  }
  int storage = 0;
  json versions = spec.value("versions", json::array());
  if (versions.empty())
    causes.push_back(cause("FieldValueRequired", "spec.versions",
                           "Required value: must have exactly one version marked as storage version"));
  for (size_t i = 0; i < versions.size(); i++) {
    const json& v = versions[i];
    if (!v.is_object() || !v.contains("name") || !v["name"].is_string() || v["name"].get<std::string>().empty()) {
      causes.push_back(cause("FieldValueRequired", "spec.versions[" + std::to_string(i) + "].name", "Required value"));
      continue;
    }
    if (v.value("storage", false)) storage++;
    std::string path = "spec.versions[" + std::to_string(i) + "].schema.openAPIV3Schema";
    if (v.value("served", false)) {
      if (!v.contains("schema") || !v["schema"].contains("openAPIV3Schema")) {
        causes.push_back(cause("FieldValueRequired", path, "Required value: schemas are required"));
      } else {
        for (const auto& c : structuralErrors(v["schema"]["openAPIV3Schema"], path)) causes.push_back(c);
      }
    }
  }
  if (!versions.empty() && storage != 1) {
    causes.push_back(cause("FieldValueInvalid", "spec.versions",
                           "Invalid value: " + json(versions).dump().substr(0, 40) +
                               "...: must have exactly one version marked as storage version"));
  }
  if (!causes.empty()) return errInvalid("apiextensions.k8s.io", "CustomResourceDefinition", name, causes);
  std::string lower = kind;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!names.contains("singular") || names["singular"].get<std::string>().empty()) names["singular"] = lower;
  if (!names.contains("listKind") || names["listKind"].get<std::string>().empty()) names["listKind"] = kind + "List";
  // Establish at once: NamesAccepted + Established, acceptedNames, storedVersions.
  std::string now = nowRfc3339();
  json status = req.oldObject && req.oldObject->contains("status") ? (*req.oldObject)["status"] : json::object();
  status["acceptedNames"] = names;
  json stored = status.value("storedVersions", json::array());
  for (const auto& v : versions) {
    if (v.value("storage", false) && std::find(stored.begin(), stored.end(), v["name"]) == stored.end()) {
      stored.push_back(v["name"]);
    }
  }
  status["storedVersions"] = stored;
  if (!status.contains("conditions")) {
    status["conditions"] = json::array({
        {{"type", "NamesAccepted"},
         {"status", "True"},
         {"reason", "NoConflicts"},
         {"message", "no conflicts found"},
         {"lastTransitionTime", now}},
        {{"type", "Established"},
         {"status", "True"},
         {"reason", "InitialNamesAccepted"},
         {"message", "the initial names have been accepted"},
         {"lastTransitionTime", now}},
    });
  }
  crd["status"] = status;
  return std::nullopt;
}

void registerCrd(ResourceRegistry& reg, const json& crd) {
  const json& spec = crd["spec"];
  std::string group = spec.value("group", "");
  const json& names = spec["names"];
  std::string plural = names.value("plural", "");
  reg.removeResource(group, plural);
  for (const auto& v : spec.value("versions", json::array())) {
    if (!v.value("served", false)) continue;
    ResourceInfo info;
    info.gvr = {group, v.value("name", ""), plural};
    info.kind = names.value("kind", "");
    info.listKind = names.value("listKind", info.kind + "List");
    info.singular = names.value("singular", "");
    info.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
    for (const auto& s : names.value("shortNames", json::array())) info.shortNames.push_back(s);
    for (const auto& c : names.value("categories", json::array())) info.categories.push_back(c);
    info.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
    bool status = v.contains("subresources") && v["subresources"].contains("status");
    if (status) info.subresources.push_back("status");
    if (v.contains("subresources") && v["subresources"].contains("scale")) info.subresources.push_back("scale");
    info.hasStatusSubresource = status;
    info.isCustom = true;
    info.tracksGeneration = true;
    info.allowUnconditionalUpdate = false;
    info.storageGroup = group;
    info.storageResource = plural;
    info.crdVersion = v;
    info.crdName = crd["metadata"].value("name", "");
    for (const auto& f : v.value("selectableFields", json::array())) {
      std::string p = f.value("jsonPath", "");
      if (!p.empty() && p[0] == '.') p = p.substr(1);
      info.fieldSelectors.push_back(p);
    }
    reg.add(std::move(info));
  }
}

std::optional<ApiError> admitCustomResource(const AdmissionRequest& req, json& obj) {
  const ResourceInfo& info = req.info;
  const json& v = info.crdVersion;
  if (!v.contains("schema") || !v["schema"].contains("openAPIV3Schema")) return std::nullopt;
  const json& schema = v["schema"]["openAPIV3Schema"];
  std::string name = obj["metadata"].value("name", "");
  std::vector<std::string> unknown;
  pruneUnknown(schema, obj, "", true, unknown);
  if (!unknown.empty() && req.options.fieldValidation == "Strict") {
    std::string msg = "strict decoding error: ";
    for (size_t i = 0; i < unknown.size(); i++)
      msg += (i ? ", " : "") + std::string("unknown field \"") + unknown[i] + "\"";
    return errUndecodable(info.kind, info.gvr.version, msg);
  }
  applyDefaults(schema, obj, true);
  json causes = validateAgainstSchema(schema, obj, "", true);
  if (!causes.empty()) return errInvalid(info.gvr.group, info.kind, name, causes);
  return std::nullopt;
}

}  // namespace

void installCrdSupport(ObjectStore& store) {
  ResourceRegistry& reg = store.registry();
  // Serve CRDs restored from --state-dir.
  auto existing = store.list(gvr::kCustomResourceDefinitions, "");
  if (existing) {
    for (const auto& crd : existing->items) registerCrd(reg, crd);
  }
  store.addAdmission([](const AdmissionRequest& req, json& obj) -> std::optional<ApiError> {
    if (req.op == Operation::Delete) return std::nullopt;
    if (isCrd(req.info)) return admitCrd(req, obj);
    if (req.info.isCustom) return admitCustomResource(req, obj);
    return std::nullopt;
  });
  store.addCommitHook([&reg, &store](const ResourceInfo& info, const std::string& type, const json& obj) {
    if (!isCrd(info)) return;
    if (type != "DELETED") {
      registerCrd(reg, obj);
      return;
    }
    std::string group = obj["spec"].value("group", "");
    std::string plural = obj["spec"]["names"].value("plural", "");
    auto served = reg.findAnyVersion(group, plural);
    reg.removeResource(group, plural);
    if (!served) return;
    // Remove every custom resource of the deleted CRD, off the store lock.
    ResourceInfo doomed = *served;
    std::thread([&store, &reg, doomed]() {
      reg.add(doomed);
      auto all = store.list(doomed.gvr, "");
      if (all) {
        for (const auto& cr : all->items) {
          DeleteOptions d;
          (void)store.patch(doomed.gvr, cr["metadata"].value("namespace", ""), cr["metadata"].value("name", ""),
                            PatchType::MergePatch, {{"metadata", {{"finalizers", nullptr}}}});
          (void)store.remove(doomed.gvr, cr["metadata"].value("namespace", ""), cr["metadata"].value("name", ""), d);
        }
      }
      reg.removeResource(doomed.gvr.group, doomed.gvr.resource);
    }).detach();
  });
}

}  // namespace ossvp::kubesim
