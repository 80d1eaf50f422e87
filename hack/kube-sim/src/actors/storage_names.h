// Annotation keys, finalizers and driver names the storage actors share, with
// the exact strings Kubernetes and the CSI sidecars use.
#pragma once

namespace ossvp::kubesim::names {

// pv_controller / component-helpers storage/volume
inline constexpr const char* kBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr const char* kBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr const char* kProvisionedBy = "pv.kubernetes.io/provisioned-by";
inline constexpr const char* kStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
inline constexpr const char* kBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
inline constexpr const char* kSelectedNode = "volume.kubernetes.io/selected-node";
inline constexpr const char* kDefaultClass = "storageclass.kubernetes.io/is-default-class";
// finalizers
inline constexpr const char* kPvcProtection = "kubernetes.io/pvc-protection";
inline constexpr const char* kPvProtection = "kubernetes.io/pv-protection";
inline constexpr const char* kProvisionerFinalizer = "external-provisioner.volume.kubernetes.io/finalizer";

// kube-sim's own provisioners.
inline constexpr const char* kHostPathDriver = "kube-sim.local/hostpath";
inline constexpr const char* kBmcpfsDriver = "bmcpfsplugin.csi.alibabacloud.com";
// volumeAttributes key every kube-sim-provisioned PV carries: the host
// directory holding the volume's data (what the kubelet mounts).
inline constexpr const char* kHostPathAttr = "kubesim.io/host-path";

}  // namespace ossvp::kubesim::names
