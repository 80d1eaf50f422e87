# Helpers for the hardening tests (sourced). Sources the controller
# end-to-end harness (start_emu, start_kube_sim, install_ossvp,
# start_controller, make_pvc, run_reader, ...) and adds:
#   cluster_names           every object name a user could see change
#   ossvp_yaml NAME NS SPEC  an OSSVolumePopulator with SPEC (indented 2)
#   apply_claim NAME SPEC   kubectl apply of a 1Gi RWO PVC in default with
#                           the extra SPEC lines (indented 2) on stdin;
#                           prints kubectl's output, never fails
#   reader_pod_yaml NS POD PVC  a pod printing "md5  ./path" for every file
#                           of PVC (as run_reader's), for creating many at once
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

apply_claim() {  # apply_claim NAME  (extra spec lines, indented 2, on stdin)
  { printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: %s, namespace: default}\nspec:\n' "$1"
    printf '  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n'
    cat; } | k apply -f - 2>&1 || true
}

reader_pod_yaml() {  # reader_pod_yaml NS POD PVC (a YAML document, flow style)
  local cmd="cd /data && find . -type f ! -path './.ossvp-populator/*' | sort | xargs md5sum"
  printf -- '---\n{apiVersion: v1, kind: Pod, metadata: {name: %s, namespace: %s}, spec: {restartPolicy: Never, containers: [{name: read, image: "busybox:1.36", command: [sh, -c, "%s"], volumeMounts: [{name: data, mountPath: /data}]}], volumes: [{name: data, persistentVolumeClaim: {claimName: %s}}]}}\n' \
    "$2" "$1" "$cmd" "$3"
}
