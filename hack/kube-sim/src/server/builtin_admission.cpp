#include "server/builtin_admission.h"

#include <regex>

#include "ossvp/common/base64.h"
#include "server/pod_qos.h"
#include "server/quantity_fields.h"
#include "store/cluster_context.h"

namespace ossvp::kubesim {
namespace {

bool isCore(const ResourceInfo& info, const char* resource) {
  return info.gvr.group.empty() && info.gvr.resource == resource;
}

void addFinalizer(json& obj, const std::string& f) {
  json& m = obj["metadata"];
  if (!m.contains("finalizers") || !m["finalizers"].is_array()) m["finalizers"] = json::array();
  for (const auto& e : m["finalizers"]) {
    if (e == f) return;
  }
  m["finalizers"].push_back(f);
}

std::optional<ApiError> validateName(const ResourceInfo& info, const json& obj) {
  if (isCore(info, "events")) return std::nullopt;
  std::string name = obj["metadata"].value("name", "");
  if (name.empty()) return std::nullopt;  // generateName: checked by the store
  static const std::regex subdomain("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static const std::regex label("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  bool isLabel = isCore(info, "namespaces");
  bool rbac = info.gvr.group == "rbac.authorization.k8s.io";
  if (rbac) return std::nullopt;  // path segment names: anything without '/' or '%'
  bool ok = isLabel ? (name.size() <= 63 && std::regex_match(name, label))
                    : (name.size() <= 253 && std::regex_match(name, subdomain));
  if (ok) return std::nullopt;
  std::string msg =
      isLabel ? "Invalid value: \"" + name +
                    "\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
              : "Invalid value: \"" + name +
                    "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  return errInvalid(info.gvr.group, info.kind, name,
                    json::array({invalidCause("FieldValueInvalid", "metadata.name", msg)}));
}

// SetDefaults_Pod: a container's limits stand in for the requests it leaves
// out (requests created when absent).
void defaultRequestsFromLimits(json& container) {
  if (!container.contains("resources") || !container["resources"].is_object()) return;
  json& resources = container["resources"];
  if (!resources.contains("limits") || !resources["limits"].is_object() || resources["limits"].empty()) return;
  if (!resources.contains("requests") || !resources["requests"].is_object()) resources["requests"] = json::object();
  json& requests = resources["requests"];
  for (const auto& [name, limit] : resources["limits"].items()) {
    if (!requests.contains(name)) requests[name] = limit;
  }
}

void defaultPod(json& pod) {
  json& spec = pod["spec"];
  if (!spec.contains("restartPolicy")) spec["restartPolicy"] = "Always";
  if (!spec.contains("terminationGracePeriodSeconds")) spec["terminationGracePeriodSeconds"] = 30;
  if (!spec.contains("dnsPolicy")) spec["dnsPolicy"] = "ClusterFirst";
  if (!spec.contains("schedulerName")) spec["schedulerName"] = "default-scheduler";
  if (!spec.contains("serviceAccountName")) spec["serviceAccountName"] = spec.value("serviceAccount", "default");
  spec["serviceAccount"] = spec["serviceAccountName"];
  if (!spec.contains("securityContext")) spec["securityContext"] = json::object();
  if (!spec.contains("enableServiceLinks")) spec["enableServiceLinks"] = true;
  if (!spec.contains("preemptionPolicy")) spec["preemptionPolicy"] = "PreemptLowerPriority";
  if (!spec.contains("priority")) spec["priority"] = 0;
  for (const char* field : {"containers", "initContainers"}) {
    if (!spec.contains(field) || !spec[field].is_array()) continue;
    for (auto& c : spec[field]) {
      if (!c.contains("terminationMessagePath")) c["terminationMessagePath"] = "/dev/termination-log";
      if (!c.contains("terminationMessagePolicy")) c["terminationMessagePolicy"] = "File";
      if (!c.contains("imagePullPolicy")) {
        std::string image = c.value("image", "");
        std::string tail = image.substr(image.find_last_of('/') == std::string::npos ? 0 : image.find_last_of('/'));
        bool latest =
            tail.find(':') == std::string::npos || (image.size() >= 7 && image.substr(image.size() - 7) == ":latest");
        c["imagePullPolicy"] = latest && image.find('@') == std::string::npos ? "Always" : "IfNotPresent";
      }
      if (!c.contains("resources")) c["resources"] = json::object();
      defaultRequestsFromLimits(c);
    }
  }
  json tolerations = spec.value("tolerations", json::array());
  auto hasTol = [&](const std::string& key) {
    for (const auto& t : tolerations) {
      if (t.value("key", "") == key) return true;
    }
    return false;
  };
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    if (!hasTol(key)) {
      tolerations.push_back(
          {{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 300}});
    }
  }
  spec["tolerations"] = tolerations;
  pod["status"] = {{"phase", "Pending"}, {"qosClass", computePodQos(pod)}};
}

bool hasField(const json& obj, const char* field) { return obj.contains(field) && !obj[field].is_null(); }

// The PVC strategy's NormalizeDataSources (AnyVolumeDataSource, GA) and the
// data source checks of ValidatePersistentVolumeClaimSpec, on create: either
// field alone is copied into the other (dataSourceRef into dataSource only
// without a namespace, and without it); both given must name the same
// object. Rejections carry kube-apiserver's words.
std::optional<ApiError> normalizeDataSources(json& pvc) {
  json& spec = pvc["spec"];
  const std::string name = pvc["metadata"].value("name", "");
  const bool hasDs = hasField(spec, "dataSource");
  const bool hasRef = hasField(spec, "dataSourceRef");
  for (const char* which : {"dataSource", "dataSourceRef"}) {
    if (!hasField(spec, which)) continue;
    for (const char* field : {"kind", "name"}) {  // validateDataSource: a typed reference needs both
      if (spec[which].value(field, "").empty()) {
        return errInvalid("", "PersistentVolumeClaim", name,
                          json::array({invalidCause("FieldValueRequired", std::string("spec.") + which + "." + field,
                                                    "Required value")}));
      }
    }
  }
  auto invalid = [&](const char* why) {
    // The value is the field path, which the API server's JSON encoding prints as {}.
    return errInvalid(
        "", "PersistentVolumeClaim", name,
        json::array({invalidCause("FieldValueInvalid", "spec", std::string("Invalid value: {}: ") + why)}));
  };
  if (hasDs && hasRef) {
    const json& ds = spec["dataSource"];
    const json& ref = spec["dataSourceRef"];
    if (!ref.value("namespace", "").empty())
      return invalid("may not be specified when dataSourceRef.namespace is specified");
    for (const char* field : {"apiGroup", "kind", "name"}) {
      if (ds.value(field, "") != ref.value(field, "")) return invalid("must match dataSourceRef");
    }
    return std::nullopt;
  }
  if (hasDs) spec["dataSourceRef"] = spec["dataSource"];
  if (hasRef && spec["dataSourceRef"].value("namespace", "").empty()) {
    json ds = json::object();
    for (const char* field : {"apiGroup", "kind", "name"}) {
      if (spec["dataSourceRef"].contains(field)) ds[field] = spec["dataSourceRef"][field];
    }
    spec["dataSource"] = ds;
  }
  return std::nullopt;
}

std::optional<ApiError> admitPvc(const AdmissionRequest& req, json& pvc, const DefaultStorageClass& defaultClass) {
  json& spec = pvc["spec"];
  if (req.op == Operation::Create) {
    // DefaultStorageClass plugin: only an absent class is defaulted ("" means "no class").
    if (!spec.contains("storageClassName") || spec["storageClassName"].is_null()) {
      std::string def = defaultClass.name();
      if (!def.empty()) spec["storageClassName"] = def;
    }
    addFinalizer(pvc, "kubernetes.io/pvc-protection");
    pvc["status"] = {{"phase", "Pending"}};
    if (!spec.contains("volumeMode")) spec["volumeMode"] = "Filesystem";
    if (auto err = normalizeDataSources(pvc)) return err;
    if (!spec.contains("accessModes") || spec["accessModes"].empty()) {
      return errInvalid("", "PersistentVolumeClaim", pvc["metadata"].value("name", ""),
                        json::array({invalidCause("FieldValueRequired", "spec.accessModes",
                                                  "Required value: at least 1 access mode is required")}));
    }
    if (!spec.contains("resources") || !spec["resources"].contains("requests") ||
        !spec["resources"]["requests"].contains("storage")) {
      return errInvalid("", "PersistentVolumeClaim", pvc["metadata"].value("name", ""),
                        json::array({invalidCause("FieldValueRequired", "spec.resources[storage]", "Required value")}));
    }
    return std::nullopt;
  }
  if (req.op == Operation::Update && req.oldObject && !req.options.statusSubresource) {
    // The spec is immutable except resources.requests and a first volumeName.
    json a = (*req.oldObject)["spec"];
    json b = spec;
    for (json* s : {&a, &b}) {
      if (s->contains("resources")) (*s)["resources"].erase("requests");
      s->erase("volumeAttributesClassName");
    }
    // Since 1.28 an unset class may be set once (retroactive default class assignment).
    if (!a.contains("storageClassName") || a["storageClassName"].is_null()) {
      a.erase("storageClassName");
      b.erase("storageClassName");
    }
    if (a.value("volumeName", "").empty()) {
      b.erase("volumeName");
      a.erase("volumeName");
    }
    if (a != b) {
      return errInvalid(
          "", "PersistentVolumeClaim", pvc["metadata"].value("name", ""),
          json::array({invalidCause("FieldValueForbidden", "spec",
                                    "Forbidden: spec is immutable after creation except resources.requests and "
                                    "volumeAttributesClassName for bound claims")}));
    }
  }
  return std::nullopt;
}

}  // namespace

void installBuiltinAdmission(ObjectStore& store, const DefaultStorageClass& defaultClass) {
  store.addAdmission([&defaultClass](const AdmissionRequest& req, json& obj) -> std::optional<ApiError> {
    const ResourceInfo& info = req.info;
    if (info.isCustom) return std::nullopt;
    if (req.op == Operation::Delete) return std::nullopt;
    if (auto err = admitQuantities(info, obj)) return err;  // the decoder's check comes first
    if (req.op == Operation::Create) {
      if (auto err = validateName(info, obj)) return err;
    }
    if (isCore(info, "persistentvolumeclaims")) return admitPvc(req, obj, defaultClass);
    if (req.op != Operation::Create) return std::nullopt;
    if (isCore(info, "namespaces")) {
      obj["status"] = {{"phase", "Active"}};
      obj["spec"] = {{"finalizers", {"kubernetes"}}};
      obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = obj["metadata"].value("name", "");
    } else if (isCore(info, "pods")) {
      if (!obj.contains("spec") || !obj["spec"].contains("containers") || obj["spec"]["containers"].empty()) {
        return errInvalid("", "Pod", obj["metadata"].value("name", ""),
                          json::array({invalidCause("FieldValueRequired", "spec.containers", "Required value")}));
      }
      defaultPod(obj);
    } else if (isCore(info, "persistentvolumes")) {
      addFinalizer(obj, "kubernetes.io/pv-protection");
      json& spec = obj["spec"];
      if (!spec.contains("persistentVolumeReclaimPolicy")) spec["persistentVolumeReclaimPolicy"] = "Retain";
      if (!spec.contains("volumeMode")) spec["volumeMode"] = "Filesystem";
      obj["status"] = {{"phase", "Pending"}};
    } else if (isCore(info, "secrets")) {
      if (!obj.contains("type")) obj["type"] = "Opaque";
      if (obj.contains("stringData") && obj["stringData"].is_object()) {
        for (auto& [k, v] : obj["stringData"].items()) {
          obj["data"][k] = base64Encode(v.is_string() ? v.get<std::string>() : v.dump());
        }
        obj.erase("stringData");
      }
    } else if (info.gvr.group == "storage.k8s.io" && info.gvr.resource == "storageclasses") {
      if (!obj.contains("reclaimPolicy")) obj["reclaimPolicy"] = "Delete";
      if (!obj.contains("volumeBindingMode")) obj["volumeBindingMode"] = "Immediate";
    } else if (info.gvr.group == "apps") {
      if (!obj["spec"].contains("replicas")) obj["spec"]["replicas"] = 1;
      if (info.gvr.resource == "statefulsets") {
        if (!obj["spec"].contains("podManagementPolicy")) obj["spec"]["podManagementPolicy"] = "OrderedReady";
        if (!obj["spec"].contains("updateStrategy")) {
          obj["spec"]["updateStrategy"] = {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}};
        }
        if (!obj["spec"].contains("persistentVolumeClaimRetentionPolicy")) {
          obj["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}};
        }
      }
    }
    return std::nullopt;
  });
}

void installBuiltinAdmission(ObjectStore& store) {
  static const DefaultStorageClass kNoDefault;  // never started: no class is default
  installBuiltinAdmission(store, kNoDefault);
}

Subscription startNamespaceController(ObjectStore& store, const std::string& caPem) {
  auto sub = store.subscribe(gvr::kNamespaces, "", {}, [&store, caPem](const WatchEvent& ev) {
    if (ev.type != "ADDED") return true;
    std::string ns = ev.object["metadata"].value("name", "");
    if (!ev.object["metadata"].value("deletionTimestamp", "").empty()) return true;
    (void)store.create(gvr::kServiceAccounts, ns,
                       {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}});
    (void)store.create(gvr::kConfigMaps, ns,
                       {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata",
                         {{"name", "kube-root-ca.crt"},
                          {"annotations",
                           {{"kubernetes.io/description",
                             "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                             "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                             "guaranteed across distributions of Kubernetes clusters."}}}}},
                        {"data", {{"ca.crt", caPem}}}});
    return true;
  });
  if (!sub) return Subscription();
  return std::move(sub).value();
}

}  // namespace ossvp::kubesim
