# Helpers for the hardening tests (sourced). Sources the controller
# end-to-end harness (start_emu, start_kube_sim, install_ossvp,
# start_controller, make_pvc, run_reader, ...) and adds:
#   cluster_names           every object name a user could see change
#   ossvp_yaml NAME NS SPEC  an OSSVolumePopulator with SPEC (indented 2)
source "$OSSVP_SRC/tests/integration/controller/lib.sh"

cluster_names() {
  local out
  out=$(k get all,pvc,pv,ossvp,secrets,configmaps,storageclasses -A -o name 2>&1) \
    || fail "cannot list the cluster's objects: $out"
  grep -v '^configmap/kube-root-ca.crt$' <<< "$out" | sort
}

ossvp_yaml() {  # ossvp_yaml NAME NAMESPACE  (spec lines, indented 2, on stdin)
  printf 'apiVersion: storage.alibabacloud.com/v1beta1\nkind: OSSVolumePopulator\nmetadata: {name: %s, namespace: %s}\nspec:\n' "$1" "$2"
  cat
}
