// Fuzz target: kube-sim's HTTP request handling — routing, query parsing,
// admission, schema validation, patches, RBAC lookups — on a fresh
// in-memory cluster per input (hack/kube-sim/src/server/api_server.h).
// Input: raw HTTP/1.1 requests (up to 4, pipelined), parsed with the same
// Boost.Beast parser and HttpServer's own splitTarget (http_server.h).
// Requests without Authorization get the admin
// token. The /kube-sim/ admin endpoints are skipped (they sleep and spawn
// threads by design); watches and log follows are answered without
// streaming (startStream() returns false).
// Exceptions: HttpServer answers 500 to a handler's std::exception, so those
// are not findings here; crashes, UB, hangs, a second response, no response,
// an invalid status or a non-JSON body sent as application/json are.
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "fuzz_util.h"
#include "server/api_server.h"
#include "server/builtin_admission.h"
#include "server/crd_support.h"
#include "server/http_server.h"
#include "server/tls_material.h"

namespace http = boost::beast::http;
using namespace ossvp::kubesim;

namespace {

constexpr const char* kAdminToken = "fuzz-admin-token";

const std::string& serviceAccountKey() {
  static const std::string pem = [] {
    std::string templ = std::filesystem::temp_directory_path().string() + "/ossvp-fuzz-kubesim-XXXXXX";
    char* dir = ::mkdtemp(templ.data());
    FUZZ_CHECK(dir != nullptr, "mkdtemp failed");
    auto tls = ensureTlsMaterial(std::string(dir) + "/pki");
    FUZZ_CHECK(tls.isOk(), "cannot create TLS material");
    std::string key = tls->saKeyPem;
    std::filesystem::remove_all(dir);
    return key;
  }();
  return pem;
}

class RecordingResponder : public HttpResponder {
 public:
  void respond(int status, const std::string& contentType, const std::string& body,
               const std::map<std::string, std::string>&) override {
    check(status);
    if (contentType == "application/json") {
      FUZZ_CHECK(!nlohmann::json::parse(body, nullptr, false).is_discarded(),
                 "application/json body is not JSON: " + body.substr(0, 200));
    }
  }
  bool startStream(int status, const std::string&) override {
    check(status);
    return false;
  }
  bool writeChunk(const std::string&) override { return false; }
  void endStream() override {}
  bool clientGone() override { return true; }
  int responses = 0;

 private:
  void check(int status) {
    FUZZ_CHECK(++responses == 1, "responded twice");
    FUZZ_CHECK(status >= 100 && status <= 599, "invalid status " + std::to_string(status));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::quietLogs();
  ObjectStore store;
  installBuiltinAdmission(store);
  installCrdSupport(store);
  for (const char* ns : {"default", "kube-system", "ack-volume-populator"}) {
    (void)store.create(gvr::kNamespaces, "",
                       {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  }
  TokenIssuer tokens(serviceAccountKey(), &store);
  ApiServerOptions options;
  options.adminToken = kAdminToken;
  options.rbac = size % 2 == 1;
  options.serverAddress = "127.0.0.1:6443";
  ApiServer api(store, tokens, options);

  boost::asio::const_buffer buf(data, size);
  for (int n = 0; n < 4 && buf.size() > 0; ++n) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(1 << 20);
    boost::beast::error_code ec;
    while (!parser.is_done() && buf.size() > 0) {
      size_t used = parser.put(buf, ec);
      buf += used;
      if (ec == http::error::need_more) {
        ec = {};
        if (used == 0) break;
        continue;
      }
      if (ec || used == 0) break;
    }
    if (!parser.is_done()) {
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return 0;
    }
    auto& msg = parser.get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    if (!req.headers.count("authorization")) req.headers["authorization"] = std::string("Bearer ") + kAdminToken;
    req.body = std::move(msg.body());
    splitTarget(req);
    if (req.path.rfind("/kube-sim/", 0) == 0) continue;
    RecordingResponder out;
    try {
      api.handle(req, out);
    } catch (const std::exception&) {
      continue;  // HttpServer: 500 InternalError
    }
    FUZZ_CHECK(out.responses == 1, "no response to " + req.method + " " + req.target);
  }
  return 0;
}
