// The real ObjectClient: libcurl multi interface on a few I/O threads (no
// thread per request), keep-alive connection reuse, retries with exponential
// backoff and jitter for idempotent requests, cancellation, CRC64 computed
// while streaming and verified on whole-object reads and uploads.
//
// Thread-safety: the returned client is safe to use from any thread.
#pragma once

#include <memory>

#include "ossvp/common/result.h"
#include "ossvp/ossclient/client_options.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/object_client.h"

namespace ossvp::ossclient {

Result<std::unique_ptr<ObjectClient>> makeCurlObjectClient(ClientOptions options,
                                                           std::shared_ptr<CredentialsProvider> credentials);

}  // namespace ossvp::ossclient
