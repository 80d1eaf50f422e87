// RestApiClient: ApiClient over HTTP(S) with cpprestsdk, authenticated as
// the KubeConfig says (bearer token re-read on rotation, client certificate,
// custom CA). Ordinary requests share one connection pool; every watch gets
// its own connection so a long-lived stream never blocks other requests.
//
// Thread-safety: internally synchronized; use from any thread.
#pragma once

#include <atomic>
#include <memory>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/kube_config.h"

namespace ossvp::controller::kube {

class RestApiClient : public ApiClient {
 public:
  explicit RestApiClient(std::shared_ptr<KubeConfig> config,
                         std::chrono::seconds requestTimeout = std::chrono::seconds(30));
  ~RestApiClient() override;

  Result<Object> get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<ListResult> list(const Resource& r, const std::string& ns, const ListOptions& options) override;
  Result<Object> create(const Resource& r, const std::string& ns, const Object& obj) override;
  Result<Object> update(const Resource& r, const Object& obj) override;
  Result<Object> updateStatus(const Resource& r, const Object& obj) override;
  Result<Object> patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                       const Object& patch, bool statusSubresource) override;
  Status remove(const Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& options) override;
  Status watch(const Resource& r, const std::string& ns, const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) override;

  // Number of HTTP requests sent so far (watches included), for metrics/benchmarks.
  uint64_t requestCount() const { return requests_.load(); }

 private:
  struct Impl;
  Result<Object> send(const std::string& method, const std::string& pathAndQuery, const Object* body,
                      const std::string& contentType);
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> requests_{0};
};

}  // namespace ossvp::controller::kube
