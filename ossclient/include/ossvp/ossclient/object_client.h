// ObjectClient: the abstract OSS object API every component codes against.
// Implementations: the libcurl client (curl_object_client.h) and, for tests,
// ossclient::testing::FakeObjectClient (ossclient/testing/).
//
// Callback contract for the async calls (getAsync, uploadPartAsync):
//  - the callback runs exactly once, on an implementation thread, never
//    inside the call that started the request;
//  - after the callback has started, the implementation no longer touches the
//    request's caller-owned buffers (dest / data);
//  - AsyncHandle::cancel() makes a pending request finish with Cancelled;
//  - destroying the client cancels what is still pending and waits until
//    every callback has run (requests started from callbacks meanwhile
//    complete with Cancelled, possibly inline);
//  - never call a blocking method from a callback (it runs on the thread the
//    blocking call would wait for).
// Blocking calls retry transient failures internally (idempotent requests
// only) and return the final outcome.
//
// Thread-safety: all methods may be called concurrently from any thread.
#pragma once

#include <functional>
#include <string>

#include "ossvp/common/result.h"
#include "ossvp/common/status.h"
#include "ossvp/ossclient/async_handle.h"
#include "ossvp/ossclient/types.h"

namespace ossvp::ossclient {

using GetCallback = std::function<void(Result<GetResult>)>;
using PartCallback = std::function<void(Result<PartResult>)>;

class ObjectClient {
 public:
  virtual ~ObjectClient() = default;

  // One ListObjectsV2 page (encoding-type=url; keys come back decoded).
  virtual Result<ListPage> list(const ListRequest& request) = 0;

  // HeadObject. NotFound when the object does not exist.
  virtual Result<ObjectMeta> head(const std::string& bucket, const std::string& key) = 0;

  // Ranged GetObject into request.dest (or request.sink).
  virtual AsyncHandle getAsync(GetRequest request, GetCallback callback) = 0;
  // Blocking form of getAsync (default: getAsync + wait).
  virtual Result<GetResult> get(const GetRequest& request);

  // PutObject of a buffer; the CRC64 is verified against the server's.
  virtual Result<PutResult> put(const PutRequest& request) = 0;

  // Multipart upload. initiateMultipart returns the upload id.
  virtual Result<std::string> initiateMultipart(const std::string& bucket, const std::string& key) = 0;
  virtual AsyncHandle uploadPartAsync(UploadPartRequest request, PartCallback callback) = 0;
  virtual Result<PartResult> uploadPart(const UploadPartRequest& request);  // default: async + wait
  // Completes; verifies the object's CRC64 against the parts' combined CRC.
  virtual Result<PutResult> completeMultipart(const CompleteMultipartRequest& request) = 0;
  virtual Status abortMultipart(const std::string& bucket, const std::string& key, const std::string& uploadId) = 0;

  // DeleteObject. Deleting a missing key succeeds (as OSS does).
  virtual Status deleteObject(const std::string& bucket, const std::string& key) = 0;
};

// Lists every page of `request` (following continuation tokens), calling
// onPage for each; stops at the first error from the client or from onPage.
Status listAll(ObjectClient& client, ListRequest request, const std::function<Status(const ListPage&)>& onPage);

}  // namespace ossvp::ossclient
