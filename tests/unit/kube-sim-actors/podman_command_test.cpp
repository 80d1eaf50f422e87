// The podman runtime's pure parts: the podman command lines built from a
// resolved container (podman_command.h), the runAsNonRoot verification
// (container_config.h), and the resolution of a pod's container into a
// ContainerConfig (pod_environment.h).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "actors/container_config.h"
#include "actors/pod_environment.h"
#include "actors/podman_command.h"
#include "ossvp/common/base64.h"

using namespace ossvp::kubesim;

namespace {

PodmanSettings testSettings() {
  PodmanSettings s;
  s.podman = "/usr/bin/podman";
  s.containersConf = "/state/podman/containers.conf";
  s.path = "/usr/bin:/bin";
  s.owner = "/state";
  return s;
}

// Designated initializers: assigning short literals trips GCC 12 -Wrestrict.
ContainerConfig basicContainer() {
  return ContainerConfig{
      .podName = "p", .podNamespace = "ns", .podUid = "u-1", .name = "main", .image = "debian:bookworm-slim"};
}

std::vector<std::string> commonPrefix(const std::string& name) {
  return {"/usr/bin/podman", "--runtime",
          "/usr/sbin/runc",  "--cgroup-manager",
          "cgroupfs",        "create",
          "--name",          name,
          "--label",         "io.kube-sim.owner=/state",
          "--label",         "io.kubernetes.pod.namespace=ns",
          "--label",         "io.kubernetes.pod.name=p",
          "--label",         "io.kubernetes.pod.uid=u-1",
          "--label",         "io.kubernetes.container.name=main",
          "--pull",          "never",
          "--network",       "host",
          "--hostname",      "p",
          "--ulimit",        "nofile=1024:1024",
          "--ulimit",        "nproc=1024:1024",
          "--log-driver",    "none"};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("podman create for a bare container runs the image's entrypoint", "[kube-sim-actors][podman]") {
  ContainerConfig c = basicContainer();
  c.args = {"a", "b"};
  PodmanCommand cmd = podmanCreateCommand(testSettings(), c, 0, "");
  CHECK(cmd.argv == concat(commonPrefix("k8s_main_p_ns_u-1_0"), {"debian:bookworm-slim", "a", "b"}));
  CHECK(cmd.env == std::vector<std::string>{"PATH=/usr/bin:/bin", "CONTAINERS_CONF=/state/podman/containers.conf"});
  CHECK(cmd.verb == "create");  // what errors name instead of the argv (the pod's args)
  // kube-sim's own image store, when it was started with one, reaches every call.
  PodmanSettings withStorage = testSettings();
  withStorage.storageConf = "/etc/alt-storage.conf";
  CHECK(podmanCommand(withStorage, {"ps"}).env ==
        std::vector<std::string>{"PATH=/usr/bin:/bin", "CONTAINERS_CONF=/state/podman/containers.conf",
                                 "CONTAINERS_STORAGE_CONF=/etc/alt-storage.conf"});
}

TEST_CASE("podman create carries the security context, limits, mounts and command", "[kube-sim-actors][podman]") {
  ContainerConfig c = basicContainer();
  c.command = {"/bin/sh", "-c", "echo \"$X\""};
  c.args = {"arg"};
  c.runAsUser = 1000;
  c.runAsGroup = 3000;
  c.supplementalGroups = {2000, 4000};
  c.readOnlyRootFilesystem = true;
  c.allowPrivilegeEscalation = false;
  c.capDrop = {"ALL"};
  c.capAdd = {"NET_BIND_SERVICE"};
  c.memoryLimitBytes = 33554432;
  c.mounts = {{"/host/pv", "/data", false, false},
              {"/host/sa", "/var/run/secrets/kubernetes.io/serviceaccount", true, false},
              {"/host/term", "/dev/termination-log", false, true}};
  c.workingDir = "/work";
  PodmanCommand cmd = podmanCreateCommand(testSettings(), c, 2, "");
  CHECK(cmd.argv ==
        concat(commonPrefix("k8s_main_p_ns_u-1_2"), {"--user",
                                                     "1000:3000",
                                                     "--group-add",
                                                     "2000",
                                                     "--group-add",
                                                     "4000",
                                                     "--read-only",
                                                     "--read-only-tmpfs=false",
                                                     "--security-opt",
                                                     "no-new-privileges",
                                                     "--cap-drop",
                                                     "ALL",
                                                     "--cap-add",
                                                     "NET_BIND_SERVICE",
                                                     "--memory",
                                                     "33554432",
                                                     "--memory-swap",
                                                     "33554432",
                                                     "--volume",
                                                     "/host/pv:/data",
                                                     "--volume",
                                                     "/host/sa:/var/run/secrets/kubernetes.io/serviceaccount:ro",
                                                     "--volume",
                                                     "/host/term:/dev/termination-log",
                                                     "--workdir",
                                                     "/work",
                                                     "--entrypoint",
                                                     R"(["/bin/sh","-c","echo \"$X\""])",
                                                     "debian:bookworm-slim",
                                                     "arg"}));
}

TEST_CASE("podman create passes env values through its environment, never its argv", "[kube-sim-actors][podman]") {
  ContainerConfig c = basicContainer();
  c.env = {{"SECRET", "s3cr3t\nline2"}, {"EMPTY", ""}, {"PATH", "/app/bin"}};
  PodmanCommand cmd = podmanCreateCommand(testSettings(), c, 0, "");
  CHECK(cmd.argv == concat(commonPrefix("k8s_main_p_ns_u-1_0"),
                           {"--env", "SECRET", "--env", "EMPTY", "--env", "PATH=/app/bin", "debian:bookworm-slim"}));
  CHECK(cmd.env == std::vector<std::string>{"PATH=/usr/bin:/bin", "CONTAINERS_CONF=/state/podman/containers.conf",
                                            "SECRET=s3cr3t\nline2", "EMPTY="});
  for (const auto& a : cmd.argv) CHECK(a.find("s3cr3t") == std::string::npos);
}

TEST_CASE("podman create: runAsGroup alone keeps the image's user", "[kube-sim-actors][podman]") {
  ContainerConfig c = basicContainer();
  c.runAsGroup = 1000;
  auto argv = podmanCreateCommand(testSettings(), c, 0, "65532:65532").argv;
  auto it = std::find(argv.begin(), argv.end(), "--user");
  REQUIRE(it != argv.end());
  CHECK(*(it + 1) == "65532:1000");
  argv = podmanCreateCommand(testSettings(), c, 0, "").argv;
  it = std::find(argv.begin(), argv.end(), "--user");
  REQUIRE(it != argv.end());
  CHECK(*(it + 1) == "0:1000");
}

TEST_CASE("podman lists the containers of its owner", "[kube-sim-actors][podman]") {
  CHECK(podmanListOwnedCommand(testSettings()).argv ==
        std::vector<std::string>{"/usr/bin/podman", "--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs", "ps",
                                 "--all", "--quiet", "--filter", "label=io.kube-sim.owner=/state"});
}

TEST_CASE("runAsNonRoot refuses a root user as the kubelet does", "[kube-sim-actors][podman]") {
  ContainerConfig c = basicContainer();
  CHECK(runAsNonRootViolation(c, "") == "");  // not asked
  c.runAsNonRoot = true;
  const std::string where = " (pod: \"p_ns(u-1)\", container: main)";
  CHECK(runAsNonRootViolation(c, "") == "Error: container has runAsNonRoot and image will run as root" + where);
  CHECK(runAsNonRootViolation(c, "0:0") == "Error: container has runAsNonRoot and image will run as root" + where);
  CHECK(runAsNonRootViolation(c, "root") == "Error: container has runAsNonRoot and image will run as root" + where);
  CHECK(runAsNonRootViolation(c, "nobody") ==
        "Error: container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root" +
            where);
  CHECK(runAsNonRootViolation(c, "65532:65532") == "");
  c.runAsUser = 0;
  CHECK(runAsNonRootViolation(c, "65532") == "Error: container's runAsUser breaks non-root policy" + where);
  c.runAsUser = 1000;
  CHECK(runAsNonRootViolation(c, "") == "");
}

TEST_CASE("a pod's container resolves into a runtime config", "[kube-sim-actors][podman]") {
  char tmpl[] = "/tmp/kube-sim-podman-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  ObjectStore store;
  ClusterContext ctx;
  ctx.store = &store;
  ctx.stateDir = dir;
  ctx.serverUrl = "https://127.0.0.1:6443";
  REQUIRE(store.create(gvr::kNamespaces, "",
                       json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "t"}}}}));
  REQUIRE(store.create(gvr::kSecrets, "t",
                       json{{"apiVersion", "v1"},
                            {"kind", "Secret"},
                            {"metadata", {{"name", "creds"}, {"namespace", "t"}}},
                            {"data", {{"key", ossvp::base64Encode("s3cr3t")}}}}));
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "t"}, {"uid", "u-1"}}},
              {"spec",
               {{"securityContext", {{"runAsUser", 1000}, {"fsGroup", 2000}, {"runAsNonRoot", true}}},
                {"containers", json::array()}}}};
  json container = {
      {"name", "main"},
      {"image", "debian:bookworm-slim"},
      {"command", {"/bin/sh", "-c"}},
      {"args", {"echo $(GREETING)"}},
      {"env",
       json::array({{{"name", "GREETING"}, {"value", "hi"}},
                    {{"name", "TOKEN"}, {"valueFrom", {{"secretKeyRef", {{"name", "creds"}, {"key", "key"}}}}}}})},
      {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/data"}, {"readOnly", true}}})},
      {"resources", {{"limits", {{"memory", "32Mi"}}}}},
      {"securityContext",
       {{"runAsGroup", 3000},
        {"readOnlyRootFilesystem", true},
        {"allowPrivilegeEscalation", false},
        {"capabilities", {{"drop", {"ALL"}}}}}}};
  std::map<std::string, std::string> volumes = {{"data", dir + "/pv"}};
  ContainerConfig c;
  PrepareError err;
  REQUIRE(resolveContainerConfig(ctx, pod, container, volumes, dir + "/term", {}, c, err));
  CHECK(c.command == std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(c.args == std::vector<std::string>{"echo hi"});
  CHECK(c.env == std::vector<std::pair<std::string, std::string>>{{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                                                                  {"KUBERNETES_SERVICE_PORT", "6443"},
                                                                  {"KUBERNETES_SERVICE_PORT_HTTPS", "6443"},
                                                                  {"KUBERNETES_PORT", "tcp://127.0.0.1:6443"},
                                                                  {"GREETING", "hi"},
                                                                  {"TOKEN", "s3cr3t"}});
  CHECK(c.runAsUser == 1000);
  CHECK(c.runAsGroup == 3000);
  CHECK(c.runAsNonRoot);
  CHECK(c.supplementalGroups == std::vector<int64_t>{2000});
  CHECK(c.readOnlyRootFilesystem);
  CHECK_FALSE(c.allowPrivilegeEscalation);
  CHECK(c.capDrop == std::vector<std::string>{"ALL"});
  CHECK(c.memoryLimitBytes == 33554432U);
  REQUIRE(c.mounts.size() == 2);
  CHECK(c.mounts[0].source == dir + "/pv");
  CHECK(c.mounts[0].target == "/data");
  CHECK(c.mounts[0].readOnly);
  CHECK(c.mounts[1].source == dir + "/term");
  CHECK(c.mounts[1].target == "/dev/termination-log");
  CHECK(c.mounts[1].file);

  // A missing Secret is the kubelet's CreateContainerConfigError.
  container["env"][1]["valueFrom"]["secretKeyRef"]["name"] = "gone";
  ContainerConfig missing;
  CHECK_FALSE(resolveContainerConfig(ctx, pod, container, volumes, dir + "/term", {}, missing, err));
  CHECK(err.reason == "CreateContainerConfigError");
  CHECK(err.message == "Error: secret \"gone\" not found");
  // A memory limit that is not a quantity (admitted by no API server) is not dropped.
  container["env"][1]["valueFrom"]["secretKeyRef"]["name"] = "creds";
  container["resources"]["limits"]["memory"] = "12Qi";
  ContainerConfig unlimited;
  CHECK_FALSE(resolveContainerConfig(ctx, pod, container, volumes, dir + "/term", {}, unlimited, err));
  CHECK(err.reason == "CreateContainerConfigError");
  CHECK(err.message == "resources.limits.memory \"12Qi\" is not a valid quantity");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
