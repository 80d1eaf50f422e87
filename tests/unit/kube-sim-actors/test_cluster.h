// Cluster: an in-process ObjectStore with kube-sim's cluster actors running
// on it (3 nodes, busybox mapped to /bin/sh), for the actors' flow tests; and
// phaseIs(), a predicate on a pod's phase for Cluster::waitFor.
//
// Thread-safety: one test thread drives it; the actors run on their own.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "actors/cluster_actors.h"
#include "actors/container_runtime.h"
#include "actors/object_util.h"

namespace ossvp::kubesim::testing {

struct Cluster {
  std::string dir;
  ObjectStore store;
  ClusterContext ctx;

  // `configure` runs before the actors start (e.g. to set ctx.containerRuntime).
  explicit Cluster(const std::function<void(ClusterContext&)>& configure = nullptr) {
    char tmpl[] = "/tmp/kube-sim-actors-XXXXXX";
    dir = ::mkdtemp(tmpl);
    ctx.store = &store;
    ctx.stateDir = dir + "/state";
    ctx.cpfsRoot = dir + "/cpfs";
    ctx.nodes = 3;
    ctx.imageMap = {{"busybox", "/bin/sh"}};
    ctx.serverUrl = "https://127.0.0.1:6443";
    std::filesystem::create_directories(ctx.stateDir);
    REQUIRE(store.create(gvr::kNamespaces, "",
                         json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "t"}}}}));
    if (configure) configure(ctx);
    startClusterActors(ctx);
  }
  ~Cluster() {
    stopClusterActors();
    ctx.containerRuntime.reset();  // finishes its work while the state dir still exists
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  json create(const GVR& g, json obj) {
    auto r = store.create(g, obj["metadata"].value("namespace", ""), obj);
    REQUIRE(r.isOk());
    return *r;
  }
  json get(const GVR& g, const std::string& ns, const std::string& name) {
    auto r = store.get(g, ns, name);
    return r ? *r : json();
  }
  // Polls until pred(object) holds (object null when missing).
  json waitFor(const GVR& g, const std::string& ns, const std::string& name, std::function<bool(const json&)> pred,
               int seconds = 15) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    json o;
    while (std::chrono::steady_clock::now() < deadline) {
      o = get(g, ns, name);
      if (pred(o)) return o;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("timed out waiting for " << g.resource << " " << ns << "/" << name << ": " << o.dump());
    return o;
  }
  bool hasEvent(const std::string& uid, const std::string& reason, const std::string& messagePart = "") {
    auto evs = store.list(gvr::kEvents, "");
    if (!evs) return false;
    for (const auto& e : evs->items) {
      if (str(e, {"involvedObject", "uid"}) == uid && e.value("reason", "") == reason &&
          e.value("message", "").find(messagePart) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
};

inline auto phaseIs(const std::string& phase) {
  return [phase](const json& o) { return !o.is_null() && str(o, {"status", "phase"}) == phase; };
}

}  // namespace ossvp::kubesim::testing
