#include "server/kube_sim_main.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "actors/cluster_actors.h"
#include "ossvp/common/log.h"
#include "store/cluster_context.h"
#include "store/object_store.h"

namespace ossvp::kubesim {
namespace {
std::atomic<bool> gStop{false};
void onSignal(int) { gStop = true; }
}  // namespace

int kubeSimMain(int argc, char** argv) {
  CLI::App app{"kube-sim: a local Kubernetes API server and cluster actors for tests"};
  std::string listen = "127.0.0.1:0";
  std::string stateDir;
  std::string kubeconfigOut;
  std::vector<std::string> imageMaps;
  std::string cpfsRoot;
  int nodes = 1;
  size_t history = 1000;
  app.add_option("--listen", listen, "HTTPS listen address 127.0.0.1:PORT (0 = pick)");
  app.add_option("--state-dir", stateDir, "directory for persistent state")->required();
  app.add_option("--kubeconfig-out", kubeconfigOut, "where to write the kubeconfig (written last: ready)")->required();
  app.add_option("--image-map", imageMaps, "IMAGE=PATH: run pods of IMAGE as the local program PATH");
  app.add_option("--cpfs-root", cpfsRoot, "the emulator's --cpfs-root (bmcpfs storage class data)");
  app.add_option("--nodes", nodes, "number of simulated nodes");
  app.add_option("--watch-history", history, "watch events kept (older resourceVersions answer 410)");
  CLI11_PARSE(app, argc, argv);
  initLogging({LogLevel::Info, false, "kube-sim"});

  std::filesystem::create_directories(stateDir);
  ObjectStore store(StoreOptions{stateDir, history});
  ClusterContext ctx;
  ctx.store = &store;
  ctx.cpfsRoot = cpfsRoot;
  ctx.nodes = nodes;
  ctx.stateDir = stateDir;
  for (const auto& m : imageMaps) {
    size_t eq = m.find('=');
    if (eq == std::string::npos) {
      logError("--image-map {}: expected IMAGE=PATH", m);
      return 2;
    }
    ctx.imageMap[m.substr(0, eq)] = m.substr(eq + 1);
  }
  startClusterActors(ctx);
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  while (!gStop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stopClusterActors();
  return 0;
}

}  // namespace ossvp::kubesim
