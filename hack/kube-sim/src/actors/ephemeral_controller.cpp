#include "actors/ephemeral_controller.h"

#include "actors/default_class.h"
#include "actors/object_util.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

void EphemeralVolumeController::syncAll() {
  for (const auto& ptr : store().listShared(gvr::kPods)) {
    const json& pod = *ptr;
    if (isDeleting(pod) || !pod.contains("spec") || !pod["spec"].contains("volumes")) continue;
    for (const auto& vol : pod["spec"].value("volumes", json::array())) {
      if (!vol.contains("ephemeral")) continue;
      std::string claimName = nameOf(pod) + "-" + vol.value("name", "");
      std::string ns = namespaceOf(pod);
      if (store().get(gvr::kPersistentVolumeClaims, ns, claimName)) continue;
      const json tmpl = vol["ephemeral"].value("volumeClaimTemplate", json::object());
      json meta = tmpl.value("metadata", json::object());
      json claim = {{"apiVersion", "v1"},
                    {"kind", "PersistentVolumeClaim"},
                    {"metadata", {{"name", claimName}, {"namespace", ns}}},
                    {"spec", tmpl.value("spec", json::object())}};
      if (meta.contains("labels")) claim["metadata"]["labels"] = meta["labels"];
      if (meta.contains("annotations")) claim["metadata"]["annotations"] = meta["annotations"];
      json owner = pod;
      owner["apiVersion"] = "v1";
      owner["kind"] = "Pod";
      claim["metadata"]["ownerReferences"] = json::array({controllerOwnerRef(owner)});
      applyDefaultStorageClass(store(), claim);
      auto r = store().create(gvr::kPersistentVolumeClaims, ns, claim);
      if (!r && r.error().code != 409) {
        events_.warning(pod, "FailedCreate", "create PVC " + claimName + ": " + r.error().message);
      } else if (r) {
        logInfo("kube-sim ephemeral: created PVC {}/{} for pod {}", ns, claimName, nameOf(pod));
      }
    }
  }
}

}  // namespace ossvp::kubesim
