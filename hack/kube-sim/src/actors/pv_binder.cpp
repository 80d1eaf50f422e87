#include "actors/pv_binder.h"

#include <algorithm>
#include <map>
#include <set>

#include "actors/label_match.h"
#include "actors/node_health.h"
#include "actors/object_util.h"
#include "actors/quantity.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

using namespace names;  // NOLINT: annotation keys

struct PvBinder::Snapshot {
  using Key = std::pair<std::string, std::string>;  // (namespace, name)
  std::vector<json> claims;
  std::map<std::string, json> volumes;  // name -> PV
  std::map<std::string, json> classes;  // name -> StorageClass
  std::map<std::string, json> nodes;
  std::vector<std::shared_ptr<const json>> pods;
  // Indexes built once per pass (thousands of claims and volumes): claims by
  // key; the volumes a claim may bind to: those without a claimRef and those
  // whose claimRef names it (as the pass started; findBestMatch re-checks
  // each against its current state).
  std::map<Key, size_t> claimIndex;
  std::vector<std::string> unclaimedVolumes;
  std::map<Key, std::vector<std::string>> volumesClaiming;

  json* claim(const std::string& ns, const std::string& name) {
    auto it = claimIndex.find({ns, name});
    return it == claimIndex.end() ? nullptr : &claims[it->second];
  }
  void buildIndexes() {
    for (size_t i = 0; i < claims.size(); ++i) claimIndex[{namespaceOf(claims[i]), nameOf(claims[i])}] = i;
    for (const auto& [name, volume] : volumes) {
      const json& spec = volume.value("spec", json::object());
      auto ref = spec.find("claimRef");
      if (ref == spec.end() || !ref->is_object()) {
        unclaimedVolumes.push_back(name);
      } else {
        volumesClaiming[{ref->value("namespace", ""), ref->value("name", "")}].push_back(name);
      }
    }
  }
  // Names (in order) of the volumes findBestMatch may pick for `claim`.
  std::vector<std::string> candidatesFor(const json& claim) const {
    std::vector<std::string> out = unclaimedVolumes;
    auto it = volumesClaiming.find({namespaceOf(claim), nameOf(claim)});
    if (it != volumesClaiming.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      std::sort(out.begin(), out.end());
    }
    return out;
  }
};

namespace {

uint64_t claimRequest(const json& claim) {
  return parseQuantity(str(claim, {"spec", "resources", "requests", "storage"})).value_or(0);
}

uint64_t volumeCapacity(const json& volume) {
  return parseQuantity(str(volume, {"spec", "capacity", "storage"})).value_or(0);
}

std::string volumeModeOf(const json& obj) {
  std::string m = str(obj, {"spec", "volumeMode"});
  return m.empty() ? "Filesystem" : m;
}

std::string className(const json& obj) { return str(obj, {"spec", "storageClassName"}); }

// pv_helpers.go IsVolumeBoundToClaim.
bool isVolumeBoundToClaim(const json& volume, const json& claim) {
  const json& ref = volume["spec"].value("claimRef", json());
  if (!ref.is_object()) return false;
  if (ref.value("name", "") != nameOf(claim) || ref.value("namespace", "") != namespaceOf(claim)) return false;
  std::string uid = ref.value("uid", "");
  return uid.empty() || uid == uidOf(claim);
}

bool accessModesContained(const json& volume, const json& claim) {
  const json vm = volume["spec"].value("accessModes", json::array());
  for (const auto& m : claim["spec"].value("accessModes", json::array())) {
    bool found = false;
    for (const auto& x : vm) found = found || x == m;
    if (!found) return false;
  }
  return true;
}

bool isWaitForFirstConsumer(const json* cls) {
  return cls != nullptr && cls->value("volumeBindingMode", "") == "WaitForFirstConsumer";
}

}  // namespace

PvBinder::PvBinder(ClusterContext& ctx)
    : Actor(ctx, "persistentvolume-binder"), events_(*ctx.store, "persistentvolume-controller") {}

std::vector<GVR> PvBinder::watchedResources() const {
  return {gvr::kPersistentVolumeClaims, gvr::kPersistentVolumes, gvr::kStorageClasses, gvr::kPods};
}

void PvBinder::syncAll() {
  Snapshot s;
  auto claims = store().list(gvr::kPersistentVolumeClaims, "");
  auto volumes = store().list(gvr::kPersistentVolumes, "");
  auto classes = store().list(gvr::kStorageClasses, "");
  auto nodes = store().list(gvr::kNodes, "");
  if (!claims || !volumes || !classes) return;
  s.claims = claims->items;
  for (auto& v : volumes->items) s.volumes[nameOf(v)] = v;
  for (auto& c : classes->items) s.classes[nameOf(c)] = c;
  if (nodes)
    for (auto& n : nodes->items) s.nodes[nameOf(n)] = n;
  s.pods = store().listShared(gvr::kPods);
  s.buildIndexes();

  for (size_t i = 0; i < s.claims.size(); ++i) syncClaim(s, s.claims[i]);
  std::vector<std::string> names;
  for (auto& [n, v] : s.volumes) names.push_back(n);
  for (const auto& n : names) {
    auto it = s.volumes.find(n);
    if (it != s.volumes.end()) syncVolume(s, it->second);
  }
  protectClaims(s);
  protectVolumes(s);
}

void PvBinder::syncClaim(Snapshot& s, json claim) {
  if (str(claim, {"status", "phase"}) == "Lost") return;  // Lost is terminal (needs a human)
  if (annotation(claim, kBindCompleted).empty()) {
    syncUnboundClaim(s, std::move(claim));
  } else {
    syncBoundClaim(s, std::move(claim));
  }
}

bool PvBinder::setClaimPhase(json& claim, const std::string& phase, const json* volume) {
  json status = claim.value("status", json::object());
  json want = status;
  want["phase"] = phase;
  if (volume != nullptr) {
    want["accessModes"] = (*volume)["spec"].value("accessModes", json::array());
    want["capacity"] = (*volume)["spec"].value("capacity", json::object());
  } else if (phase == "Pending") {
    want.erase("capacity");
    want.erase("accessModes");
  }
  if (want == status) return true;
  json copy = claim;
  copy["status"] = want;
  auto r = store().updateStatus(gvr::kPersistentVolumeClaims, namespaceOf(claim), copy);
  if (!r) return false;
  claim = *r;
  return true;
}

bool PvBinder::setVolumePhase(json& volume, const std::string& phase, const std::string& message) {
  json status = volume.value("status", json::object());
  if (status.value("phase", "") == phase && status.value("message", "") == message) return true;
  json copy = volume;
  copy["status"]["phase"] = phase;
  if (message.empty()) {
    copy["status"].erase("message");
  } else {
    copy["status"]["message"] = message;
  }
  copy["status"]["lastPhaseTransitionTime"] = nowRfc3339();
  auto r = store().updateStatus(gvr::kPersistentVolumes, "", copy);
  if (!r) return false;
  volume = *r;
  return true;
}

const json* PvBinder::findBestMatch(Snapshot& s, const json& claim, bool delayBinding) {
  uint64_t request = claimRequest(claim);
  std::string selectedNode = annotation(claim, kSelectedNode);
  const json* best = nullptr;
  for (const auto& name : s.candidatesFor(claim)) {
    auto found = s.volumes.find(name);
    if (found == s.volumes.end()) continue;
    json& volume = found->second;
    if (isDeleting(volume)) continue;
    if (volumeCapacity(volume) < request) continue;
    if (volumeModeOf(volume) != volumeModeOf(claim)) continue;
    if (!selectedNode.empty() && volume["spec"].contains("nodeAffinity")) {
      auto node = s.nodes.find(selectedNode);
      json req = volume["spec"]["nodeAffinity"].value("required", json());
      if (node != s.nodes.end() && req.is_object() && !nodeSelectorMatches(req, node->second)) continue;
    }
    if (isVolumeBoundToClaim(volume, claim)) return &volume;  // pre-bound wins
    if (delayBinding) continue;
    if (volume["spec"].contains("claimRef") && !volume["spec"]["claimRef"].is_null()) continue;
    std::string phase = str(volume, {"status", "phase"});
    if (phase == "Released" || phase == "Failed") continue;
    if (className(volume) != className(claim)) continue;
    json labels = volume["metadata"].value("labels", json::object());
    if (!labelSelectorMatches(claim["spec"].value("selector", json()), labels)) continue;
    if (!accessModesContained(volume, claim)) continue;
    if (best == nullptr || volumeCapacity(volume) < volumeCapacity(*best)) best = &volume;
  }
  return best;
}

void PvBinder::syncUnboundClaim(Snapshot& s, json claim) {
  std::string ns = namespaceOf(claim);
  std::string volumeName = str(claim, {"spec", "volumeName"});
  // Retroactive default StorageClass assignment (KEP-3333, GA in 1.28).
  if (volumeName.empty() &&
      (!claim["spec"].contains("storageClassName") || claim["spec"]["storageClassName"].is_null())) {
    const json* def = nullptr;
    for (auto& [n, c] : s.classes) {
      if (annotation(c, kDefaultClass) == "true" && !isDeleting(c)) def = &c;
    }
    if (def != nullptr) {
      json copy = claim;
      copy["spec"]["storageClassName"] = nameOf(*def);
      auto r = store().update(gvr::kPersistentVolumeClaims, ns, copy);
      if (r) {
        claim = *r;
      } else {
        logDebug("kube-sim pv-binder: cannot assign the default class to {}/{}: {}", ns, nameOf(claim),
                 r.error().message);
      }
    }
  }
  if (volumeName.empty()) {
    auto clsIt = s.classes.find(className(claim));
    const json* cls = clsIt == s.classes.end() ? nullptr : &clsIt->second;
    bool delay = isWaitForFirstConsumer(cls) && annotation(claim, kSelectedNode).empty();
    if (const json* volume = findBestMatch(s, claim, delay)) {
      bind(s, *volume, claim);
      return;
    }
    if (isDeleting(claim)) return;
    if (className(claim).empty()) {
      events_.normal(claim, "FailedBinding",
                     "no persistent volumes available for this claim and no storage class is set");
    } else if (cls == nullptr) {
      events_.warning(claim, "ProvisioningFailed",
                      "storageclass.storage.k8s.io \"" + className(claim) + "\" not found");
    } else if (delay) {
      events_.normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
    } else {
      std::string provisioner = cls->value("provisioner", "");
      if (provisioner == "kubernetes.io/no-provisioner") {
        events_.normal(claim, "FailedBinding",
                       "no persistent volumes available for this claim and no storage class is set");
      } else {
        if (annotation(claim, kStorageProvisioner) != provisioner ||
            annotation(claim, kBetaStorageProvisioner) != provisioner) {
          json copy = claim;
          setAnnotation(copy, kStorageProvisioner, provisioner);
          setAnnotation(copy, kBetaStorageProvisioner, provisioner);
          auto r = store().update(gvr::kPersistentVolumeClaims, ns, copy);
          if (!r) return;
          claim = *r;
        }
        events_.normal(claim, "ExternalProvisioning",
                       "Waiting for a volume to be created either by the external provisioner '" + provisioner +
                           "' or manually by the system administrator. If volume creation is delayed, please "
                           "verify that the provisioner is running and correctly registered.");
      }
    }
    setClaimPhase(claim, "Pending", nullptr);
    return;
  }
  // The user (or a controller) asked for a specific volume.
  auto it = s.volumes.find(volumeName);
  if (it == s.volumes.end()) {
    setClaimPhase(claim, "Pending", nullptr);
    return;
  }
  json& volume = it->second;
  if (!volume["spec"].contains("claimRef") || volume["spec"]["claimRef"].is_null() ||
      isVolumeBoundToClaim(volume, claim)) {
    if (volumeCapacity(volume) < claimRequest(claim) || volumeModeOf(volume) != volumeModeOf(claim)) {
      events_.warning(claim, "VolumeMismatch",
                      "Cannot bind to requested volume \"" + volumeName + "\": requested PV is too small");
      setClaimPhase(claim, "Pending", nullptr);
      return;
    }
    bind(s, volume, claim);
    return;
  }
  if (!hasAnnotation(claim, kBoundByController)) {
    events_.warning(claim, "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.");
    setClaimPhase(claim, "Pending", nullptr);
  }
}

void PvBinder::syncBoundClaim(Snapshot& s, json claim) {
  std::string volumeName = str(claim, {"spec", "volumeName"});
  if (volumeName.empty()) {
    if (setClaimPhase(claim, "Lost", nullptr)) {
      events_.warning(claim, "ClaimLost",
                      "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    }
    return;
  }
  auto it = s.volumes.find(volumeName);
  if (it == s.volumes.end()) {
    if (setClaimPhase(claim, "Lost", nullptr)) {
      events_.warning(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    return;
  }
  json& volume = it->second;
  const json ref = volume["spec"].value("claimRef", json());
  if (!ref.is_object() || isVolumeBoundToClaim(volume, claim)) {
    bind(s, volume, claim);  // re-establish a dangling claimRef / finish phases
    return;
  }
  if (setClaimPhase(claim, "Lost", nullptr)) {
    events_.warning(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
  }
}

bool PvBinder::bind(Snapshot& s, json volume, json claim) {
  // 1. The volume points at the claim (with uid).
  bool shouldSetBoundByController = !isVolumeBoundToClaim(volume, claim);
  json v = volume;
  const json ref = v["spec"].value("claimRef", json());
  bool dirty = false;
  if (!ref.is_object() || ref.value("name", "") != nameOf(claim) || ref.value("namespace", "") != namespaceOf(claim) ||
      ref.value("uid", "") != uidOf(claim)) {
    v["spec"]["claimRef"] = objectReference(claim);
    v["spec"]["claimRef"]["kind"] = "PersistentVolumeClaim";
    v["spec"]["claimRef"]["apiVersion"] = "v1";
    dirty = true;
  }
  if (shouldSetBoundByController && !hasAnnotation(v, kBoundByController)) {
    setAnnotation(v, kBoundByController, "yes");
    dirty = true;
  }
  if (dirty) {
    auto r = store().update(gvr::kPersistentVolumes, "", v);
    if (!r) {
      logDebug("kube-sim pv-binder: binding volume {} to claim {}/{}: {}", nameOf(volume), namespaceOf(claim),
               nameOf(claim), r.error().message);
      return false;
    }
    v = *r;
  }
  if (!setVolumePhase(v, "Bound")) return false;
  s.volumes[nameOf(v)] = v;
  // 2. The claim points at the volume.
  json c = claim;
  dirty = false;
  if (str(c, {"spec", "volumeName"}) != nameOf(v)) {
    c["spec"]["volumeName"] = nameOf(v);
    setAnnotation(c, kBoundByController, "yes");
    dirty = true;
  }
  if (annotation(c, kBindCompleted) != "yes") {
    setAnnotation(c, kBindCompleted, "yes");
    dirty = true;
  }
  if (dirty) {
    auto r = store().update(gvr::kPersistentVolumeClaims, namespaceOf(c), c);
    if (!r) {
      logDebug("kube-sim pv-binder: binding claim {}/{} to volume {}: {}", namespaceOf(claim), nameOf(claim), nameOf(v),
               r.error().message);
      return false;
    }
    c = *r;
  }
  return setClaimPhase(c, "Bound", &v);
}

void PvBinder::syncVolume(Snapshot& s, json volume) {
  if (isDeleting(volume)) return;
  const json ref = volume["spec"].value("claimRef", json());
  if (!ref.is_object()) {
    setVolumePhase(volume, "Available");
    return;
  }
  if (ref.value("uid", "").empty()) {
    setVolumePhase(volume, "Available");  // reserved; the claim sync binds it
    return;
  }
  // Look the claim up fresh: it may have been created after our list.
  json* claim = s.claim(ref.value("namespace", ""), ref.value("name", ""));
  json fresh;
  if (claim == nullptr) {
    auto r = store().get(gvr::kPersistentVolumeClaims, ref.value("namespace", ""), ref.value("name", ""));
    if (r) {
      fresh = *r;
      claim = &fresh;
    }
  }
  if (claim != nullptr && uidOf(*claim) != ref.value("uid", "")) claim = nullptr;
  if (claim == nullptr) {
    std::string phase = str(volume, {"status", "phase"});
    if (phase != "Released" && phase != "Failed") setVolumePhase(volume, "Released");
    // Reclaim.
    std::string policy = str(volume, {"spec", "persistentVolumeReclaimPolicy"});
    if (policy == "Delete" && annotation(volume, kProvisionedBy).empty() &&
        str(volume, {"status", "phase"}) != "Failed") {
      std::string msg = "error getting deleter volume plugin for volume \"" + nameOf(volume) +
                        "\": no deletable volume plugin matched";
      setVolumePhase(volume, "Failed", msg);
      events_.warning(volume, "VolumeFailedDelete", msg);
    }
    // Delete of provisioned volumes: ExternalProvisioner; Retain: stays Released.
    return;
  }
  std::string claimVolume = str(*claim, {"spec", "volumeName"});
  if (claimVolume.empty()) return;  // the claim sync finishes the binding
  if (claimVolume == nameOf(volume)) {
    setVolumePhase(volume, "Bound");
    return;
  }
  // Bound to a claim that is bound elsewhere.
  if (!annotation(volume, kProvisionedBy).empty() &&
      str(volume, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete") {
    setVolumePhase(volume, "Released");
  } else if (hasAnnotation(volume, kBoundByController)) {
    json v = volume;
    v["spec"].erase("claimRef");
    v["metadata"]["annotations"].erase(kBoundByController);
    auto r = store().update(gvr::kPersistentVolumes, "", v);
    if (r) {
      json nv = *r;
      setVolumePhase(nv, "Available");
    }
  } else {
    setVolumePhase(volume, "Available");
  }
}

void PvBinder::protectClaims(Snapshot& s) {
  if (std::none_of(s.claims.begin(), s.claims.end(), [](const json& c) { return isDeleting(c); })) return;
  // Claims used by a pod that is on a node and not finished: (namespace, name).
  std::set<Snapshot::Key> inUse;
  for (const auto& podPtr : s.pods) {
    const json& pod = *podPtr;
    if (str(pod, {"spec", "nodeName"}).empty()) continue;
    std::string phase = str(pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") continue;
    for (const auto& vol : arrayAt(pod, "spec", "volumes")) {
      std::string claimName = str(vol, {"persistentVolumeClaim", "claimName"});
      if (vol.contains("ephemeral")) claimName = nameOf(pod) + "-" + vol.value("name", "");
      if (!claimName.empty()) inUse.insert({namespaceOf(pod), claimName});
    }
  }
  for (auto& claim : s.claims) {
    if (!isDeleting(claim) || !hasFinalizer(claim, kPvcProtection)) continue;
    if (inUse.count({namespaceOf(claim), nameOf(claim)})) continue;
    auto fresh = store().get(gvr::kPersistentVolumeClaims, namespaceOf(claim), nameOf(claim));
    if (!fresh) continue;
    json c = *fresh;
    removeFinalizer(c, kPvcProtection);
    (void)store().update(gvr::kPersistentVolumeClaims, namespaceOf(c), c);
  }
}

void PvBinder::protectVolumes(Snapshot& s) {
  for (auto& [name, volume] : s.volumes) {
    if (!isDeleting(volume) || !hasFinalizer(volume, kPvProtection)) continue;
    if (str(volume, {"status", "phase"}) == "Bound") continue;
    json v = volume;
    removeFinalizer(v, kPvProtection);
    (void)store().update(gvr::kPersistentVolumes, "", v);
  }
}

}  // namespace ossvp::kubesim
