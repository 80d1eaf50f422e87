#include "server/kube_sim_main.h"

#include <CLI/CLI.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "actors/cluster_actors.h"
#include "actors/container_runtime.h"
#include "ossvp/common/base64.h"
#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "server/api_server.h"
#include "server/builtin_admission.h"
#include "server/crd_support.h"
#include "server/http_server.h"
#include "server/rbac_audit.h"
#include "server/tls_material.h"
#include "server/token_issuer.h"
#include "store/cluster_context.h"
#include "store/object_store.h"

namespace ossvp::kubesim {
namespace {

std::atomic<bool> gStop{false};
void onSignal(int) { gStop = true; }

bool parseHostPort(const std::string& s, std::string* host, int* port) {
  size_t c = s.rfind(':');
  if (c == std::string::npos) return false;
  *host = s.substr(0, c);
  try {
    *port = std::stoi(s.substr(c + 1));
  } catch (...) {
    return false;
  }
  return true;
}

bool writeKubeconfig(const std::string& path, const std::string& server, const std::string& caPem,
                     const std::string& token) {
  std::string text = "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-sim\n  cluster:\n    server: " + server +
                     "\n    certificate-authority-data: " + base64Encode(caPem) +
                     "\nusers:\n- name: kube-sim-admin\n  user:\n    token: " + token +
                     "\ncontexts:\n- name: kube-sim\n  context:\n    cluster: kube-sim\n    user: kube-sim-admin\n"
                     "    namespace: default\ncurrent-context: kube-sim\npreferences: {}\n";
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text;
  }
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

void bootstrapNamespaces(ObjectStore& store) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    (void)store.create(gvr::kNamespaces, "",
                       {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  }
}

}  // namespace

int kubeSimMain(int argc, char** argv) {
  CLI::App app{"kube-sim: a local Kubernetes API server and cluster actors for tests"};
  std::string listen = "127.0.0.1:0";
  std::string httpListen;
  std::string stateDir;
  std::string kubeconfigOut;
  std::vector<std::string> imageMaps;
  std::string cpfsRoot;
  std::string runtime = "process";
  std::string authorization = "AlwaysAllow";
  std::string rbacAuditPath;
  std::string logLevel = "info";
  int nodes = 1;
  size_t history = 1000;
  app.add_option("--listen", listen, "HTTPS listen address 127.0.0.1:PORT (0 = pick)");
  app.add_option("--http-listen", httpListen, "also serve plain HTTP (no auth, admin) on 127.0.0.1:PORT");
  app.add_option("--state-dir", stateDir, "directory for persistent state (objects, PKI, pod logs)")->required();
  app.add_option("--kubeconfig-out", kubeconfigOut, "where to write the kubeconfig (written last: ready)")->required();
  app.add_option("--image-map", imageMaps, "IMAGE=PATH: run pods of IMAGE as the local program PATH");
  app.add_option("--runtime", runtime,
                 "container runtime of the kubelets: process (local programs, --image-map) or podman (local images, "
                 "--network host)")
      ->check(CLI::IsMember({"process", "podman"}));
  app.add_option("--cpfs-root", cpfsRoot, "the emulator's --cpfs-root (bmcpfs storage class data)");
  app.add_option("--nodes", nodes, "number of simulated nodes");
  app.add_option("--watch-history", history, "watch events kept (older resourceVersions answer 410)");
  app.add_option("--authorization", authorization, "AlwaysAllow (default) or rbac (enforce RBAC for service accounts)");
  app.add_option("--rbac-audit", rbacAuditPath,
                 "append one JSON line per service-account authorization decision (with the granting rules) to FILE");
  app.add_option("--log-level", logLevel, "debug|info|warn|error");
  CLI11_PARSE(app, argc, argv);
  LogLevel level = LogLevel::Info;
  parseLogLevel(logLevel, &level);
  initLogging({level, false, "kube-sim"});
  for (char& c : authorization) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (authorization != "alwaysallow" && authorization != "rbac") {
    logError("--authorization {}: expected AlwaysAllow or rbac", authorization);
    return 2;
  }

  std::filesystem::create_directories(stateDir);
  stateDir = std::filesystem::absolute(stateDir).string();
  auto tls = ensureTlsMaterial(stateDir + "/pki");
  if (!tls) {
    logError("kube-sim: {}", tls.error().message);
    return 1;
  }
  registerSecret(tls->adminToken);

  DefaultStorageClass defaultClass;  // outlives the store and its subscription
  ObjectStore store(StoreOptions{stateDir, history});
  Subscription defaultClassTracker = defaultClass.start(store);
  installBuiltinAdmission(store, defaultClass);
  installCrdSupport(store);
  bootstrapNamespaces(store);
  Subscription nsController = startNamespaceController(store, tls->caCertPem);
  TokenIssuer tokens(tls->saKeyPem, &store);

  std::string host;
  int port = 0;
  if (!parseHostPort(listen, &host, &port)) {
    logError("--listen {}: expected HOST:PORT", listen);
    return 2;
  }
  ApiServerOptions apiOpts;
  apiOpts.adminToken = tls->adminToken;
  apiOpts.rbac = authorization == "rbac";
  apiOpts.stateDir = stateDir;
  std::unique_ptr<RbacAudit> rbacAudit;
  if (!rbacAuditPath.empty()) {
    std::string auditError;
    rbacAudit = RbacAudit::open(rbacAuditPath, &auditError);
    if (!rbacAudit) {
      logError("kube-sim: {}", auditError);
      return 2;
    }
    apiOpts.rbacAudit = rbacAudit.get();
  }
  ApiServer api(store, tokens, apiOpts);
  auto ssl = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  ssl->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                   boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                   boost::asio::ssl::context::no_tlsv1_1);
  ssl->use_certificate_chain_file(tls->serverCertFile);
  ssl->use_private_key_file(tls->serverKeyFile, boost::asio::ssl::context::pem);
  auto handler = [&api](const HttpRequest& req, HttpResponder& out) { api.handle(req, out); };
  HttpServer https(handler, ssl);
  std::string err;
  int boundPort = https.start(host, port, &err);
  if (boundPort < 0) {
    logError("kube-sim: {}", err);
    return 1;
  }
  std::unique_ptr<HttpServer> http;
  int httpPort = -1;
  if (!httpListen.empty()) {
    std::string h;
    int p = 0;
    if (!parseHostPort(httpListen, &h, &p)) {
      logError("--http-listen {}: expected HOST:PORT", httpListen);
      return 2;
    }
    http = std::make_unique<HttpServer>(handler, nullptr);
    httpPort = http->start(h, p, &err);
    if (httpPort < 0) {
      logError("kube-sim: {}", err);
      return 1;
    }
  }
  std::string serverUrl = "https://" + host + ":" + std::to_string(boundPort);
  api.setDropConnections([&https, &http] {
    https.dropConnections();
    if (http) http->dropConnections();
  });
  // ApiServer needs the address for /api and OIDC discovery.
  api.setServerAddress(host + ":" + std::to_string(boundPort));

  ClusterContext ctx;
  ctx.store = &store;
  ctx.cpfsRoot = cpfsRoot;
  ctx.nodes = nodes;
  ctx.stateDir = stateDir;
  ctx.serverUrl = serverUrl;
  ctx.caCertPem = tls->caCertPem;
  ctx.caCertFile = tls->caCertFile;
  ctx.mintServiceAccountToken = [&tokens](const TokenRequestSpec& s) { return tokens.mint(s); };
  for (const auto& m : imageMaps) {
    size_t eq = m.find('=');
    if (eq == std::string::npos) {
      logError("--image-map {}: expected IMAGE=PATH", m);
      return 2;
    }
    ctx.imageMap[m.substr(0, eq)] = m.substr(eq + 1);
  }
  ctx.containerRuntimeName = runtime;
  auto containerRuntime = makeContainerRuntime(ctx);
  if (!containerRuntime.isOk()) {
    logError("kube-sim: {}", containerRuntime.status().message());
    return 2;
  }
  ctx.containerRuntime = *containerRuntime;
  startClusterActors(ctx);

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::printf("kube-sim: serving https on %s:%d\n", host.c_str(), boundPort);
  if (httpPort > 0) std::printf("kube-sim: serving http on %s:%d\n", host.c_str(), httpPort);
  std::fflush(stdout);
  if (!writeKubeconfig(kubeconfigOut, serverUrl, tls->caCertPem, tls->adminToken)) {
    logError("kube-sim: cannot write kubeconfig {}", kubeconfigOut);
    return 1;
  }
  logInfo("kube-sim ready: {} (kubeconfig {})", serverUrl, kubeconfigOut);
  while (!gStop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  logInfo("kube-sim: shutting down");
  https.stop();
  if (http) http->stop();
  store.dropAllWatches();
  stopClusterActors();
  nsController.stop();
  store.flush();
  return 0;
}

}  // namespace ossvp::kubesim
