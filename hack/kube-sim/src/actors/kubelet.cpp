#include "actors/kubelet.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "actors/node_health.h"
#include "actors/object_util.h"
#include "actors/pod_environment.h"
#include "actors/process_runtime.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxMessage = 4096;

std::string readFileHead(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string s(max, '\0');
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

// The last 80 lines / 2048 bytes of a log (FallbackToLogsOnError).
std::string logTail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  if (all.size() > 2048) all = all.substr(all.size() - 2048);
  size_t lines = 0;
  for (size_t i = all.size(); i-- > 0;) {
    if (all[i] == '\n' && i + 1 != all.size() && ++lines >= 80) return all.substr(i + 1);
  }
  return all;
}

json condition(const std::string& type, bool ok, const std::string& reason = "") {
  json c = {{"type", type},
            {"status", ok ? "True" : "False"},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", nowRfc3339()}};
  if (!reason.empty()) c["reason"] = reason;
  return c;
}

}  // namespace

Kubelet::Kubelet(ClusterContext& ctx, std::string nodeName)
    : Actor(ctx, "kubelet/" + nodeName),
      node_(std::move(nodeName)),
      runtime_(ctx.containerRuntime ? ctx.containerRuntime : std::make_shared<ProcessRuntime>(ctx)),
      events_(*ctx.store, "kubelet", std::chrono::seconds(10)) {}

std::vector<GVR> Kubelet::watchedResources() const {
  return {gvr::kPods, gvr::kPersistentVolumeClaims, gvr::kSecrets, gvr::kConfigMaps};
}

void Kubelet::shutdown() {
  for (auto& [uid, run] : pods_) {
    for (auto& c : run.containers) {
      if (c.proc) c.proc->signal(SIGKILL);
    }
  }
  pods_.clear();
}

void Kubelet::syncAll() {
  exitsPending_ = false;  // this pass looks at every container
  auto pods = store().listShared(gvr::kPods);
  auto node = store().get(gvr::kNodes, "", node_);
  // A node deleted or powered off (kubesim.io/power=off) takes its containers
  // with it.
  bool nodeUp = node && !nodePoweredOff(*node);
  std::set<std::string> live, lost;
  for (const auto& ptr : pods) {
    const json& pod = *ptr;
    if (str(pod, {"spec", "nodeName"}) != node_) continue;
    if (!nodeUp) {
      lost.insert(uidOf(pod));
      continue;
    }
    live.insert(uidOf(pod));
    if (exitsPending_.exchange(false)) reportExits();
    syncPod(pod);
  }
  // Pods that are gone (force-deleted: SIGTERM, SIGKILL after 2 s) or whose
  // node is lost (SIGKILL at once): stop their processes.
  for (auto it = pods_.begin(); it != pods_.end();) {
    if (live.count(it->first)) {
      ++it;
      continue;
    }
    PodRun& run = it->second;
    bool first = !run.killing;
    if (first) {
      run.killing = true;
      run.killDeadline = Clock::now() + (lost.count(it->first) ? std::chrono::seconds(0) : std::chrono::seconds(2));
      if (lost.count(it->first))
        logInfo("kube-sim kubelet: node of {}/{} lost: killing its containers", run.ns, run.name);
    }
    bool running = false;
    for (auto& c : run.containers) {
      if (c.proc && !c.proc->exited()) {
        running = true;
        if (Clock::now() >= run.killDeadline)
          c.proc->signal(SIGKILL);
        else if (first)
          c.proc->signal(SIGTERM);
      }
    }
    if (running) {
      ++it;
      continue;
    }
    std::error_code ec;
    fs::remove_all(run.sandbox + "/volumes", ec);
    it = pods_.erase(it);
  }
}

void Kubelet::syncPod(const json& pod) {
  std::string uid = uidOf(pod);
  auto found = pods_.find(uid);
  std::string phase = str(pod, {"status", "phase"});
  if (found == pods_.end()) {
    if (phase == "Succeeded" || phase == "Failed") return;  // finished before we (re)started
    PodRun run;
    run.uid = uid;
    run.ns = namespaceOf(pod);
    run.name = nameOf(pod);
    run.sandbox = ctx_.stateDir + "/actors/pods/" + uid;
    for (const auto& c : pod["spec"].value("initContainers", json::array())) {
      Container k;
      k.spec = c;
      k.init = true;
      run.containers.push_back(k);
    }
    bool restarted = phase == "Running";  // kube-sim or the pod's node restarted under it
    for (const auto& c : pod["spec"].value("containers", json::array())) {
      Container k;
      k.spec = c;
      if (restarted) {
        k.terminated = true;
        k.exitCode = 137;
        k.message = "the node (or kube-sim) restarted while the container was running";
        k.startedAt = k.finishedAt = nowRfc3339();
        k.containerId = "kube-sim://lost";
      }
      run.containers.push_back(k);
    }
    if (restarted) {
      for (auto& c : run.containers) c.terminated = c.terminated || c.init;
      run.volumesReady = false;
    }
    found = pods_.emplace(uid, std::move(run)).first;
  }
  PodRun& run = found->second;
  if (isDeleting(pod)) {
    terminatePod(run, pod);
    return;
  }
  if (phase == "Succeeded" || phase == "Failed") return;
  if (!run.volumesReady) {
    PrepareError err;
    std::error_code ec;
    fs::create_directories(run.sandbox, ec);
    if (!preparePodVolumes(ctx_, pod, run.sandbox, run.volumePaths, err)) {
      events_.warning(pod, err.reason, err.message);
      writeStatus(run, pod);
      return;
    }
    run.volumesReady = true;
  }
  std::string policy = pod["spec"].value("restartPolicy", "Always");
  auto now = Clock::now();
  bool initDone = true;
  for (auto& c : run.containers) {
    if (c.proc && c.proc->exited()) collectExit(run, c, pod);
    bool failed = c.terminated && c.exitCode != 0;
    bool mayRestart = c.terminated &&
                      (c.init ? failed && policy != "Never" : policy == "Always" || (policy == "OnFailure" && failed));
    if (!initDone) break;  // init containers run one by one, app containers after all of them
    if (!c.proc && !c.terminated) {
      if (now >= c.backoffUntil) startContainer(run, c, pod);
    } else if (mayRestart && !c.proc) {
      if (c.backoffUntil == Clock::time_point{}) {
        int delay = std::min(1 << std::min(c.restartCount, 5), 30);
        c.backoffUntil = now + std::chrono::seconds(delay);
        events_.warning(pod, "BackOff",
                        "Back-off restarting failed container " + c.spec.value("name", "") + " in pod " + run.name +
                            "_" + run.ns + "(" + run.uid + ")");
      } else if (now >= c.backoffUntil) {
        c.lastTerminated = containerStatus(c)["state"];
        c.restartCount++;
        c.terminated = false;
        c.backoffUntil = {};
        startContainer(run, c, pod);
      }
    }
    if (c.init && !(c.terminated && c.exitCode == 0)) initDone = false;
    if (c.init && c.terminated && c.exitCode != 0 && policy == "Never") break;
  }
  writeStatus(run, pod);
}

void Kubelet::startContainer(PodRun& run, Container& c, const json& pod) {
  std::string name = c.spec.value("name", "");
  c.terminationFile = run.sandbox + "/" + name + ".termination-log";
  { std::ofstream truncate(c.terminationFile, std::ios::trunc); }
  fs::permissions(c.terminationFile,
                  fs::perms::all & ~(fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec));
  PrepareError err;
  ContainerLaunch launch{pod,
                         c.spec,
                         run.volumePaths,
                         c.terminationFile,
                         podLogPath(ctx_.stateDir, run.ns, run.name, run.uid, name),
                         c.restartCount};
  c.oomKilled = false;
  auto started = runtime_->start(
      launch,
      [this] {
        exitsPending_ = true;
        wakeNow();
      },
      err);
  if (!started) {
    if (err.reason == "StartError") {
      c.terminated = true;
      c.exitCode = 128;
      c.message = err.message;
      c.startedAt = c.finishedAt = nowRfc3339();
      c.waitingReason = "StartError";
      events_.warning(pod, "Failed", "Error: failed to create containerd task: " + err.message);
    } else {
      c.waitingReason = err.reason;
      c.waitingMessage = err.message;
      events_.warning(pod, "Failed", err.message);
      c.backoffUntil = Clock::now() + std::chrono::seconds(2);
    }
    return;
  }
  recordEvent(store(), pod, "Normal", "Pulled",
              "Container image \"" + c.spec.value("image", "") + "\" already present on machine", "kubelet");
  c.proc = started;
  c.terminated = false;
  c.waitingReason.clear();
  c.waitingMessage.clear();
  c.startedAt = nowRfc3339();
  c.finishedAt.clear();
  c.containerId = c.proc->id();
  recordEvent(store(), pod, "Normal", "Created", "Created container: " + c.spec.value("name", ""), "kubelet");
  recordEvent(store(), pod, "Normal", "Started", "Started container " + c.spec.value("name", ""), "kubelet");
  logInfo("kube-sim kubelet {}: started {}/{} container {} ({})", node_, run.ns, run.name, name, c.containerId);
}

void Kubelet::reportExits() {
  std::vector<std::pair<std::string, std::string>> exited;  // (ns, name)
  for (const auto& [uid, run] : pods_) {
    for (const auto& c : run.containers) {
      if (c.proc && c.proc->exited()) {
        exited.emplace_back(run.ns, run.name);
        break;
      }
    }
  }
  for (const auto& [ns, name] : exited) {
    auto pod = store().get(gvr::kPods, ns, name);
    if (pod && pods_.count(uidOf(*pod))) syncPod(*pod);
  }
}

void Kubelet::collectExit(PodRun& run, Container& c, const json& /*pod*/) {
  c.exitCode = c.proc->exitCode();
  c.oomKilled = c.proc->oomKilled();
  c.proc.reset();
  c.terminated = true;
  c.finishedAt = nowRfc3339();
  c.message = readFileHead(c.terminationFile, kMaxMessage);
  if (c.message.empty() && c.exitCode != 0 &&
      c.spec.value("terminationMessagePolicy", "File") == "FallbackToLogsOnError") {
    c.message = logTail(podLogPath(ctx_.stateDir, run.ns, run.name, run.uid, c.spec.value("name", "")));
  }
}

void Kubelet::terminatePod(PodRun& run, const json& pod) {
  auto now = Clock::now();
  if (!run.killing) {
    run.killing = true;
    int64_t grace = pod["metadata"].value("deletionGracePeriodSeconds", int64_t{30});
    run.killDeadline = now + std::chrono::seconds(grace);
    for (auto& c : run.containers) {
      if (c.proc && !c.proc->exited()) {
        recordEvent(store(), pod, "Normal", "Killing", "Stopping container " + c.spec.value("name", ""), "kubelet");
        c.proc->signal(SIGTERM);
      }
    }
  } else if (now >= run.killDeadline) {
    for (auto& c : run.containers) {
      if (c.proc) c.proc->signal(SIGKILL);
    }
  }
  bool running = false;
  for (auto& c : run.containers) {
    if (c.proc && c.proc->exited()) collectExit(run, c, pod);
    running = running || c.proc != nullptr;
  }
  if (running) return;
  writeStatus(run, pod);
  DeleteOptions o;
  o.gracePeriodSeconds = 0;
  o.preconditionUid = run.uid;
  (void)store().remove(gvr::kPods, run.ns, run.name, o);
}

json Kubelet::containerStatus(const Container& c) const {
  json s = {{"name", c.spec.value("name", "")},
            {"image", c.spec.value("image", "")},
            {"imageID", "kube-sim://" + c.spec.value("image", "")},
            {"restartCount", c.restartCount},
            {"ready", c.proc != nullptr && !c.init},
            {"started", c.proc != nullptr}};
  if (!c.containerId.empty()) s["containerID"] = c.containerId;
  if (c.proc) {
    s["state"] = {{"running", {{"startedAt", c.startedAt}}}};
  } else if (c.terminated) {
    std::string reason = c.waitingReason == "StartError" ? "StartError"
                         : c.oomKilled                   ? "OOMKilled"
                         : c.exitCode == 0               ? "Completed"
                                                         : "Error";
    json t = {{"exitCode", c.exitCode}, {"reason", reason}, {"startedAt", c.startedAt}, {"finishedAt", c.finishedAt}};
    if (!c.message.empty()) t["message"] = c.message;
    if (!c.containerId.empty()) t["containerID"] = c.containerId;
    s["state"] = {{"terminated", t}};
  } else {
    json w = {{"reason", c.waitingReason.empty() ? "ContainerCreating" : c.waitingReason}};
    if (!c.waitingMessage.empty()) w["message"] = c.waitingMessage;
    if (c.backoffUntil != Clock::time_point{} && c.restartCount > 0) w["reason"] = "CrashLoopBackOff";
    s["state"] = {{"waiting", w}};
  }
  if (c.lastTerminated.is_object())
    s["lastState"] = c.lastTerminated;
  else
    s["lastState"] = json::object();
  return s;
}

void Kubelet::writeStatus(PodRun& run, const json& pod) {
  std::string policy = pod["spec"].value("restartPolicy", "Always");
  json initStatuses = json::array(), statuses = json::array();
  bool initDone = true, anyRunning = false, allAppRunning = true, allTerminated = true, anyFailed = false;
  bool initFailed = false;
  for (const auto& c : run.containers) {
    json s = containerStatus(c);
    if (c.init) {
      initStatuses.push_back(s);
      if (!(c.terminated && c.exitCode == 0)) initDone = false;
      if (c.terminated && c.exitCode != 0 && policy == "Never") initFailed = true;
      continue;
    }
    statuses.push_back(s);
    anyRunning = anyRunning || c.proc != nullptr;
    allAppRunning = allAppRunning && c.proc != nullptr;
    bool willRestart = c.terminated && (policy == "Always" || (policy == "OnFailure" && c.exitCode != 0));
    allTerminated = allTerminated && c.terminated && !willRestart;
    anyFailed = anyFailed || (c.terminated && c.exitCode != 0);
  }
  std::string phase = "Pending";
  if (initFailed)
    phase = "Failed";
  else if (initDone && allTerminated && !statuses.empty())
    phase = anyFailed ? "Failed" : "Succeeded";
  else if (initDone && (anyRunning || std::any_of(run.containers.begin(), run.containers.end(), [](const Container& c) {
                          return !c.init && (c.terminated || c.restartCount > 0);
                        })))
    phase = "Running";
  bool done = phase == "Succeeded" || phase == "Failed";
  json old = pod.value("status", json::object());
  json st = old;
  st["phase"] = phase;
  st["hostIP"] = "127.0.0.1";
  st["hostIPs"] = json::array({{{"ip", "127.0.0.1"}}});
  if (run.volumesReady) {
    st["podIP"] = "127.0.0.1";
    st["podIPs"] = json::array({{{"ip", "127.0.0.1"}}});
  }
  if (!st.contains("startTime")) st["startTime"] = nowRfc3339();
  if (!st.contains("qosClass")) st["qosClass"] = "BestEffort";
  if (!initStatuses.empty()) st["initContainerStatuses"] = initStatuses;
  st["containerStatuses"] = statuses;
  bool ready = allAppRunning && initDone && !done;
  std::vector<json> conds = {
      condition("PodReadyToStartContainers", run.volumesReady),
      condition("Initialized", initDone || done, initDone ? "" : "ContainersNotInitialized"),
      condition("Ready", ready, ready ? "" : (done ? "PodCompleted" : "ContainersNotReady")),
      condition("ContainersReady", ready, ready ? "" : (done ? "PodCompleted" : "ContainersNotReady")),
      condition("PodScheduled", true)};
  json merged = json::array();
  for (auto& c : conds) {
    for (const auto& o : old.value("conditions", json::array())) {
      if (o.value("type", "") == c["type"] && o.value("status", "") == c["status"] &&
          o.value("reason", "") == c.value("reason", "")) {
        c["lastTransitionTime"] = o.value("lastTransitionTime", c["lastTransitionTime"].get<std::string>());
      }
    }
    merged.push_back(c);
  }
  st["conditions"] = merged;
  if (st == old) return;
  json copy = pod;
  copy["status"] = st;
  auto r = store().updateStatus(gvr::kPods, run.ns, copy);
  if (!r && r.error().code != 404)
    logDebug("kube-sim kubelet: status of {}/{}: {}", run.ns, run.name, r.error().message);
}

}  // namespace ossvp::kubesim
