#include "ossvp/ossemu/emulator.h"

#include <ctime>
#include <map>

#include "ossvp/common/log.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossemu/nas_service.h"
#include "ossvp/ossemu/oss_error.h"

namespace ossvp::ossemu {

Emulator::Emulator(const EmulatorOptions& o) : opt_(o), faults_(o.rngSeed) {}
Emulator::~Emulator() = default;

Result<std::unique_ptr<Emulator>> Emulator::create(const EmulatorOptions& options) {
  std::unique_ptr<Emulator> e(new Emulator(options));
  if (!options.inMemory && options.dataDir.empty()) {
    return invalidArgument("oss-emulator: --data-dir is required unless --in-memory is given");
  }
  StorageOptions so{options.dataDir, options.inMemory, options.region, options.etagDigest};
  OSSVP_ASSIGN_OR_RETURN(e->storage_, Storage::open(so));
  for (const auto& [bucket, dir] : options.seeds) OSSVP_RETURN_IF_ERROR(e->storage_->seed(bucket, dir));
  registerSecret(options.secretKey);
  e->creds_.add(StoredCredential{options.accessKey, options.secretKey, "", 0});
  e->auth_ = std::make_unique<Authenticator>(e->creds_, AuthOptions{options.allowAnonymous, 15 * 60});
  e->oss_ = std::make_unique<OssService>(*e->storage_, options.region);
  e->sts_ = std::make_unique<StsService>(e->creds_, options.sts);
  e->nas_ = std::make_unique<NasService>(*e->storage_, e->creds_, options.cpfsRoot);
  e->faults_.setDefault(options.faults);
  return e;
}

void Emulator::handle(const HttpRequest& req, BodySource& body, HttpResponse* resp, FaultPlan* plan, std::string* op) {
  *plan = FaultPlan{};
  if (req.rawPath.rfind("/-/", 0) == 0) return handleControl(req, body, resp, op);
  bool rpc = req.rawPath == "/" &&
             (req.hasQuery("Action") ||
              (req.method == "POST" &&
               toLower(req.headerOr("content-type")).rfind("application/x-www-form-urlencoded", 0) == 0));
  if (rpc) return handleRpc(req, body, resp, op);

  OssCall call = oss_->classify(req);
  call.requestId = newRequestId();
  *op = call.operation;
  *plan = faults_.plan(*op);
  body.limitRate(plan->bandwidthBytesPerSec);  // the link caps uploads as it caps downloads
  if (plan->errorStatus != 0) {
    OssError e = makeOssError(plan->errorStatus == 500 ? "InternalError" : "SlowDown");
    renderOssError(e, call.requestId, call.hostId, req.method == "HEAD", resp);
    return;
  }
  std::string ak;
  Status st = auth_->verify(req, call.target, std::time(nullptr), &ak);
  if (!st.isOk()) {
    OssError e = ossErrorFromStatus(st);
    if (e.code == "InvalidAccessKeyId") e.extra.emplace_back("OSSAccessKeyId", ak);
    renderOssError(e, call.requestId, call.hostId, req.method == "HEAD", resp);
    return;
  }
  oss_->execute(req, call, body, resp);
}

void Emulator::handleControl(const HttpRequest& req, BodySource& body, HttpResponse* resp, std::string* op) {
  resp->setHeader("Content-Type", "application/json");
  if (req.rawPath == "/-/health") {
    *op = "Health";
    resp->body = R"({"status":"ok"})";
  } else if (req.rawPath == "/-/stats") {
    *op = "Stats";
    if (req.method == "DELETE" || req.hasQuery("reset")) stats_.clear();
    resp->body = stats_.toJson().dump();
  } else if (req.rawPath == "/-/admin") {
    *op = "Admin";
    if (req.method == "POST" || req.method == "PUT") {
      auto text = readAll(body, 1 << 20);
      nlohmann::json j;
      Status st = text.status();
      if (st.isOk()) {
        try {
          j = nlohmann::json::parse(*text);
        } catch (const std::exception& e) {
          st = invalidArgument(std::string("admin: body is not JSON: ") + e.what());
        }
      }
      if (st.isOk()) st = faults_.applyJson(j);
      if (!st.isOk()) {
        resp->status = 400;
        resp->body = nlohmann::json{{"error", st.message()}}.dump();
        return;
      }
    }
    resp->body = faults_.toJson().dump();
  } else {
    *op = "Control";
    resp->status = 404;
    resp->body = R"({"error":"unknown control endpoint; use /-/admin, /-/stats or /-/health"})";
  }
}

void Emulator::handleRpc(const HttpRequest& req, BodySource& body, HttpResponse* resp, std::string* op) {
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : req.query) params[k] = v;
  std::string requestId = newRequestId();
  auto text = readAll(body, 1 << 20);
  if (!text.isOk()) {
    *op = "RPC";
    return renderRpcError(400, "InvalidParameter", "request body is malformed", requestId, "", resp);
  }
  // Form body: '+' is a space there.
  if (!text->empty()) {
    size_t pos = 0;
    while (pos <= text->size()) {
      size_t amp = text->find('&', pos);
      if (amp == std::string::npos) amp = text->size();
      std::string part = text->substr(pos, amp - pos);
      size_t eq = part.find('=');
      if (!part.empty()) {
        params[percentDecode(part.substr(0, eq), true)] =
            eq == std::string::npos ? "" : percentDecode(part.substr(eq + 1), true);
      }
      pos = amp + 1;
    }
  }
  std::string action = params["Action"];
  *op = action.empty() ? "RPC" : action;
  if (action == "AssumeRoleWithOIDC") {
    return sts_->assumeRoleWithOidc(params, requestId, std::time(nullptr), resp);
  }
  if (NasService::handles(action)) return nas_->handle(req, params, requestId, std::time(nullptr), resp);
  renderRpcError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.",
                 requestId, req.headerOr("host"), resp);
}

}  // namespace ossvp::ossemu
