#include "ossvp/ossclient/curl_object_client.h"

#include <cstring>
#include <future>
#include <mutex>

#include "call.h"
#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossclient/time_format.h"
#include "xml_responses.h"

namespace ossvp::ossclient {
namespace {

uint64_t headerU64(const HttpResponse& r, const std::string& name) {
  return std::strtoull(r.header(name).c_str(), nullptr, 10);
}

ObjectMeta metaFromHeaders(const HttpResponse& r, const std::string& key) {
  ObjectMeta m;
  m.key = key;
  m.size = headerU64(r, "content-length");
  m.mtime = parseRfc1123(r.header("last-modified")).value_or(0);
  m.etag = r.header("etag");
  m.crc64 = parseCrc64Header(r.header("x-oss-hash-crc64ecma"));
  m.storageClass = r.header("x-oss-storage-class");
  m.objectType = r.header("x-oss-object-type");
  m.contentType = r.header("content-type");
  return m;
}

// "bytes 0-99/1000" -> (0, 1000).
bool parseContentRange(const std::string& v, uint64_t* start, uint64_t* total) {
  unsigned long long a = 0, b = 0, t = 0;
  if (std::sscanf(v.c_str(), "bytes %llu-%llu/%llu", &a, &b, &t) != 3) return false;
  *start = a;
  *total = t;
  return true;
}

// Checks the server's CRC64 header (if any) against ours.
Status checkCrc(const HttpResponse& r, uint64_t local, const std::string& what) {
  std::optional<uint64_t> remote = parseCrc64Header(r.header("x-oss-hash-crc64ecma"));
  if (remote && *remote != local) {
    return corruption("CRC64 mismatch on " + what + ": computed " + std::to_string(local) + ", server says " +
                      std::to_string(*remote) + " [RequestId " + r.header("x-oss-request-id") + "]");
  }
  return Status::ok();
}

// A request whose 2xx body is buffered and parsed into T.
template <typename T>
class BufferedCall final : public Call {
 public:
  using Prepare = std::function<void(SignableRequest&, HttpRequest&)>;
  using Parse = std::function<Result<T>(const HttpResponse&, const std::string&)>;
  using Done = std::function<void(Result<T>)>;

  BufferedCall(std::shared_ptr<ClientCore> core, std::string bucket, std::string key, bool idempotent, Prepare prepare,
               Parse parse, Done done)
      : Call(std::move(core), std::move(bucket), std::move(key), idempotent),
        prepare_(std::move(prepare)),
        parse_(std::move(parse)),
        done_(std::move(done)) {}

 protected:
  void prepare(SignableRequest& req, HttpRequest& http) override { prepare_(req, http); }

  AttemptVerdict onSuccess(const HttpResponse& resp) override {
    Result<T> r = parse_(resp, body_);
    if (r.isOk()) {
      result_.emplace(std::move(r).value());
      return {};
    }
    StatusCode c = r.status().code();
    return {r.status(), c == StatusCode::Corruption || c == StatusCode::Unavailable};
  }

  void complete(Status status) override {
    if (status.isOk() && result_) {
      done_(std::move(*result_));
    } else {
      done_(status.isOk() ? internalError("request finished without a result") : status);
    }
  }

 private:
  Prepare prepare_;
  Parse parse_;
  Done done_;
  std::optional<T> result_;
};

template <typename T>
std::shared_ptr<BufferedCall<T>> startCall(const std::shared_ptr<ClientCore>& core, const std::string& bucket,
                                           const std::string& key, bool idempotent,
                                           typename BufferedCall<T>::Prepare prepare,
                                           typename BufferedCall<T>::Parse parse, typename BufferedCall<T>::Done done) {
  auto call = std::make_shared<BufferedCall<T>>(core, bucket, key, idempotent, std::move(prepare), std::move(parse),
                                                std::move(done));
  call->start();
  return call;
}

template <typename T>
Result<T> runBlocking(const std::shared_ptr<ClientCore>& core, const std::string& bucket, const std::string& key,
                      bool idempotent, typename BufferedCall<T>::Prepare prepare,
                      typename BufferedCall<T>::Parse parse) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  startCall<T>(core, bucket, key, idempotent, std::move(prepare), std::move(parse),
               [promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

// Ranged GET into a caller buffer or sink; resumes after a broken body,
// checks the whole-object CRC.
class GetCall final : public Call {
 public:
  GetCall(std::shared_ptr<ClientCore> core, GetRequest request, GetCallback done)
      : Call(core, request.bucket, request.key, true), req_(std::move(request)), done_(std::move(done)) {}

 protected:
  void prepare(SignableRequest& req, HttpRequest&) override {
    req.method = "GET";
    uint64_t from = req_.offset + received_;
    if (from > 0 || req_.length) {
      std::string range = "bytes=" + std::to_string(from) + "-";
      if (req_.length) range += std::to_string(req_.offset + *req_.length - 1);
      req.headers["Range"] = range;
      if (core_->isOss()) req.headers["x-oss-range-behavior"] = "standard";
    }
    std::string ifMatch = received_ > 0 && !etag_.empty() ? etag_ : req_.ifMatch;
    if (!ifMatch.empty()) req.headers["If-Match"] = ifMatch;
    attemptBytes_ = 0;
    started_ = false;
  }

  bool onResponseStart(const HttpResponse& r) override {
    started_ = true;
    uint64_t from = req_.offset + received_;
    uint64_t start = 0;
    uint64_t total = 0;
    if (r.status == 206 && parseContentRange(r.header("content-range"), &start, &total)) {
      if (start != from) {
        abortStatus_ =
            unavailable("server answered range start " + std::to_string(start) + ", asked " + std::to_string(from));
        return false;
      }
    } else if (from > 0 || (req_.length && headerU64(r, "content-length") > *req_.length)) {
      abortStatus_ = internalError("the server ignored the Range header (HTTP " + std::to_string(r.status) + ") for " +
                                   req_.bucket + "/" + req_.key);
      return false;
    } else {
      total = headerU64(r, "content-length");
    }
    ObjectMeta m = metaFromHeaders(r, req_.key);
    m.size = total;
    if (etag_.empty()) etag_ = m.etag;
    // Only a whole-object read can be checked: skip the CRC pass otherwise
    // (ranged parts are most of the bytes the engine fetches).
    crcWanted_ = req_.verifyCrc && req_.offset == 0 && m.crc64 && (!req_.length || *req_.length >= total);
    meta_ = std::move(m);
    uint64_t want = headerU64(r, "content-length");
    if (req_.dest != nullptr && received_ + want > req_.destCapacity) {
      abortStatus_ = invalidArgument("GetRequest.destCapacity " + std::to_string(req_.destCapacity) +
                                     " is smaller than the " + std::to_string(received_ + want) + " bytes of " +
                                     req_.bucket + "/" + req_.key + " from offset " + std::to_string(req_.offset));
      return false;
    }
    return true;
  }

  bool onBody(const char* data, size_t n) override {
    if (req_.dest != nullptr) {
      std::memcpy(req_.dest + received_, data, n);
    } else if (req_.sink) {
      Status s = req_.sink(std::string_view(data, n));
      if (!s.isOk()) {
        abortStatus_ = s;
        return false;
      }
    }
    if (crcWanted_) crc_ = crc64Update(crc_, data, n);
    received_ += n;
    attemptBytes_ += n;
    return true;
  }

  AttemptVerdict onSuccess(const HttpResponse& r) override {
    if (!started_) {
      // Empty body: headers only.
      if (!onResponseStart(r)) return {abortStatus_, false};
    }
    uint64_t contentLength = headerU64(r, "content-length");
    if (attemptBytes_ < contentLength) {
      return {unavailable("truncated body: " + std::to_string(attemptBytes_) + " of " + std::to_string(contentLength) +
                          " bytes"),
              true};
    }
    bool whole = req_.offset == 0 && received_ == meta_.size;
    if (whole && req_.verifyCrc && meta_.crc64) {
      if (*meta_.crc64 != crc_) {
        Status bad = corruption("CRC64 mismatch reading " + req_.bucket + "/" + req_.key + ": computed " +
                                std::to_string(crc_) + ", server says " + std::to_string(*meta_.crc64));
        if (req_.dest == nullptr) return {bad, false};  // already streamed to the sink
        received_ = 0;
        crc_ = 0;
        return {bad, true};
      }
      crcVerified_ = true;
    }
    return {};
  }

  void complete(Status status) override {
    if (!status.isOk()) {
      done_(status);
      return;
    }
    GetResult r;
    r.meta = meta_;
    r.bytesWritten = received_;
    r.crcVerified = crcVerified_;
    done_(std::move(r));
  }

 private:
  GetRequest req_;
  GetCallback done_;
  uint64_t received_ = 0;
  uint64_t attemptBytes_ = 0;
  uint64_t crc_ = 0;
  bool started_ = false;
  bool crcVerified_ = false;
  bool crcWanted_ = false;  // set per attempt in onResponseStart
  std::string etag_;
  ObjectMeta meta_;
};

AsyncHandle handleFor(const std::shared_ptr<Call>& call) {
  std::weak_ptr<Call> weak = call;
  return AsyncHandle([weak] {
    if (auto c = weak.lock()) c->cancel();
  });
}

class CurlObjectClient final : public ObjectClient {
 public:
  explicit CurlObjectClient(std::shared_ptr<ClientCore> core) : core_(std::move(core)) {}

  ~CurlObjectClient() override {
    core_->closing = true;
    // Stop all loops before destroying any: a callback running during the
    // drain may still post to another loop.
    for (auto& loop : core_->loops) loop->requestStop();
    for (auto& loop : core_->loops) loop->join();
    core_->loops.clear();
  }

  Result<ListPage> list(const ListRequest& request) override {
    if (request.maxKeys < 1 || request.maxKeys > 1000) {
      return invalidArgument("max-keys must be 1..1000, got " + std::to_string(request.maxKeys));
    }
    return runBlocking<ListPage>(
        core_, request.bucket, "", true,
        [request](SignableRequest& req, HttpRequest&) {
          req.method = "GET";
          req.query = {{"list-type", "2"}, {"max-keys", std::to_string(request.maxKeys)}, {"encoding-type", "url"}};
          if (!request.prefix.empty()) req.query.emplace_back("prefix", request.prefix);
          if (!request.delimiter.empty()) req.query.emplace_back("delimiter", request.delimiter);
          if (!request.continuationToken.empty())
            req.query.emplace_back("continuation-token", request.continuationToken);
          if (!request.startAfter.empty()) req.query.emplace_back("start-after", request.startAfter);
        },
        [](const HttpResponse&, const std::string& body) { return parseListObjectsV2(body); });
  }

  Result<ObjectMeta> head(const std::string& bucket, const std::string& key) override {
    return runBlocking<ObjectMeta>(
        core_, bucket, key, true, [](SignableRequest& req, HttpRequest&) { req.method = "HEAD"; },
        [key](const HttpResponse& r, const std::string&) -> Result<ObjectMeta> { return metaFromHeaders(r, key); });
  }

  AsyncHandle getAsync(GetRequest request, GetCallback callback) override {
    if (request.length && *request.length == 0) {
      auto loop = &core_->pickLoop();
      loop->post([callback] { callback(invalidArgument("GetRequest.length must be > 0 when set")); });
      return AsyncHandle();
    }
    auto call = std::make_shared<GetCall>(core_, std::move(request), std::move(callback));
    call->start();
    return handleFor(call);
  }

  Result<PutResult> put(const PutRequest& request) override {
    uint64_t crc = crc64(request.data, request.size);
    std::string what = "upload of " + request.bucket + "/" + request.key;
    return runBlocking<PutResult>(
        core_, request.bucket, request.key, true,
        [request](SignableRequest& req, HttpRequest& http) {
          req.method = "PUT";
          req.headers["Content-Type"] = request.contentType.empty() ? "application/octet-stream" : request.contentType;
          http.upload = request.data;
          http.uploadSize = request.size;
        },
        [crc, what](const HttpResponse& r, const std::string&) -> Result<PutResult> {
          OSSVP_RETURN_IF_ERROR(checkCrc(r, crc, what));
          return PutResult{r.header("etag"), parseCrc64Header(r.header("x-oss-hash-crc64ecma")).value_or(crc),
                           r.header("x-oss-request-id")};
        });
  }

  Result<std::string> initiateMultipart(const std::string& bucket, const std::string& key) override {
    // Retried like an idempotent request: a repeat can only leave an unused
    // upload behind (OSS lifecycle rules or abort clean those up).
    return runBlocking<std::string>(
        core_, bucket, key, true,
        [](SignableRequest& req, HttpRequest&) {
          req.method = "POST";
          req.query = {{"uploads", ""}};
          req.headers["Content-Type"] = "application/octet-stream";
        },
        [](const HttpResponse&, const std::string& body) { return parseInitiateMultipartUpload(body); });
  }

  AsyncHandle uploadPartAsync(UploadPartRequest request, PartCallback callback) override {
    uint64_t crc = crc64(request.data, request.size);
    std::string what = "part " + std::to_string(request.partNumber) + " of " + request.bucket + "/" + request.key;
    int number = request.partNumber;
    uint64_t size = request.size;
    auto call = startCall<PartResult>(
        core_, request.bucket, request.key, true,
        [request](SignableRequest& req, HttpRequest& http) {
          req.method = "PUT";
          req.query = {{"partNumber", std::to_string(request.partNumber)}, {"uploadId", request.uploadId}};
          req.headers["Content-Type"] = "application/octet-stream";
          http.upload = request.data;
          http.uploadSize = request.size;
        },
        [crc, what, number, size](const HttpResponse& r, const std::string&) -> Result<PartResult> {
          OSSVP_RETURN_IF_ERROR(checkCrc(r, crc, what));
          return PartResult{number, r.header("etag"), size, crc};
        },
        std::move(callback));
    return handleFor(call);
  }

  Result<PutResult> completeMultipart(const CompleteMultipartRequest& request) override {
    std::vector<PartResult> parts = request.parts;
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.partNumber < b.partNumber; });
    uint64_t combined = 0;
    for (const PartResult& p : parts) combined = crc64Combine(combined, p.crc64, p.size);
    auto xml = std::make_shared<std::string>(buildCompleteMultipartXml(parts));
    std::string uploadId = request.uploadId;
    std::string what = "multipart upload of " + request.bucket + "/" + request.key;
    // Retried on transient failures; if an earlier attempt did complete the
    // upload, the retry sees NoSuchUpload and the object's CRC decides.
    Result<PutResult> r = runBlocking<PutResult>(
        core_, request.bucket, request.key, true,
        [xml, uploadId](SignableRequest& req, HttpRequest& http) {
          req.method = "POST";
          req.query = {{"uploadId", uploadId}};
          req.headers["Content-Type"] = "application/xml";
          http.upload = xml->data();
          http.uploadSize = xml->size();
        },
        [combined, what](const HttpResponse& r, const std::string& body) -> Result<PutResult> {
          OSSVP_RETURN_IF_ERROR(checkCrc(r, combined, what));
          std::string etag = r.header("etag");
          if (etag.empty()) {
            auto parsed = parseCompleteMultipartUpload(body);
            if (parsed.isOk()) etag = *parsed;
          }
          return PutResult{etag, parseCrc64Header(r.header("x-oss-hash-crc64ecma")).value_or(combined),
                           r.header("x-oss-request-id")};
        });
    if (r.isOk() || r.status().serviceCode() != "NoSuchUpload") {
      return r;
    }
    auto meta = head(request.bucket, request.key);
    if (meta.isOk() && meta->crc64 == combined && meta->size == totalSize(parts)) {
      return PutResult{meta->etag, meta->crc64, ""};
    }
    return r;
  }

  static uint64_t totalSize(const std::vector<PartResult>& parts) {
    uint64_t n = 0;
    for (const auto& p : parts) n += p.size;
    return n;
  }

  Status abortMultipart(const std::string& bucket, const std::string& key, const std::string& uploadId) override {
    return runBlocking<bool>(
               core_, bucket, key, true,
               [uploadId](SignableRequest& req, HttpRequest&) {
                 req.method = "DELETE";
                 req.query = {{"uploadId", uploadId}};
               },
               [](const HttpResponse&, const std::string&) -> Result<bool> { return true; })
        .status();
  }

  Status deleteObject(const std::string& bucket, const std::string& key) override {
    Status s = runBlocking<bool>(
                   core_, bucket, key, true, [](SignableRequest& req, HttpRequest&) { req.method = "DELETE"; },
                   [](const HttpResponse&, const std::string&) -> Result<bool> { return true; })
                   .status();
    if (s.serviceCode() == "NoSuchKey") return Status::ok();
    return s;
  }

 private:
  std::shared_ptr<ClientCore> core_;
};

}  // namespace

Result<std::unique_ptr<ObjectClient>> makeCurlObjectClient(ClientOptions options,
                                                           std::shared_ptr<CredentialsProvider> credentials) {
  static std::once_flag curlInit;
  std::call_once(curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!credentials) return invalidArgument("makeCurlObjectClient: no credentials provider");
  OSSVP_ASSIGN_OR_RETURN(ClientOptions normalized, normalizeOptions(std::move(options)));
  auto core = std::make_shared<ClientCore>();
  core->options = std::move(normalized);
  core->credentials = std::move(credentials);
  int loops = core->options.ioThreads;
  int perLoop = std::max(1, core->options.maxConnections / loops);
  for (int i = 0; i < loops; ++i) core->loops.push_back(std::make_unique<HttpLoop>(core->options, perLoop));
  return std::unique_ptr<ObjectClient>(std::make_unique<CurlObjectClient>(std::move(core)));
}

}  // namespace ossvp::ossclient
