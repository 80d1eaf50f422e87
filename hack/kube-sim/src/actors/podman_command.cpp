#include "actors/podman_command.h"

#include <nlohmann/json.hpp>

namespace ossvp::kubesim {

PodmanCommand podmanCommand(const PodmanSettings& s, std::vector<std::string> args) {
  PodmanCommand cmd;
  cmd.argv.push_back(s.podman);
  cmd.argv.insert(cmd.argv.end(), s.globalArgs.begin(), s.globalArgs.end());
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  if (!args.empty()) cmd.verb = args[0];
  cmd.env = {"PATH=" + s.path};
  if (!s.containersConf.empty()) cmd.env.push_back("CONTAINERS_CONF=" + s.containersConf);
  if (!s.storageConf.empty()) cmd.env.push_back("CONTAINERS_STORAGE_CONF=" + s.storageConf);
  return cmd;
}

std::string podmanContainerName(const ContainerConfig& c, int attempt) {
  return "k8s_" + c.name + "_" + c.podName + "_" + c.podNamespace + "_" + c.podUid + "_" + std::to_string(attempt);
}

PodmanCommand podmanCreateCommand(const PodmanSettings& s, const ContainerConfig& c, int attempt,
                                  const std::string& imageUser) {
  std::vector<std::string> a = {"create", "--name", podmanContainerName(c, attempt)};
  auto label = [&](const std::string& k, const std::string& v) {
    a.push_back("--label");
    a.push_back(k + "=" + v);
  };
  label(kPodmanOwnerLabel, s.owner);
  label("io.kubernetes.pod.namespace", c.podNamespace);
  label("io.kubernetes.pod.name", c.podName);
  label("io.kubernetes.pod.uid", c.podUid);
  label("io.kubernetes.container.name", c.name);
  a.insert(a.end(), {"--pull", "never", "--network", "host", "--hostname", c.podName.substr(0, 63)});
  for (const auto& u : s.ulimits) a.insert(a.end(), {"--ulimit", u});
  // Output reaches the log file through `podman start --attach`.
  a.insert(a.end(), {"--log-driver", "none"});
  if (c.runAsUser || c.runAsGroup) {
    std::string imageUid = imageUser.substr(0, imageUser.find(':'));
    std::string user = c.runAsUser ? std::to_string(*c.runAsUser) : (imageUid.empty() ? "0" : imageUid);
    if (c.runAsGroup) user.append(":").append(std::to_string(*c.runAsGroup));
    a.insert(a.end(), {"--user", user});
  }
  for (int64_t g : c.supplementalGroups) a.insert(a.end(), {"--group-add", std::to_string(g)});
  if (c.readOnlyRootFilesystem) a.insert(a.end(), {"--read-only", "--read-only-tmpfs=false"});
  if (!c.allowPrivilegeEscalation) a.insert(a.end(), {"--security-opt", "no-new-privileges"});
  if (c.privileged) a.push_back("--privileged");
  for (const auto& cap : c.capDrop) a.insert(a.end(), {"--cap-drop", cap});
  for (const auto& cap : c.capAdd) a.insert(a.end(), {"--cap-add", cap});
  if (c.memoryLimitBytes) {
    std::string bytes = std::to_string(*c.memoryLimitBytes);
    a.insert(a.end(), {"--memory", bytes, "--memory-swap", bytes});
  }
  PodmanCommand base = podmanCommand(s, {});
  std::vector<std::string> values;
  for (const auto& [k, v] : c.env) {
    bool clientOwn = false;  // a name the podman client itself needs: given in the argv instead
    for (const auto& e : base.env) clientOwn = clientOwn || e.compare(0, k.size() + 1, k + "=") == 0;
    if (clientOwn) {
      a.insert(a.end(), {"--env", k + "=" + v});
    } else {
      a.insert(a.end(), {"--env", k});
      values.push_back(k + "=" + v);
    }
  }
  for (const auto& m : c.mounts) a.insert(a.end(), {"--volume", m.source + ":" + m.target + (m.readOnly ? ":ro" : "")});
  if (!c.workingDir.empty()) a.insert(a.end(), {"--workdir", c.workingDir});
  if (!c.command.empty()) a.insert(a.end(), {"--entrypoint", nlohmann::json(c.command).dump()});
  a.push_back(c.image);
  a.insert(a.end(), c.args.begin(), c.args.end());
  PodmanCommand cmd = podmanCommand(s, std::move(a));
  cmd.env.insert(cmd.env.end(), values.begin(), values.end());
  return cmd;
}

PodmanCommand podmanListOwnedCommand(const PodmanSettings& s) {
  return podmanCommand(
      s, {"ps", "--all", "--quiet", "--filter", std::string("label=") + kPodmanOwnerLabel + "=" + s.owner});
}

}  // namespace ossvp::kubesim
