#include "actors/process_runtime.h"

#include <cstdio>

#include "actors/object_util.h"

namespace ossvp::kubesim {

namespace {

class ProcessContainer : public RuntimeContainer {
 public:
  ProcessContainer(std::shared_ptr<ContainerProcess> proc, std::string id)
      : proc_(std::move(proc)), id_(std::move(id)) {}
  std::string id() const override { return id_; }
  bool exited() const override { return proc_->exited(); }
  int exitCode() const override { return proc_->exitCode(); }
  bool oomKilled() const override { return false; }
  void signal(int sig) override { proc_->signal(sig); }

 private:
  std::shared_ptr<ContainerProcess> proc_;
  std::string id_;
};

}  // namespace

std::shared_ptr<RuntimeContainer> ProcessRuntime::start(const ContainerLaunch& launch, std::function<void()> onExit,
                                                        PrepareError& err) {
  ProcessSpec spec;
  spec.logFile = launch.logFile;
  if (!buildContainerProcess(ctx_, launch.pod, launch.container, launch.volumePaths, launch.terminationFile, spec,
                             err)) {
    return nullptr;
  }
  auto started = ContainerProcess::start(spec, std::move(onExit));
  if (!started.isOk()) {
    err = {"StartError", started.status().message()};
    return nullptr;
  }
  char id[64];
  std::snprintf(id, sizeof id, "kube-sim://%s-%d-%d", uidOf(launch.pod).substr(0, 8).c_str(), (*started)->pid(),
                launch.attempt);
  return std::make_shared<ProcessContainer>(*started, id);
}

}  // namespace ossvp::kubesim
