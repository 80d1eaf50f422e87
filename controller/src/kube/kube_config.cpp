#include "ossvp/controller/kube/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ossvp/common/base64.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp::controller::kube {
namespace {

Result<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidArgument("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::string> decodeBase64(const std::string& data, const std::string& field) {
  if (auto bytes = base64Decode(data)) return std::move(*bytes);
  return invalidArgument("kubeconfig field " + field + " is not valid base64");
}

// Reads `<name>-data` (base64) or `<name>` (a file, relative to the kubeconfig).
Result<std::string> dataOrFile(const YAML::Node& node, const std::string& name, const std::filesystem::path& baseDir) {
  if (node[name + "-data"]) return decodeBase64(node[name + "-data"].as<std::string>(), name + "-data");
  if (node[name]) {
    std::filesystem::path p = node[name].as<std::string>();
    if (p.is_relative()) p = baseDir / p;
    return readFile(p);
  }
  return std::string();
}

YAML::Node findNamed(const YAML::Node& list, const std::string& name, const std::string& field) {
  if (list && list.IsSequence()) {
    for (const auto& item : list) {
      if (item["name"] && item["name"].as<std::string>() == name) return item[field];
    }
  }
  return YAML::Node();
}

}  // namespace

Result<std::shared_ptr<KubeConfig>> KubeConfig::fromKubeconfigFile(const std::string& pathIn,
                                                                   const std::string& contextIn) {
  std::string path = pathIn;
  if (path.empty()) {
    const char* env = std::getenv("KUBECONFIG");
    const char* home = std::getenv("HOME");
    if (env && *env) {
      path = env;
      if (auto colon = path.find(':'); colon != std::string::npos) path = path.substr(0, colon);
    } else if (home) {
      path = std::string(home) + "/.kube/config";
    }
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return invalidArgument("cannot load kubeconfig '" + path + "': " + e.what() +
                           " (pass --kubeconfig or set KUBECONFIG)");
  }
  try {
    std::string contextName =
        contextIn.empty() && root["current-context"] ? root["current-context"].as<std::string>() : contextIn;
    YAML::Node context = findNamed(root["contexts"], contextName, "context");
    if (!context) return invalidArgument("kubeconfig '" + path + "' has no context '" + contextName + "'");
    YAML::Node cluster = findNamed(root["clusters"], context["cluster"].as<std::string>(""), "cluster");
    if (!cluster || !cluster["server"]) {
      return invalidArgument("kubeconfig '" + path + "': context '" + contextName +
                             "' names a cluster without a server");
    }
    auto cfg = std::make_shared<KubeConfig>();
    std::filesystem::path baseDir = std::filesystem::path(path).parent_path();
    cfg->server = cluster["server"].as<std::string>();
    while (!cfg->server.empty() && cfg->server.back() == '/') cfg->server.pop_back();
    cfg->insecureSkipTlsVerify = cluster["insecure-skip-tls-verify"].as<bool>(false);
    OSSVP_ASSIGN_OR_RETURN(cfg->caPem, dataOrFile(cluster, "certificate-authority", baseDir));
    if (context["namespace"]) cfg->defaultNamespace = context["namespace"].as<std::string>();
    YAML::Node user = findNamed(root["users"], context["user"].as<std::string>(""), "user");
    if (user) {
      OSSVP_ASSIGN_OR_RETURN(cfg->clientCertPem, dataOrFile(user, "client-certificate", baseDir));
      OSSVP_ASSIGN_OR_RETURN(cfg->clientKeyPem, dataOrFile(user, "client-key", baseDir));
      if (!cfg->clientKeyPem.empty()) registerSecret(cfg->clientKeyPem);
      if (user["token"]) cfg->setStaticToken(user["token"].as<std::string>());
      if (user["tokenFile"]) cfg->setTokenFile(user["tokenFile"].as<std::string>());
    }
    return cfg;
  } catch (const std::exception& e) {
    return invalidArgument("malformed kubeconfig '" + path + "': " + e.what());
  }
}

Result<std::shared_ptr<KubeConfig>> KubeConfig::inCluster(const std::string& saDir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    return invalidArgument("not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset); pass --kubeconfig");
  }
  auto cfg = std::make_shared<KubeConfig>();
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  cfg->server = "https://" + h + ":" + port;
  OSSVP_ASSIGN_OR_RETURN(cfg->caPem, readFile(saDir + "/ca.crt"));
  auto ns = readFile(saDir + "/namespace");
  if (ns.isOk() && !ns->empty()) cfg->defaultNamespace = *ns;
  cfg->setTokenFile(saDir + "/token");
  if (cfg->bearerToken().empty()) return invalidArgument("empty service-account token in " + saDir);
  return cfg;
}

void KubeConfig::setStaticToken(std::string token) {
  std::lock_guard<std::mutex> lock(mu_);
  registerSecret(token);
  token_ = std::move(token);
}

void KubeConfig::setTokenFile(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  tokenFile_ = std::move(path);
  tokenMtime_ = {};
}

std::string KubeConfig::bearerToken() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (tokenFile_.empty()) return token_;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(tokenFile_, ec);
  if (!ec && mtime != tokenMtime_) {
    auto content = readFile(tokenFile_);
    if (content.isOk()) {
      std::string t = *content;
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      registerSecret(t);
      token_ = t;
      tokenMtime_ = mtime;
    }
  }
  return token_;
}

}  // namespace ossvp::controller::kube
