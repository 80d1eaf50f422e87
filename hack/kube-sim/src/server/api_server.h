// ApiServer: the Kubernetes REST front end of kube-sim. Routes HTTP requests
// (from HttpServer) to discovery, OpenAPI, the ObjectStore (CRUD, list, watch,
// patch, subresources), pods/log, TokenRequest, and the /kube-sim/ admin
// endpoints (fault injection, drop watches, compaction); authenticates bearer
// tokens (admin token or service-account JWTs) and, with --authorization
// rbac, authorizes service accounts against Roles/ClusterRoles (and, with an
// RbacAudit, records every such decision).
//
// Files: api_server.cpp routes (authentication, discovery, admin, resource
// URLs, RBAC) and dispatches a resource request by verb to one handler each
// in resource_verbs.cpp; subresources.cpp serves pods/log, binding,
// eviction and serviceaccounts/token.
//
// Thread-safety: handle() is called concurrently from connection threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/fault_injector.h"
#include "server/http_server.h"
#include "server/token_issuer.h"
#include "store/object_store.h"

namespace ossvp::kubesim {

class RbacAudit;

struct ApiServerOptions {
  std::string adminToken;
  bool rbac = false;
  std::string serverAddress;       // host:port as clients reach it
  std::string stateDir;            // pods/log files live under it
  RbacAudit* rbacAudit = nullptr;  // not owned; records service accounts' authorization decisions
};

struct RequestUser {
  std::string name;
  std::vector<std::string> groups;
  bool admin = false;
  std::string saNamespace, saName;  // set for service accounts
};

class ApiServer {
 public:
  ApiServer(ObjectStore& store, TokenIssuer& tokens, ApiServerOptions options);

  void handle(const HttpRequest& req, HttpResponder& out);
  // Called by the admin endpoint to close every client connection (drop watches).
  void setDropConnections(std::function<void()> fn) { dropConnections_ = std::move(fn); }
  FaultInjector& faults() { return faults_; }
  void setServerAddress(const std::string& hostPort) { options_.serverAddress = hostPort; }

 private:
  // A parsed resource URL: /api[s]/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]].
  struct Target {
    ResourceInfo info;
    std::string ns;
    std::string name;
    std::string subresource;
  };
  using VerbHandler = void (ApiServer::*)(const HttpRequest&, HttpResponder&, const Target&);

  // Resolves the URL, authorizes, then hands over to the handler of the request's verb.
  void handleResource(const HttpRequest& req, HttpResponder& out, const RequestUser& user);
  // nullopt when the path names no served resource or subresource (404).
  std::optional<Target> resolveTarget(const HttpRequest& req) const;
  // RBAC for service accounts (and the audit record); false after answering 403.
  bool authorize(const HttpRequest& req, HttpResponder& out, const Target& t, const RequestUser& user);
  void handleAdmin(const HttpRequest& req, HttpResponder& out);
  bool handleDiscovery(const HttpRequest& req, HttpResponder& out);
  std::optional<RequestUser> authenticate(const HttpRequest& req) const;
  // One handler per verb (resource_verbs.cpp); subresources go to the
  // serve* members below.
  void handleGet(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleList(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleWatch(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleCreate(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleUpdate(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handlePatch(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleDelete(const HttpRequest& req, HttpResponder& out, const Target& t);
  void handleDeleteCollection(const HttpRequest& req, HttpResponder& out, const Target& t);
  // Subresources (subresources.cpp).
  void serveLogs(const HttpRequest& req, HttpResponder& out, const std::string& ns, const std::string& pod);
  void serveTokenRequest(const HttpRequest& req, HttpResponder& out, const std::string& ns, const std::string& sa);
  void serveBinding(const HttpRequest& req, HttpResponder& out, const std::string& ns, const std::string& pod);
  void serveEviction(HttpResponder& out, const Target& t);

  ObjectStore& store_;
  TokenIssuer& tokens_;
  ApiServerOptions options_;
  FaultInjector faults_;
  std::function<void()> dropConnections_;
};

}  // namespace ossvp::kubesim
