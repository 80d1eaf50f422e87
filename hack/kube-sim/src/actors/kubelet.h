// Kubelet: the kubelet of one simulated node (KubeletFleet runs one per
// node, each on its own thread, so nodes start and reap containers
// concurrently). Runs the pods bound to its node through the container
// runtime (container_runtime.h: local processes by default, podman with
// `kube-sim --runtime podman`).
// For each pod on the node:
//   - waits until every volume is ready (PVCs Bound, Secrets present; else
//     Warning FailedMount and the containers stay Waiting ContainerCreating);
//   - runs init containers one by one, then the app containers, each
//     started by the runtime (volumes bind-mounted at their mountPath;
//     terminationMessagePath bind-mounted to a per-container file). The
//     process runtime (ContainerProcess: own mount namespace) takes the
//     program from --image-map (PodEnvironment: command[0] whose basename
//     equals the mapped program's basename, or an empty command, runs the
//     mapped program; another command[0] is looked up on the host, like a
//     binary inside the image); the podman runtime runs the image itself;
//   - reports status like the real kubelet: phase Pending -> Running ->
//     Succeeded/Failed, conditions PodScheduled/Initialized/ContainersReady/
//     Ready/PodReadyToStartContainers, containerStatuses with waiting/running/
//     terminated {exitCode, reason Completed|Error|OOMKilled, message =
//     termination file (<= 4096 bytes; FallbackToLogsOnError uses the log
//     tail), startedAt, finishedAt, containerID}, restartCount and restarts
//     with back-off for restartPolicy Always/OnFailure;
//   - logs go to podLogPath() (served on pods/log);
//   - on delete (deletionTimestamp): SIGTERM to each container, SIGKILL
//     after the grace period, then the final grace-0 delete; containers of
//     pods that vanished are killed too; a container is removed from the
//     runtime once its exit is collected;
//   - node loss: pods on a Node that was deleted or is powered off
//     (kubesim.io/power=off) are not run and their processes are SIGKILLed at
//     once (the machine is gone); when the node is back, a pod that was
//     Running restarts its containers or, with restartPolicy Never, turns
//     Failed (exit 137), as after a reboot.
// Events: Pulled, Created, Started, Killing, BackOff, Failed, FailedMount.
// A container's exit is reported promptly: its waiter thread flags the exit
// and wakes the kubelet, which writes the terminated status before starting
// any further container (also in the middle of a pass that starts many).
//
// Thread-safety: runs on its Actor worker thread; container exits only flag
// and wake it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/actor.h"
#include "actors/container_runtime.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class Kubelet : public Actor {
 public:
  Kubelet(ClusterContext& ctx, std::string nodeName);
  // Woken by KubeletFleet (which watches these), never directly by the hub.
  std::vector<GVR> watchedResources() const override;
  const std::string& nodeName() const { return node_; }

 protected:
  void syncAll() override;
  void shutdown() override;
  std::chrono::milliseconds resyncPeriod() const override { return std::chrono::milliseconds(1000); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Container {
    json spec;
    bool init = false;
    std::shared_ptr<RuntimeContainer> proc;
    std::string containerId;
    std::string startedAt, finishedAt;
    int restartCount = 0;
    bool terminated = false;
    int exitCode = 0;
    bool oomKilled = false;
    std::string message;
    json lastTerminated;
    std::string waitingReason = "ContainerCreating", waitingMessage;
    Clock::time_point backoffUntil{};
    std::string terminationFile;
  };
  struct PodRun {
    std::string uid, ns, name;
    std::string sandbox;
    bool volumesReady = false;
    std::map<std::string, std::string> volumePaths;
    std::vector<Container> containers;  // init containers first
    bool killing = false;
    Clock::time_point killDeadline{};
  };

  void syncPod(const json& pod);
  // Pods with a container that exited since the last look: status written now.
  void reportExits();
  void startContainer(PodRun& run, Container& c, const json& pod);
  void collectExit(PodRun& run, Container& c, const json& pod);
  void terminatePod(PodRun& run, const json& pod);
  void writeStatus(PodRun& run, const json& pod);
  json containerStatus(const Container& c) const;

  std::string node_;
  std::shared_ptr<ContainerRuntime> runtime_;
  EventSink events_;
  std::map<std::string, PodRun> pods_;     // pod uid -> runtime
  std::atomic<bool> exitsPending_{false};  // set by the processes' waiter threads
};

}  // namespace ossvp::kubesim
