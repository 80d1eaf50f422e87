// ossvp-controller: the OSSVolumePopulator operator. Parses flags, connects
// to the API server and runs the Controller until SIGTERM/SIGINT (a second
// signal exits at once).
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "ossvp/common/log.h"
#include "ossvp/controller/controller.h"
#include "ossvp/controller/http_endpoint.h"
#include "ossvp/controller/kube/counting_api_client.h"
#include "ossvp/controller/kube/rest_api_client.h"
#include "ossvp/controller/leader_elector.h"
#include "ossvp/controller/metrics.h"

using namespace ossvp;
using namespace ossvp::controller;

int main(int argc, char** argv) {
  CLI::App app{"ossvp-controller: populates PVCs from Alibaba Cloud OSS (OSSVolumePopulator)"};
  ControllerOptions o;
  std::string kubeconfig, featureGates = "VolumePopulator=true", logLevel = "info";
  bool logJson = false;
  int workers = 16;
  double retryBaseSeconds = 10, resyncSeconds = 60, sweepSeconds = 300;
  app.add_option("--kubeconfig", kubeconfig,
                 "kubeconfig file (default: in-cluster, else $KUBECONFIG or ~/.kube/config)");
  app.add_option("--populator-namespace", o.populatorNamespace, "namespace of prime PVCs and populator pods")
      ->capture_default_str();
  app.add_option("--populator-image", o.populatorImage, "image of the generic-mode populator pod")
      ->capture_default_str();
  app.add_option("--feature-gates", featureGates,
                 "VolumePopulator=true|false (default on), VolumePopulatorPodHandler=true|false")
      ->capture_default_str();
  app.add_option("--workers", workers, "PVCs reconciled in parallel")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--endpoint-override", o.endpointOverrides,
                 "HOST=URL handed to populator pods (repeatable; e.g. for an emulator)");
  app.add_option("--pod-cpu-request", o.podResources.cpuRequest, "populator pod CPU request")->capture_default_str();
  app.add_option("--pod-memory-request", o.podResources.memoryRequest, "populator pod memory request")
      ->capture_default_str();
  app.add_option("--pod-cpu-limit", o.podResources.cpuLimit, "populator pod CPU limit (empty: none)");
  app.add_option("--pod-memory-limit", o.podResources.memoryLimit, "populator pod memory limit")->capture_default_str();
  app.add_option("--populator-service-account", o.populatorServiceAccount,
                 "service account of populator pods (with VolumePopulatorPodHandler)")
      ->capture_default_str();
  app.add_option("--pod-run-as-user", o.podRunAsUser, "non-root UID/GID of populator pods")->capture_default_str();
  app.add_option("--max-attempts", o.maxAttempts, "populator pod attempts per PVC")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--retry-base-delay", retryBaseSeconds, "seconds before the first retry (doubles each time)")
      ->capture_default_str();
  app.add_option("--resync-period", resyncSeconds, "seconds between re-examinations of in-flight PVCs")
      ->capture_default_str();
  app.add_option("--sweep-period", sweepSeconds, "seconds between orphan sweeps")->capture_default_str();
  double podStuckGraceSeconds = 60;
  app.add_option("--pod-stuck-grace", podStuckGraceSeconds,
                 "seconds a populator pod may stay unscheduled or waiting (image pull, ...) for a reason that may "
                 "clear by itself before event PopulatorPodStuck reports it; reasons that need a fix are reported "
                 "at once")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  double cpfsPollSeconds = 2;
  double coalesceSeconds = 1;
  app.add_option("--status-coalesce-window", coalesceSeconds,
                 "seconds a progress update waits to be written together with the other pending changes of the "
                 "same ossvp (one status write instead of one per PVC; 0: write each at once)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  app.add_option("--cpfs-endpoint", o.cpfsEndpoint,
                 "bmcpfs-dataflow: NAS OpenAPI host or URL (default nas.<region>.aliyuncs.com; a host given to "
                 "--endpoint-override maps to its URL). Credentials: env ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET");
  app.add_option("--cpfs-region", o.cpfsRegion, "bmcpfs-dataflow: NAS region (default: the ossvp's region)");
  app.add_option("--cpfs-throughput-mbps", o.cpfsThroughputMBps,
                 "bmcpfs-dataflow: Throughput sent with every CreateDataFlow (default: only for CPFS "
                 "general-purpose, from the ossvp)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--cpfs-poll-interval", cpfsPollSeconds, "bmcpfs-dataflow: seconds between task status polls")
      ->capture_default_str();
  bool leaderElect = false;
  std::string healthAddr, metricsAddr;
  double leaseSeconds = 15, renewSeconds = 2;
  app.add_option("--leader-elect", leaderElect,
                 "only the holder of Lease <populator-namespace>/ossvp-controller acts (run 2 replicas)")
      ->capture_default_str();
  app.add_option("--leader-elect-lease-duration", leaseSeconds,
                 "seconds without renewal after which another replica takes over")
      ->capture_default_str();
  app.add_option("--leader-elect-renew-interval", renewSeconds, "seconds between Lease renewals")
      ->capture_default_str();
  app.add_option("--health-addr", healthAddr, "HOST:PORT serving /healthz and /readyz (port 0: any; empty: off)");
  app.add_option("--metrics-addr", metricsAddr, "HOST:PORT serving Prometheus /metrics (port 0: any; empty: off)");
  app.add_option("--log-level", logLevel, "debug, info, warn or error")->capture_default_str();
  app.add_flag("--log-json", logJson, "JSON log lines");
  CLI11_PARSE(app, argc, argv);

  LogOptions lo;
  lo.component = "ossvp-controller";
  lo.json = logJson;
  if (!parseLogLevel(logLevel, &lo.level)) {
    std::cerr << "--log-level must be debug, info, warn or error\n";
    return 2;
  }
  initLogging(lo);
  auto gates = parseFeatureGates(featureGates);
  if (!gates.isOk()) {
    logError("{}", gates.status().message());
    return 2;
  }
  applyFeatureGates(*gates, &o);
  auto ms = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };
  o.retryBaseDelay = ms(retryBaseSeconds);
  o.resyncPeriod = ms(resyncSeconds);
  o.sweepPeriod = ms(sweepSeconds);
  o.podStuckGrace = ms(podStuckGraceSeconds);
  o.cpfsPollInterval = ms(cpfsPollSeconds);
  o.statusCoalesceWindow = ms(coalesceSeconds);

  const char* inClusterHost = std::getenv("KUBERNETES_SERVICE_HOST");
  auto config = kubeconfig.empty() && inClusterHost ? kube::KubeConfig::inCluster()
                                                    : kube::KubeConfig::fromKubeconfigFile(kubeconfig);
  if (!config.isOk()) {
    logError("{}", config.status().message());
    return 2;
  }
  // Signals are handled by one thread; block them everywhere else.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  kube::Cancellation stop;
  std::thread([sigs, stop] {
    int sig = 0;
    sigwait(&sigs, &sig);
    logInfo("signal {}: shutting down (send again to exit at once)", sig);
    stop.cancel();
    sigwait(&sigs, &sig);
    std::_Exit(1);
  }).detach();

  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  Metrics registry;  // outlives the controller and the /metrics endpoint, which read it
  kube::RestApiClient rest(*config);
  kube::CountingApiClient api(rest, registry);
  logInfo("ossvp-controller starting: server {}, populator namespace {}, image {}, workers {}, gates {}",
          (*config)->server, o.populatorNamespace, o.populatorImage, workers, featureGates);
  Controller controller(api, o, workers, host, registry);

  std::atomic<bool> standby{leaderElect};
  HttpEndpoint health, metrics;
  if (!healthAddr.empty()) {
    health.handle("/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; });
    // Ready: caches synced, or a standby replica waiting for the Lease.
    health.handle("/readyz", [&] {
      if (standby || controller.synced()) return HttpReply{200, "text/plain; charset=utf-8", "ok\n"};
      return HttpReply{503, "text/plain; charset=utf-8", "informer caches not synced yet\n"};
    });
    Status hs = health.start(healthAddr);
    if (!hs.isOk()) {
      logError("--health-addr: {}", hs.message());
      return 2;
    }
    logInfo("health endpoints on port {} (/healthz, /readyz)", health.port());
  }
  if (!metricsAddr.empty()) {
    metrics.handle("/metrics", [&registry] {
      return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", registry.render()};
    });
    Status ms2 = metrics.start(metricsAddr);
    if (!ms2.isOk()) {
      logError("--metrics-addr: {}", ms2.message());
      return 2;
    }
    logInfo("metrics on port {} (/metrics)", metrics.port());
  }
  std::unique_ptr<LeaderElector> elector;
  if (leaderElect) {
    LeaderElectionOptions lo2;
    lo2.ns = o.populatorNamespace;
    const char* pod = std::getenv("POD_NAME");
    lo2.identity = std::string(pod ? pod : host) + "_" + std::to_string(getpid());
    lo2.leaseDuration = ms(leaseSeconds);
    lo2.renewInterval = ms(renewSeconds);
    elector = std::make_unique<LeaderElector>(api, lo2);
    registry.setGauge("ossvp_leader", [&elector] { return elector->isLeader() ? 1.0 : 0.0; });
    if (!elector->acquire(stop)) return 0;
    standby = false;
    // Lost leadership: stop acting at once (exit; the Deployment restarts the pod as a candidate).
    std::thread([&elector, stop] {
      if (!elector->keepLeading(stop)) {
        logError("leader election lost: exiting so that only the new leader acts");
        std::_Exit(1);
      }
    }).detach();
  }
  Status s = controller.run(stop);
  if (!s.isOk()) {
    logError("{}", s.message());
    return 1;
  }
  logInfo("ossvp-controller stopped");
  return 0;
}
