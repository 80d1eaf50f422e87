// ApiServer resource requests: the verb chosen from method, name and ?watch,
// what each verb handler answers, and 405 for what no verb takes.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>

#include "server/api_server.h"
#include "server/builtin_admission.h"
#include "server/tls_material.h"

using namespace ossvp::kubesim;

namespace {

struct Answer {
  int status = 0;
  json body;
  bool streamed = false;
};

class Recorder : public HttpResponder {
 public:
  void respond(int status, const std::string&, const std::string& body,
               const std::map<std::string, std::string>&) override {
    answer.status = status;
    answer.body = json::parse(body, nullptr, false);
  }
  bool startStream(int status, const std::string&) override {
    answer.status = status;
    answer.streamed = true;
    return false;  // no client to stream to: the handler stops there
  }
  bool writeChunk(const std::string&) override { return false; }
  void endStream() override {}
  bool clientGone() override { return true; }
  Answer answer;
};

class Cluster {
 public:
  Cluster() {
    installBuiltinAdmission(store_);
    REQUIRE(store_.create(gvr::kNamespaces, "", {{"metadata", {{"name", "t"}}}}).isOk());
    for (const char* name : {"a", "b"}) {
      json cm = {{"metadata", {{"name", name}, {"labels", {{"app", name}}}}}, {"data", {{"k", "v"}}}};
      REQUIRE(store_.create(gvr::kConfigMaps, "t", cm).isOk());
    }
    json pod = {{"metadata", {{"name", "p"}}}, {"spec", {{"containers", {{{"name", "c"}, {"image", "x"}}}}}}};
    REQUIRE(store_.create(gvr::kPods, "t", pod).isOk());
  }

  Answer call(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& contentType = "application/json") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.headers["content-type"] = contentType;
    splitTarget(req);
    Recorder out;
    api_.handle(req, out);
    return out.answer;
  }
  ObjectStore& store() { return store_; }

 private:
  static const std::string& signingKey() {
    static const std::string pem = [] {
      // Its own directory: test cases run as concurrent processes.
      std::string templ = (std::filesystem::temp_directory_path() / "ossvp-kubesim-api-verbs-XXXXXX").string();
      REQUIRE(::mkdtemp(templ.data()) != nullptr);
      auto tls = ensureTlsMaterial(templ + "/pki");
      REQUIRE(tls.isOk());
      std::string key = tls->saKeyPem;
      std::filesystem::remove_all(templ);
      return key;
    }();
    return pem;
  }

  ObjectStore store_;
  TokenIssuer tokens_{signingKey(), &store_};
  ApiServer api_{store_, tokens_, ApiServerOptions{}};
};

}  // namespace

TEST_CASE("api verbs: GET is get on a name, list or watch on a collection", "[kube-sim][api]") {
  Cluster c;
  auto one = c.call("GET", "/api/v1/namespaces/t/configmaps/a?watch=true");  // a name wins over ?watch
  CHECK(one.status == 200);
  CHECK(!one.streamed);
  CHECK(one.body["kind"] == "ConfigMap");
  auto list = c.call("GET", "/api/v1/namespaces/t/configmaps?labelSelector=app%3Db");
  CHECK(list.body["kind"] == "ConfigMapList");
  REQUIRE(list.body["items"].size() == 1);
  CHECK(list.body["items"][0]["metadata"]["name"] == "b");
  auto watch = c.call("GET", "/api/v1/namespaces/t/configmaps?watch=1");
  CHECK(watch.streamed);
  CHECK(c.call("GET", "/api/v1/namespaces/t/configmaps?watch=1&resourceVersion=x").status == 400);
  CHECK(c.call("GET", "/api/v1/namespaces/t/widgets").status == 404);
}

TEST_CASE("api verbs: create, update and patch, with the subresources they take", "[kube-sim][api]") {
  Cluster c;
  auto created = c.call("POST", "/api/v1/namespaces/t/configmaps", R"({"metadata":{"name":"n"}})");
  CHECK(created.status == 201);
  CHECK(created.body["metadata"]["namespace"] == "t");
  CHECK(c.call("POST", "/api/v1/namespaces/t/configmaps", "[1]").status == 400);
  json a = *c.store().get(gvr::kConfigMaps, "t", "a");
  a["data"]["k"] = "w";
  CHECK(c.call("PUT", "/api/v1/namespaces/t/configmaps/a", a.dump()).body["data"]["k"] == "w");
  CHECK(c.call("PUT", "/api/v1/namespaces/t/configmaps/b", a.dump()).status == 400);  // name mismatch
  auto patched =
      c.call("PATCH", "/api/v1/namespaces/t/configmaps/a", R"({"data":{"k":"z"}})", "application/merge-patch+json");
  CHECK(patched.body["data"]["k"] == "z");
  CHECK(c.call("PATCH", "/api/v1/namespaces/t/configmaps/a", "{}", "text/plain").status == 415);
  auto status = c.call("PATCH", "/api/v1/namespaces/t/pods/p/status", R"({"status":{"phase":"Running"}})",
                       "application/merge-patch+json");
  CHECK(status.body["status"]["phase"] == "Running");
  auto evicted = c.call("POST", "/api/v1/namespaces/t/pods/p/eviction", "{}");
  CHECK(evicted.status == 201);
  CHECK(evicted.body["status"] == "Success");
  CHECK(!c.store().get(gvr::kPods, "t", "p").isOk());
}

TEST_CASE("api verbs: delete and deletecollection", "[kube-sim][api]") {
  Cluster c;
  CHECK(c.call("DELETE", "/api/v1/namespaces/t/configmaps/a?dryRun=All").status == 200);
  CHECK(c.store().get(gvr::kConfigMaps, "t", "a").isOk());
  CHECK(c.call("DELETE", "/api/v1/namespaces/t/configmaps/a?dryRun=Some").status == 422);
  auto gone = c.call("DELETE", "/api/v1/namespaces/t/configmaps?labelSelector=app%3Da");
  CHECK(gone.body["kind"] == "ConfigMapList");
  REQUIRE(gone.body["items"].size() == 1);
  CHECK(!c.store().get(gvr::kConfigMaps, "t", "a").isOk());
  CHECK(c.store().get(gvr::kConfigMaps, "t", "b").isOk());
}

TEST_CASE("api verbs: 405 for what no verb handler takes", "[kube-sim][api]") {
  Cluster c;
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"HEAD", "/api/v1/namespaces/t/configmaps/a"},
           {"OPTIONS", "/api/v1/namespaces/t/configmaps"},
           {"PUT", "/api/v1/namespaces/t/configmaps"},
           {"PATCH", "/api/v1/namespaces/t/configmaps"},
           {"POST", "/api/v1/namespaces/t/configmaps/a"},
           {"PUT", "/api/v1/namespaces/t/pods/p/binding"},
           {"DELETE", "/api/v1/namespaces/t/pods/p/status"},
       }) {
    INFO(method << " " << target);
    auto a = c.call(method, target, "{}");
    CHECK(a.status == 405);
    CHECK(a.body["reason"] == "MethodNotAllowed");
  }
}
