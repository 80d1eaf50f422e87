#include "ossvp/ossemu/nas_service.h"

#include "ossvp/ossemu/sts_service.h"

namespace ossvp::ossemu {

struct NasService::Impl {
  Storage& storage;
  const CredentialStore& creds;
  std::string root;
};

NasService::NasService(Storage& storage, const CredentialStore& creds, std::string cpfsRoot)
    : impl_(new Impl{storage, creds, std::move(cpfsRoot)}) {}

NasService::~NasService() = default;

bool NasService::handles(const std::string& action) {
  static const char* kActions[] = {"CreateFileset",      "DescribeFilesets",      "DeleteFileset",
                                   "CreateDataFlow",     "DescribeDataFlows",     "DeleteDataFlow",
                                   "CreateDataFlowTask", "DescribeDataFlowTasks", "CancelDataFlowTask"};
  for (const char* a : kActions) {
    if (action == a) return true;
  }
  return false;
}

void NasService::handle(const HttpRequest& req, const std::map<std::string, std::string>& params,
                        const std::string& requestId, int64_t now, HttpResponse* resp) {
  (void)params;
  (void)now;
  renderRpcError(501, "NotImplemented", "the NAS data-flow API is not available in this build", requestId,
                 req.headerOr("host"), resp);
}

}  // namespace ossvp::ossemu
