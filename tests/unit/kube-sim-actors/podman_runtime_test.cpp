// The podman runtime (podman_runtime.h) driven by a kubelet, with a stand-in
// podman client (a shell script) whose `rm` hangs until the test lets it go:
// removing one pod's finished container must not hold up the kubelet, so the
// pod's status and the next pod on the same node go on meanwhile.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../kube-sim/eventually.h"
#include "actors/podman_runtime.h"
#include "test_cluster.h"

using namespace ossvp::kubesim;
using ossvp::kubesim::testing::Cluster;
using ossvp::kubesim::testing::eventually;
using ossvp::kubesim::testing::phaseIs;
namespace fs = std::filesystem;

namespace {

// A directory holding the stand-in podman, the log of its calls and the file
// whose presence holds every `podman rm` (RmHold).
struct FakePodman {
  std::string dir, script, log, hold;
  FakePodman() {
    char tmpl[] = "/tmp/kube-sim-fake-podman-XXXXXX";
    dir = ::mkdtemp(tmpl);
    script = dir + "/podman";
    log = dir + "/calls.log";
    hold = dir + "/hold-rm";
    std::ofstream(script) << "#!/bin/sh\n"
                             "shift 4  # --runtime X --cgroup-manager Y\n"
                             "echo \"$*\" >> "
                          << log
                          << "\n"
                             "case \"$1\" in\n"
                             "  version) echo 4.3.1 ;;\n"
                             "  image) echo ;;\n"
                             "  create) echo \"id-$3\" ;;\n"
                             "  inspect) echo 'exited 0 false' ;;\n"
                             "  start) echo \"ran $3\" ;;\n"
                             "  rm) while [ -e "
                          << hold << " ]; do sleep 0.05; done; echo \"removed $5\" >> " << log
                          << " ;;\n"
                             "esac\n"
                             "exit 0\n";
    ::chmod(script.c_str(), 0755);
  }
  ~FakePodman() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  bool logged(const std::string& line) const {
    std::ifstream in(log);
    for (std::string l; std::getline(in, l);) {
      if (l == line) return true;
    }
    return false;
  }
};

json pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "t"}}},
          {"spec",
           {{"restartPolicy", "Never"},
            {"automountServiceAccountToken", false},
            {"containers", json::array({{{"name", "main"}, {"image", "debian:bookworm-slim"}}})}}}};
}

// Holds every `podman rm` while it lives (or until release()), so that a
// failing test lets the removals go before its cluster shuts down.
struct RmHold {
  std::string path;
  explicit RmHold(std::string p) : path(std::move(p)) { std::ofstream(path) << "1"; }
  ~RmHold() { release(); }
  void release() const {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

std::string containerName(const json& p) { return "k8s_main_" + nameOf(p) + "_t_" + uidOf(p) + "_0"; }

}  // namespace

TEST_CASE("a podman rm that hangs does not hold up the node's kubelet", "[kube-sim-actors][podman]") {
  FakePodman podman;
  Cluster c([&](ClusterContext& ctx) {
    ctx.nodes = 1;  // both pods on the same kubelet
    PodmanSettings s;
    s.podman = podman.script;
    s.globalArgs = {"--runtime", "/bin/true", "--cgroup-manager", "cgroupfs"};
    auto rt = PodmanRuntime::create(ctx, s);
    REQUIRE(rt.isOk());
    ctx.containerRuntime = *rt;
  });
  RmHold hold(podman.hold);
  json a = c.create(gvr::kPods, pod("a"));
  // a's container ran and exited; its removal is stuck in `podman rm`.
  REQUIRE(eventually([&] { return podman.logged("rm --force --time 0 id-" + containerName(a)); },
                     std::chrono::seconds(15)));
  c.waitFor(gvr::kPods, "t", "a", phaseIs("Succeeded"));
  json b = c.create(gvr::kPods, pod("b"));
  c.waitFor(gvr::kPods, "t", "b", phaseIs("Succeeded"));
  CHECK(podman.logged("start --attach " + containerName(b)));
  CHECK(!podman.logged("removed id-" + containerName(a)));  // still held all along
  hold.release();
  CHECK(eventually([&] { return podman.logged("removed id-" + containerName(b)); }, std::chrono::seconds(15)));
  CHECK(podman.logged("removed id-" + containerName(a)));  // in the order queued
}
