#include "ossvp/controller/kube/rest_api_client.h"

// log.h (fmt) must come before cpprest: cpprest's U() macro breaks fmt's headers.
#include "ossvp/common/log.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <boost/asio/ssl.hpp>
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/watch_stream_decoder.h"

namespace ossvp::controller::kube {

namespace http = web::http;
namespace client = web::http::client;

struct RestApiClient::Impl {
  std::shared_ptr<KubeConfig> config;
  std::chrono::seconds timeout;
  std::unique_ptr<client::http_client> shared;

  client::http_client_config clientConfig(std::chrono::seconds t) const {
    client::http_client_config cfg;
    cfg.set_timeout(t);
    cfg.set_validate_certificates(!config->insecureSkipTlsVerify);
    auto cfgCopy = config;
    cfg.set_ssl_context_callback([cfgCopy](boost::asio::ssl::context& ctx) {
      if (!cfgCopy->caPem.empty()) {
        ctx.add_certificate_authority(boost::asio::buffer(cfgCopy->caPem));
      }
      if (!cfgCopy->clientCertPem.empty() && !cfgCopy->clientKeyPem.empty()) {
        ctx.use_certificate_chain(boost::asio::buffer(cfgCopy->clientCertPem));
        ctx.use_private_key(boost::asio::buffer(cfgCopy->clientKeyPem), boost::asio::ssl::context::pem);
      }
    });
    return cfg;
  }

  http::http_request makeRequest(const std::string& method, const std::string& pathAndQuery) const {
    http::http_request req(method);
    req.set_request_uri(pathAndQuery);
    req.headers().add("Accept", "application/json");
    req.headers().add("User-Agent", "ossvp-controller/0.1");
    std::string token = config->bearerToken();
    if (!token.empty()) req.headers().add("Authorization", "Bearer " + token);
    return req;
  }
};

namespace {

std::string encode(const std::string& s) { return web::uri::encode_data_string(s); }

void addParam(std::string& q, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  q += q.empty() ? "?" : "&";
  q += key + "=" + encode(value);
}

std::string patchContentType(PatchType t) {
  switch (t) {
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::Strategic: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

}  // namespace

RestApiClient::RestApiClient(std::shared_ptr<KubeConfig> config, std::chrono::seconds requestTimeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->timeout = requestTimeout;
  impl_->shared = std::make_unique<client::http_client>(impl_->config->server, impl_->clientConfig(requestTimeout));
}

RestApiClient::~RestApiClient() = default;

Result<Object> RestApiClient::send(const std::string& method, const std::string& pathAndQuery, const Object* body,
                                   const std::string& contentType) {
  ++requests_;
  std::string what = method + " " + pathAndQuery;
  try {
    auto req = impl_->makeRequest(method, pathAndQuery);
    if (body) {
      // A byte buffer, not set_body(std::string): that overload views a char
      // buffer as an unsigned-char one inside cpprest (UBSan vptr report).
      std::string text = body->dump();
      std::vector<uint8_t> bytes(text.begin(), text.end());
      auto size = bytes.size();
      req.set_body(Concurrency::streams::bytestream::open_istream(std::move(bytes)), size, contentType);
    }
    http::http_response resp = impl_->shared->request(req).get();
    std::string text = resp.extract_utf8string(true).get();
    int code = resp.status_code();
    if (code < 200 || code >= 300) return statusFromHttp(code, text, what);
    if (text.empty()) return Object::object();
    auto parsed = Object::parse(text, nullptr, false);
    if (parsed.is_discarded()) return unavailable(what + ": server answered invalid JSON");
    return parsed;
  } catch (const std::exception& e) {
    return unavailable(what + ": cannot reach the API server " + impl_->config->server + ": " + e.what());
  }
}

Result<Object> RestApiClient::get(const Resource& r, const std::string& ns, const std::string& name) {
  return send("GET", r.objectPath(ns, name), nullptr, "");
}

Result<ListResult> RestApiClient::list(const Resource& r, const std::string& ns, const ListOptions& o) {
  std::string q;
  addParam(q, "labelSelector", o.labelSelector);
  addParam(q, "fieldSelector", o.fieldSelector);
  addParam(q, "resourceVersion", o.resourceVersion);
  if (o.limit > 0) addParam(q, "limit", std::to_string(o.limit));
  addParam(q, "continue", o.continueToken);
  OSSVP_ASSIGN_OR_RETURN(Object body, send("GET", r.collectionPath(ns) + q, nullptr, ""));
  ListResult out;
  if (body.contains("items") && body["items"].is_array()) {
    for (auto& item : body["items"]) {
      // Lists omit kind/apiVersion on items; restore them for uniform handling.
      if (!item.contains("kind")) item["kind"] = r.kind;
      if (!item.contains("apiVersion")) item["apiVersion"] = r.apiVersion();
      out.items.push_back(std::move(item));
    }
  }
  if (body.contains("metadata")) {
    out.resourceVersion = body["metadata"].value("resourceVersion", "");
    out.continueToken = body["metadata"].value("continue", "");
  }
  return out;
}

Result<Object> RestApiClient::create(const Resource& r, const std::string& ns, const Object& obj) {
  return send("POST", r.collectionPath(ns), &obj, "application/json");
}

Result<Object> RestApiClient::update(const Resource& r, const Object& obj) {
  return send("PUT", r.objectPath(namespaceOf(obj), nameOf(obj)), &obj, "application/json");
}

Result<Object> RestApiClient::updateStatus(const Resource& r, const Object& obj) {
  return send("PUT", r.objectPath(namespaceOf(obj), nameOf(obj), "status"), &obj, "application/json");
}

Result<Object> RestApiClient::patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                                    const Object& p, bool statusSubresource) {
  return send("PATCH", r.objectPath(ns, name, statusSubresource ? "status" : ""), &p, patchContentType(type));
}

Status RestApiClient::remove(const Resource& r, const std::string& ns, const std::string& name,
                             const DeleteOptions& options) {
  Object body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", options.propagationPolicy}};
  if (!options.preconditionUid.empty()) body["preconditions"] = {{"uid", options.preconditionUid}};
  if (options.gracePeriodSeconds >= 0) body["gracePeriodSeconds"] = options.gracePeriodSeconds;
  return send("DELETE", r.objectPath(ns, name), &body, "application/json").status();
}

Status RestApiClient::watch(const Resource& r, const std::string& ns, const WatchOptions& o,
                            const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) {
  ++requests_;
  std::string q = "?watch=true";
  addParam(q, "labelSelector", o.labelSelector);
  addParam(q, "fieldSelector", o.fieldSelector);
  addParam(q, "resourceVersion", o.resourceVersion);
  if (o.allowBookmarks) q += "&allowWatchBookmarks=true";
  q += "&timeoutSeconds=" + std::to_string(o.timeoutSeconds);
  std::string what = "WATCH " + r.collectionPath(ns);
  pplx::cancellation_token_source cts;
  int cancelId = cancel.onCancel([cts]() mutable { cts.cancel(); });
  Status result;
  try {
    // The per-read timeout must outlast quiet periods between events.
    client::http_client watcher(impl_->config->server,
                                impl_->clientConfig(std::chrono::seconds(o.timeoutSeconds + 30)));
    auto req = impl_->makeRequest("GET", r.collectionPath(ns) + q);
    http::http_response resp = watcher.request(req, cts.get_token()).get();
    if (resp.status_code() != 200) {
      std::string text = resp.extract_utf8string(true).get();
      result = statusFromHttp(resp.status_code(), text, what);
    } else {
      // Read whatever has arrived (at least one byte, waiting for it) and let
      // the decoder frame it into events; partial lines carry over.
      auto body = resp.body().streambuf();
      WatchStreamDecoder decoder;
      std::vector<uint8_t> chunk(64 * 1024);
      bool stop = false;
      while (!stop && !cancel.cancelled()) {
        size_t want = std::clamp<size_t>(body.in_avail(), 1, chunk.size());
        size_t n = body.getn(chunk.data(), want).get();
        if (n == 0) decoder.finish();  // end of stream: a last unterminated line still counts
        decoder.feed(std::string_view(reinterpret_cast<const char*>(chunk.data()), n));
        stop = !decoder.deliver(onEvent);
        if (!decoder.status().isOk()) {
          result = unavailable(what + ": " + decoder.status().message());
          break;
        }
        if (n == 0) break;
      }
      if (decoder.skippedLines() > 0) {
        logWarn("{}: skipped {} malformed watch lines (not a JSON object with a string \"type\")", what,
                decoder.skippedLines());
      }
    }
  } catch (const std::exception& e) {
    if (!cancel.cancelled()) result = unavailable(what + ": stream broken: " + e.what());
  }
  cancel.unregister(cancelId);
  return result;
}

}  // namespace ossvp::controller::kube
