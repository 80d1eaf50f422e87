// KubeConfig: how to reach and authenticate to the API server, loaded from a
// kubeconfig file (current context) or from the in-cluster service account.
// The bearer token is re-read from its file when the file changes (projected
// service-account tokens rotate), so a long-running controller keeps working.
//
// Thread-safety: bearerToken() is internally synchronized; the other fields
// are immutable after loading.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "ossvp/common/result.h"

namespace ossvp::controller::kube {

class KubeConfig {
 public:
  // Loads `path` (or $KUBECONFIG, or ~/.kube/config when empty), using
  // `context` or the file's current-context.
  static Result<std::shared_ptr<KubeConfig>> fromKubeconfigFile(const std::string& path,
                                                                const std::string& context = {});
  // Service-account token, CA and namespace under `saDir`
  // (default /var/run/secrets/kubernetes.io/serviceaccount) and
  // KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT.
  static Result<std::shared_ptr<KubeConfig>> inCluster(
      const std::string& saDir = "/var/run/secrets/kubernetes.io/serviceaccount");

  std::string server;  // "https://10.0.0.1:443" or "http://127.0.0.1:PORT"
  std::string caPem;   // CA bundle (PEM); empty: system roots
  bool insecureSkipTlsVerify = false;
  std::string clientCertPem;  // optional client certificate auth
  std::string clientKeyPem;
  std::string defaultNamespace = "default";

  // The current bearer token ("" for none). A token file is re-read when its
  // modification time changes.
  std::string bearerToken() const;
  void setStaticToken(std::string token);
  void setTokenFile(std::string path);

 private:
  mutable std::mutex mu_;
  mutable std::string token_;
  std::string tokenFile_;
  mutable std::filesystem::file_time_type tokenMtime_{};
};

}  // namespace ossvp::controller::kube
