#include "actors/external_provisioner.h"

#include "actors/object_util.h"
#include "actors/quantity.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

using namespace names;  // NOLINT

ExternalProvisioner::ExternalProvisioner(ClusterContext& ctx, std::vector<std::unique_ptr<VolumeBackend>> backends)
    : Actor(ctx, "external-provisioner"), backends_(std::move(backends)), events_(*ctx.store, "external-provisioner") {}

std::vector<GVR> ExternalProvisioner::watchedResources() const {
  return {gvr::kPersistentVolumeClaims, gvr::kPersistentVolumes, gvr::kStorageClasses};
}

VolumeBackend* ExternalProvisioner::backendFor(const std::string& driver) const {
  for (const auto& b : backends_) {
    for (const auto& d : b->drivers()) {
      if (d == driver) return b.get();
    }
  }
  return nullptr;
}

void ExternalProvisioner::shutdown() {
  for (auto& b : backends_) b->shutdown();
}

void ExternalProvisioner::syncAll() {
  if (!recovered_) {
    auto volumes = store().list(gvr::kPersistentVolumes, "");
    if (!volumes) return;
    for (auto& b : backends_) b->recover(volumes->items);
    recovered_ = true;
  }
  for (const auto& claimPtr : store().listShared(gvr::kPersistentVolumeClaims)) {
    const json& claim = *claimPtr;
    if (isDeleting(claim) || !str(claim, {"spec", "volumeName"}).empty()) continue;
    std::string driver = annotation(claim, kStorageProvisioner);
    if (driver.empty()) driver = annotation(claim, kBetaStorageProvisioner);
    VolumeBackend* backend = backendFor(driver);
    if (backend == nullptr) continue;
    auto cls = store().get(gvr::kStorageClasses, "", str(claim, {"spec", "storageClassName"}));
    if (!cls || cls->value("provisioner", "") != driver) continue;
    provisionClaim(claim, *cls, *backend, driver);
  }
  for (const auto& pvPtr : store().listShared(gvr::kPersistentVolumes)) {
    const json& pv = *pvPtr;
    std::string driver = annotation(pv, kProvisionedBy);
    VolumeBackend* backend = backendFor(driver);
    if (backend == nullptr) continue;
    if (str(pv, {"status", "phase"}) != "Released" || str(pv, {"spec", "persistentVolumeReclaimPolicy"}) != "Delete") {
      continue;
    }
    deleteVolume(pv, *backend);
  }
}

void ExternalProvisioner::provisionClaim(const json& claim, const json& cls, VolumeBackend& backend,
                                         const std::string& driver) {
  std::string selectedNode = annotation(claim, kSelectedNode);
  if (cls.value("volumeBindingMode", "") == "WaitForFirstConsumer" && selectedNode.empty()) return;
  // Data sources other than PVC clones and snapshots belong to a populator.
  json ref = claim["spec"].value("dataSourceRef", json());
  if (!ref.is_object()) ref = claim["spec"].value("dataSource", json());
  if (ref.is_object()) {
    std::string kind = ref.value("kind", "");
    std::string group = ref.value("apiGroup", "");
    bool pvc = kind == "PersistentVolumeClaim" && group.empty();
    bool snapshot = kind == "VolumeSnapshot" && group == "snapshot.storage.k8s.io";
    if (!pvc && !snapshot) {
      events_.emitFrom(driver + "_kube-sim", claim, "Normal", "Provisioning",
                       "Assuming an external populator will provision the volume");
      return;
    }
    if (snapshot) {
      events_.emitFrom(driver + "_kube-sim", claim, "Warning", "ProvisioningFailed",
                       "failed to provision volume with StorageClass \"" + nameOf(cls) +
                           "\": kube-sim's provisioner does not support VolumeSnapshot data sources");
      return;
    }
  }
  std::string pvName = "pvc-" + uidOf(claim);
  if (store().get(gvr::kPersistentVolumes, "", pvName)) return;  // already provisioned

  recordEvent(
      store(), claim, "Normal", "Provisioning",
      "External provisioner is provisioning volume for claim \"" + namespaceOf(claim) + "/" + nameOf(claim) + "\"",
      driver + "_kube-sim");
  ProvisionRequest req;
  req.pvName = pvName;
  req.storageClass = cls;
  req.claim = claim;
  req.requestBytes = parseQuantity(str(claim, {"spec", "resources", "requests", "storage"})).value_or(0);
  req.selectedNode = selectedNode;
  auto created = backend.create(req);
  if (!created.isOk()) {
    events_.emitFrom(
        driver + "_kube-sim", claim, "Warning", "ProvisioningFailed",
        "failed to provision volume with StorageClass \"" + nameOf(cls) + "\": " + created.status().message());
    return;
  }
  json claimRef = objectReference(claim);
  claimRef["kind"] = "PersistentVolumeClaim";
  claimRef["apiVersion"] = "v1";
  json pv = {{"apiVersion", "v1"},
             {"kind", "PersistentVolume"},
             {"metadata",
              {{"name", pvName},
               {"annotations",
                {{kProvisionedBy, driver},
                 {"volume.kubernetes.io/provisioner-deletion-secret-name", ""},
                 {"volume.kubernetes.io/provisioner-deletion-secret-namespace", ""}}},
               {"finalizers", json::array({kProvisionerFinalizer})}}},
             {"spec",
              {{"capacity", {{"storage", formatQuantity(created->capacityBytes)}}},
               {"accessModes", claim["spec"].value("accessModes", json::array({"ReadWriteOnce"}))},
               {"claimRef", claimRef},
               {"persistentVolumeReclaimPolicy", cls.value("reclaimPolicy", "Delete")},
               {"storageClassName", nameOf(cls)},
               {"volumeMode", claim["spec"].value("volumeMode", "Filesystem")},
               {"csi", created->csi}}}};
  if (cls.contains("mountOptions")) pv["spec"]["mountOptions"] = cls["mountOptions"];
  if (created->nodeAffinity.is_object()) pv["spec"]["nodeAffinity"] = created->nodeAffinity;
  auto r = store().create(gvr::kPersistentVolumes, "", pv);
  if (!r) {
    if (r.error().code == 409) return;
    (void)backend.remove(pv);
    events_.emitFrom(driver + "_kube-sim", claim, "Warning", "ProvisioningFailed",
                     "failed to provision volume with StorageClass \"" + nameOf(cls) +
                         "\": error saving PersistentVolume: " + r.error().message);
    return;
  }
  logInfo("kube-sim provisioner {}: provisioned {} for claim {}/{}", driver, pvName, namespaceOf(claim), nameOf(claim));
  recordEvent(store(), claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + pvName,
              driver + "_kube-sim");
}

void ExternalProvisioner::deleteVolume(const json& pv, VolumeBackend& backend) {
  Status st = backend.remove(pv);
  if (!st.isOk()) {
    events_.warning(pv, "VolumeFailedDelete", st.message());
    return;
  }
  if (!isDeleting(pv)) {
    auto r = store().remove(gvr::kPersistentVolumes, "", nameOf(pv));
    if (!r && r.error().code != 404) return;
  }
  auto fresh = store().get(gvr::kPersistentVolumes, "", nameOf(pv));
  if (!fresh) return;
  json v = *fresh;
  removeFinalizer(v, kProvisionerFinalizer);
  (void)store().update(gvr::kPersistentVolumes, "", v);
  logInfo("kube-sim provisioner: deleted volume {}", nameOf(pv));
}

}  // namespace ossvp::kubesim
