#include "ossvp/controller/kube/counting_api_client.h"

namespace ossvp::controller::kube {

void CountingApiClient::count(const char* verb, const Resource& r, bool status) {
  metrics_.inc("ossvp_api_requests_total",
               std::string("{verb=\"") + verb + "\",resource=\"" + r.plural + (status ? "/status" : "") + "\"}");
}

Result<Object> CountingApiClient::get(const Resource& r, const std::string& ns, const std::string& name) {
  count("get", r);
  return inner_.get(r, ns, name);
}

Result<ListResult> CountingApiClient::list(const Resource& r, const std::string& ns, const ListOptions& options) {
  count("list", r);
  return inner_.list(r, ns, options);
}

Result<Object> CountingApiClient::create(const Resource& r, const std::string& ns, const Object& obj) {
  count("create", r);
  return inner_.create(r, ns, obj);
}

Result<Object> CountingApiClient::update(const Resource& r, const Object& obj) {
  count("update", r);
  return inner_.update(r, obj);
}

Result<Object> CountingApiClient::updateStatus(const Resource& r, const Object& obj) {
  count("update", r, true);
  return inner_.updateStatus(r, obj);
}

Result<Object> CountingApiClient::patch(const Resource& r, const std::string& ns, const std::string& name,
                                        PatchType type, const Object& patch, bool statusSubresource) {
  count("patch", r, statusSubresource);
  return inner_.patch(r, ns, name, type, patch, statusSubresource);
}

Status CountingApiClient::remove(const Resource& r, const std::string& ns, const std::string& name,
                                 const DeleteOptions& options) {
  count("delete", r);
  return inner_.remove(r, ns, name, options);
}

Status CountingApiClient::watch(const Resource& r, const std::string& ns, const WatchOptions& options,
                                const std::function<bool(const WatchEvent&)>& onEvent, const Cancellation& cancel) {
  count("watch", r);
  return inner_.watch(r, ns, options, onEvent, cancel);
}

}  // namespace ossvp::controller::kube
