// CountingApiClient: an ApiClient that forwards every call to another one and
// counts it in Metrics as ossvp_api_requests_total{verb,resource} (verb as
// the API server's audit log names it: get, list, watch, create, update,
// patch, delete; a status write counts as resource "<plural>/status"). It
// is how the controller's own API load is read (requests per PVC), apart
// from what other clients send the same server.
//
// Thread-safety: as thread-safe as the wrapped client (Metrics is
// internally synchronized).
#pragma once

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/metrics.h"

namespace ossvp::controller::kube {

class CountingApiClient final : public ApiClient {
 public:
  // `inner` and `metrics` must outlive this client.
  CountingApiClient(ApiClient& inner, Metrics& metrics) : inner_(inner), metrics_(metrics) {}

  Result<Object> get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<ListResult> list(const Resource& r, const std::string& ns, const ListOptions& options) override;
  Result<Object> create(const Resource& r, const std::string& ns, const Object& obj) override;
  Result<Object> update(const Resource& r, const Object& obj) override;
  Result<Object> updateStatus(const Resource& r, const Object& obj) override;
  Result<Object> patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                       const Object& patch, bool statusSubresource = false) override;
  Status remove(const Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& options = {}) override;
  Status watch(const Resource& r, const std::string& ns, const WatchOptions& options,
               const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) override;

 private:
  void count(const char* verb, const Resource& r, bool status = false);

  ApiClient& inner_;
  Metrics& metrics_;
};

}  // namespace ossvp::controller::kube
