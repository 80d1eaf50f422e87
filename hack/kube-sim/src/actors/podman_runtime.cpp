#include "actors/podman_runtime.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "actors/cgroup_oom_guard.h"
#include "actors/command_runner.h"
#include "actors/removal_queue.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace {

constexpr const char* kContainersConf =
    "[containers]\n"
    "default_ulimits = []\n"
    "\n"
    "[engine]\n"
    "cgroup_manager = \"cgroupfs\"\n"
    "runtime = \"runc\"\n";

// Runs a podman command (within `timeout`); its output, or an error starting
// with the subcommand ("podman rm: ") and then podman's own message, or why it
// could not run or did not finish in time.
Result<std::string> runPodman(const PodmanCommand& cmd, std::chrono::milliseconds timeout = kDefaultCommandTimeout) {
  std::string what = "podman " + cmd.verb + ": ";
  auto r = runCommand(cmd.argv, cmd.env, timeout);
  if (!r.isOk()) return Status(r.status().code(), what + r.status().message());
  if (r->exitCode != 0) {
    std::string why = r->err.empty() ? r->out : r->err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return unavailable(what + (why.empty() ? "exited with " + std::to_string(r->exitCode) : why));
  }
  return r->out;
}

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

struct ExitState {
  std::mutex mu;
  bool exited = false;
  int exitCode = 0;
  bool oomKilled = false;
  // onExit runs under notifyMu and only while the container is not dropped:
  // once ~PodmanContainer returned it is never called (its kubelet may be gone).
  std::mutex notifyMu;
  bool dropped = false;
};

class PodmanContainer : public RuntimeContainer {
 public:
  PodmanContainer(PodmanSettings s, std::string name, std::string id, std::shared_ptr<RemovalQueue> removals)
      : settings_(std::move(s)),
        name_(std::move(name)),
        id_(std::move(id)),
        state_(std::make_shared<ExitState>()),
        removals_(std::move(removals)) {}

  // Hands the removal to the RemovalQueue: `podman rm` (by id: the name may
  // be reused), then the attached client ends with the container and its
  // waiter is joined; the kubelet dropping the container does not wait.
  ~PodmanContainer() override {
    {
      std::lock_guard<std::mutex> lock(state_->notifyMu);
      state_->dropped = true;
    }
    removals_->enqueue(name_, [settings = settings_, name = name_, id = id_, proc = std::move(proc_)]() mutable {
      auto removed = runPodman(podmanCommand(settings, {"rm", "--force", "--time", "0", id.empty() ? name : id}));
      if (!removed.isOk()) logWarn("kube-sim podman: removing container {}: {}", name, removed.status().message());
      proc.reset();
    });
  }

  // Starts the container attached (output to logFile); onExit after its exit
  // state is known.
  Status run(const std::string& logFile, std::shared_ptr<CgroupOomGuard> guard, std::function<void()> onExit) {
    PodmanCommand cmd = podmanCommand(settings_, {"start", "--attach", name_});
    ProcessSpec spec;
    spec.argv = cmd.argv;
    spec.env = cmd.env;
    spec.logFile = logFile;
    auto state = state_;
    PodmanSettings settings = settings_;
    std::string name = name_;
    // The waiter shares only the exit state and owns the guard (the
    // destructor joins it by resetting proc_).
    auto started = ContainerProcess::start(spec, [state, settings, name, guard, onExit = std::move(onExit)] {
      auto inspect = [&] {
        return runPodman(podmanCommand(
            settings, {"inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}", name}));
      };
      auto inspected = inspect();
      if (inspected.isOk() && inspected->rfind("running", 0) == 0) {
        // The attached client ended first (a broken attach): wait for the container itself.
        (void)runPodman(podmanCommand(settings, {"wait", name}), kNoCommandTimeout);
        inspected = inspect();
      }
      int code = -1;
      std::string status, oom;
      if (inspected.isOk()) {
        std::istringstream in(*inspected);
        in >> status >> code >> oom;
      }
      {
        std::lock_guard<std::mutex> lock(state->mu);
        state->exited = true;
        state->exitCode = code >= 0 ? code : 137;  // removed under it: killed
        state->oomKilled = oom == "true" || (guard && guard->oomKilled());
      }
      std::lock_guard<std::mutex> lock(state->notifyMu);
      if (onExit && !state->dropped) onExit();
    });
    if (!started.isOk()) return started.status();
    proc_ = *started;
    return Status::ok();
  }

  std::string id() const override { return "podman://" + id_; }
  bool exited() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->exited;
  }
  int exitCode() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->exitCode;
  }
  bool oomKilled() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->oomKilled;
  }
  void signal(int sig) override {
    if (exited()) return;
    auto r = runPodman(podmanCommand(settings_, {"kill", "--signal", std::to_string(sig), name_}));
    if (!r.isOk()) logDebug("kube-sim podman: signal {} to {}: {}", sig, name_, r.status().message());
  }

 private:
  PodmanSettings settings_;
  std::string name_, id_;
  std::shared_ptr<ExitState> state_;
  std::shared_ptr<RemovalQueue> removals_;
  std::shared_ptr<ContainerProcess> proc_;  // `podman start --attach`
};

}  // namespace

Result<std::shared_ptr<PodmanRuntime>> PodmanRuntime::create(ClusterContext& ctx) {
  PodmanSettings s;
  s.podman = findProgramInPath("podman");
  if (const char* path = std::getenv("PATH")) s.path = path;
  if (const char* storage = std::getenv("CONTAINERS_STORAGE_CONF")) s.storageConf = storage;
  return create(ctx, std::move(s));
}

Result<std::shared_ptr<PodmanRuntime>> PodmanRuntime::create(ClusterContext& ctx, PodmanSettings s) {
  if (s.podman.empty()) {
    return unavailable("--runtime podman: podman is not installed (apt-get install podman, or hack/install-deps.sh)");
  }
  if (::access(s.globalArgs[1].c_str(), X_OK) != 0) {
    return unavailable("--runtime podman: " + s.globalArgs[1] + " is missing (apt-get install runc)");
  }
  s.owner = ctx.stateDir;
  std::string dir = ctx.stateDir + "/podman";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  s.containersConf = dir + "/containers.conf";
  {
    std::ofstream out(s.containersConf, std::ios::trunc);
    out << kContainersConf;
    if (!out) return unavailable("--runtime podman: cannot write " + s.containersConf);
  }
  auto version = runPodman(podmanCommand(s, {"version", "--format", "{{.Client.Version}}"}));
  if (!version.isOk()) return unavailable("--runtime podman: podman does not run: " + version.status().message());
  std::shared_ptr<PodmanRuntime> rt(new PodmanRuntime(ctx, std::move(s)));
  rt->removeOwnedContainers();
  logInfo("kube-sim: container runtime podman {} (runc, cgroupfs, --network host, local images only)",
          firstLine(*version));
  return rt;
}

PodmanRuntime::~PodmanRuntime() {
  removals_->drain();
  removeOwnedContainers();
}

void PodmanRuntime::removeOwnedContainers() const {
  auto ids = runPodman(podmanListOwnedCommand(settings_));
  if (!ids.isOk()) {
    logWarn("kube-sim podman: listing leftover containers: {}", ids.status().message());
    return;
  }
  std::vector<std::string> args = {"rm", "--force", "--time", "0"};
  std::istringstream in(*ids);
  for (std::string id; in >> id;) args.push_back(id);
  if (args.size() == 4) return;
  logInfo("kube-sim podman: removing {} leftover container(s) of {}", args.size() - 4, settings_.owner);
  auto removed = runPodman(podmanCommand(settings_, args));
  if (!removed.isOk()) logWarn("kube-sim podman: removing leftover containers: {}", removed.status().message());
}

std::shared_ptr<RuntimeContainer> PodmanRuntime::start(const ContainerLaunch& launch, std::function<void()> onExit,
                                                       PrepareError& err) {
  ContainerConfig cfg;
  if (!resolveContainerConfig(ctx_, launch.pod, launch.container, launch.volumePaths, launch.terminationFile, {}, cfg,
                              err)) {
    return nullptr;
  }
  auto imageUser = runPodman(podmanCommand(settings_, {"image", "inspect", "--format", "{{.Config.User}}", cfg.image}));
  if (!imageUser.isOk()) {
    err = {"ErrImagePull", "Failed to pull image \"" + cfg.image +
                               "\": not in the local podman storage (kube-sim --runtime podman uses local images "
                               "only, --pull never): " +
                               imageUser.status().message()};
    return nullptr;
  }
  std::string user = firstLine(*imageUser);
  std::string violation = runAsNonRootViolation(cfg, user);
  if (!violation.empty()) {
    err = {"CreateContainerConfigError", violation};
    return nullptr;
  }
  std::string name = podmanContainerName(cfg, launch.attempt);
  removals_->waitRemoved(name);  // an earlier container of this name (same pod uid and restart count)
  auto created = runPodman(podmanCreateCommand(settings_, cfg, launch.attempt, user));
  if (!created.isOk()) {
    err = {"StartError", created.status().message()};
    return nullptr;
  }
  auto container = std::make_shared<PodmanContainer>(settings_, name, firstLine(*created), removals_);
  auto initialized = runPodman(podmanCommand(settings_, {"init", name}));
  if (!initialized.isOk()) {
    err = {"StartError", initialized.status().message()};
    return nullptr;  // the container is removed with `container`
  }
  std::shared_ptr<CgroupOomGuard> guard;
  if (cfg.memoryLimitBytes) {
    auto pid = runPodman(podmanCommand(settings_, {"inspect", "--format", "{{.State.Pid}}", name}));
    std::string dir = pid.isOk() ? CgroupOomGuard::memoryCgroupV1Of(std::atoi(pid->c_str())) : "";
    if (!dir.empty()) {
      auto attached = CgroupOomGuard::attach(dir);
      if (attached.isOk())
        guard = std::move(*attached);
      else
        logWarn("kube-sim podman: {}: OOM kills will show as exit 137 only: {}", name, attached.status().message());
    }
  }
  Status st = container->run(launch.logFile, guard, std::move(onExit));
  if (!st.isOk()) {
    err = {"StartError", st.message()};
    return nullptr;
  }
  return container;
}

}  // namespace ossvp::kubesim
