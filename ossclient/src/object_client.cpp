#include "ossvp/ossclient/object_client.h"

#include <future>

namespace ossvp::ossclient {
namespace {

template <typename T, typename Start>
Result<T> waitFor(Start start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace

Result<GetResult> ObjectClient::get(const GetRequest& request) {
  return waitFor<GetResult>([&](GetCallback cb) { getAsync(request, std::move(cb)); });
}

Result<PartResult> ObjectClient::uploadPart(const UploadPartRequest& request) {
  return waitFor<PartResult>([&](PartCallback cb) { uploadPartAsync(request, std::move(cb)); });
}

Status listAll(ObjectClient& client, ListRequest request, const std::function<Status(const ListPage&)>& onPage) {
  while (true) {
    Result<ListPage> page = client.list(request);
    if (!page.isOk()) return page.status();
    OSSVP_RETURN_IF_ERROR(onPage(*page));
    if (!page->isTruncated) return Status::ok();
    if (page->nextContinuationToken.empty() || page->nextContinuationToken == request.continuationToken) {
      return internalError("list of bucket '" + request.bucket + "' prefix '" + request.prefix +
                           "' is truncated but the server sent no new continuation token");
    }
    request.continuationToken = page->nextContinuationToken;
  }
}

}  // namespace ossvp::ossclient
