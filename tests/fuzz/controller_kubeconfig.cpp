// Fuzz target: kubeconfig YAML as the controller loads it
// (KubeConfig::fromKubeconfigFile, controller/include/ossvp/controller/kube/kube_config.h).
// Input: the kubeconfig file's bytes (written to a private temp file).
// Invariants: no crash/UB and no exception (the loader returns Result); a
// loaded config has a server without a trailing '/'.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "fuzz_util.h"
#include "ossvp/controller/kube/kube_config.h"

using ossvp::controller::kube::KubeConfig;

namespace {

// Never freed: the atexit cleanup runs after static destructors would.
const std::string& tempPath() {
  static const std::string* path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ossvp-fuzz-kubeconfig-XXXXXX";
    char* dir = ::mkdtemp(templ.data());
    FUZZ_CHECK(dir != nullptr, "mkdtemp failed");
    auto* p = new std::string(std::string(dir) + "/config");
    std::atexit([] {
      std::remove(tempPath().c_str());
      ::rmdir(tempPath().substr(0, tempPath().rfind('/')).c_str());
    });
    return p;
  }();
  return *path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  {
    std::ofstream out(tempPath(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto cfg = KubeConfig::fromKubeconfigFile(tempPath());
  if (cfg) {
    const std::string& server = (*cfg)->server;
    FUZZ_CHECK(server.empty() || server.back() != '/', "server keeps a trailing slash: " + server);
  } else {
    FUZZ_CHECK(!cfg.status().message().empty(), "failure without a message");
  }
  // A named context that may or may not exist.
  auto named = KubeConfig::fromKubeconfigFile(tempPath(), "fuzz");
  (void)named;
  return 0;
}
