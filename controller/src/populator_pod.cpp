#include "ossvp/controller/populator_pod.h"

#include "ossvp/controller/names.h"

namespace ossvp::controller {

using kube::Object;

namespace {

Object envValue(const std::string& name, const std::string& value) { return {{"name", name}, {"value", value}}; }
Object envField(const std::string& name, const std::string& fieldPath) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", fieldPath}}}}}};
}
Object envSecret(const std::string& name, const std::string& secret, std::string_view key, bool optional) {
  return {{"name", name},
          {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", std::string(key)}, {"optional", optional}}}}}};
}

Object resources(const PodResources& r) {
  Object out = Object::object();
  Object requests = Object::object(), limits = Object::object();
  if (!r.cpuRequest.empty()) requests["cpu"] = r.cpuRequest;
  if (!r.memoryRequest.empty()) requests["memory"] = r.memoryRequest;
  if (!r.cpuLimit.empty()) limits["cpu"] = r.cpuLimit;
  if (!r.memoryLimit.empty()) limits["memory"] = r.memoryLimit;
  if (!requests.empty()) out["requests"] = requests;
  if (!limits.empty()) out["limits"] = limits;
  return out;
}

}  // namespace

Object buildPopulatorPod(const PopulatorPodInput& in, const ControllerOptions& options) {
  const OssvpSpec& spec = in.source->spec;
  const GenericOptions generic = spec.generic.value_or(GenericOptions{});

  Object labels = Object::object();
  for (const auto& [k, v] : generic.labels) labels[k] = v;
  labels[std::string(kLabelManagedBy)] = std::string(kManagedByValue);
  labels[std::string(kLabelTargetUid)] = in.pvcUid;
  labels[std::string(kLabelAttempt)] = std::to_string(in.attempt);
  Object annotations = Object::object();
  for (const auto& [k, v] : generic.annotations) annotations[k] = v;
  annotations[std::string(kAnnTarget)] = in.pvcNamespace + "/" + in.pvcName;
  annotations[std::string(kAnnSource)] = in.source->ns + "/" + in.source->name;

  Object args = Object::array({"--endpoint", spec.endpoint, "--region", spec.region, "--bucket", spec.bucket, "--path",
                               spec.path, "--target", std::string(kPopulatorMountPath)});
  if (generic.throughputMBps && *generic.throughputMBps > 0) {
    args.push_back("--throughput-mbps");
    args.push_back(std::to_string(*generic.throughputMBps));
  }
  for (const auto& o : options.endpointOverrides) {
    args.push_back("--endpoint-override");
    args.push_back(o);
  }

  Object env = Object::array({envField("POD_NAME", "metadata.name"), envField("POD_NAMESPACE", "metadata.namespace")});
  Object mounts = Object::array({{{"name", "target"}, {"mountPath", std::string(kPopulatorMountPath)}}});
  Object volumes =
      Object::array({{{"name", "target"}, {"persistentVolumeClaim", {{"claimName", primePvcName(in.pvcUid)}}}}});
  if (generic.secretRef) {
    env.push_back(envSecret("ALIBABA_CLOUD_ACCESS_KEY_ID", *generic.secretRef, kSecretKeyAccessKeyId, false));
    env.push_back(envSecret("ALIBABA_CLOUD_ACCESS_KEY_SECRET", *generic.secretRef, kSecretKeyAccessKeySecret, false));
    env.push_back(envSecret("ALIBABA_CLOUD_SECURITY_TOKEN", *generic.secretRef, kSecretKeySecurityToken, true));
  } else if (generic.rrsaConfigs) {
    env.push_back(envValue("ALIBABA_CLOUD_ROLE_ARN", generic.rrsaConfigs->roleArn));
    env.push_back(envValue("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", generic.rrsaConfigs->oidcProviderArn));
    env.push_back(envValue("ALIBABA_CLOUD_OIDC_TOKEN_FILE", std::string(kRrsaTokenDir) + "/token"));
    env.push_back(envValue("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ossvp-populator"));
    mounts.push_back({{"name", "rrsa-oidc-token"}, {"mountPath", std::string(kRrsaTokenDir)}, {"readOnly", true}});
    volumes.push_back(
        {{"name", "rrsa-oidc-token"},
         {"projected",
          {{"defaultMode", 0440},
           {"sources",
            Object::array(
                {{{"serviceAccountToken",
                   {{"audience", "sts.aliyuncs.com"}, {"expirationSeconds", 3600}, {"path", "token"}}}}})}}}});
  }

  Object container = {{"name", "populate"},
                      {"image", options.populatorImage},
                      {"imagePullPolicy", "IfNotPresent"},
                      {"args", args},
                      {"env", env},
                      {"volumeMounts", mounts},
                      {"resources", resources(options.podResources)},
                      {"terminationMessagePolicy", "FallbackToLogsOnError"},
                      {"securityContext",
                       {{"allowPrivilegeEscalation", false},
                        {"runAsNonRoot", true},
                        {"readOnlyRootFilesystem", true},
                        {"capabilities", {{"drop", Object::array({"ALL"})}}}}}};

  Object podSpec = {{"restartPolicy", "Never"},
                    {"containers", Object::array({container})},
                    {"volumes", volumes},
                    {"securityContext",
                     {{"runAsNonRoot", true},
                      {"runAsUser", options.podRunAsUser},
                      {"runAsGroup", options.podRunAsUser},
                      {"fsGroup", options.podRunAsUser},
                      {"seccompProfile", {{"type", "RuntimeDefault"}}}}}};
  if (options.podHandlerEnabled) podSpec["serviceAccountName"] = options.populatorServiceAccount;
  if (!in.selectedNode.empty()) podSpec["nodeName"] = in.selectedNode;
  if (!generic.affinity.is_null()) podSpec["affinity"] = generic.affinity;
  if (!generic.tolerations.is_null()) podSpec["tolerations"] = generic.tolerations;

  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", populatorPodName(in.pvcUid)},
            {"namespace", options.populatorNamespace},
            {"labels", labels},
            {"annotations", annotations}}},
          {"spec", podSpec}};
}

}  // namespace ossvp::controller
