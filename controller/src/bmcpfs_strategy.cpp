#include "ossvp/controller/bmcpfs_strategy.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/names.h"

namespace ossvp::controller {

using kube::Object;
namespace res = kube::resources;

namespace {
const std::chrono::milliseconds kQuotaWait(std::chrono::seconds(10));
const char* kConflictPolicy = "OVERWRITE_EXISTING";  // the fileset is new and ours: OSS is the truth

std::string slashed(std::string p) {
  if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
  if (p.back() != '/') p += '/';
  return p;
}
}  // namespace

std::string dataFlowClientToken(const std::string& pvcUid) { return "ossvp-df-" + pvcUid; }
std::string dataFlowTaskClientToken(const std::string& pvcUid) { return "ossvp-task-" + pvcUid; }

int dataFlowTaskPercent(const DataFlowTaskInfo& t) {
  bool finished = t.status == "Completed";
  if (t.bytesTotal > 0) return progressPercent(t.bytesDone, t.bytesTotal, finished);
  return progressPercent(t.filesDone, t.filesTotal, finished);
}

BmcpfsStrategy::BmcpfsStrategy(const kube::ObjectReader& reader, kube::EventRecorder& events, StatusWriter& status,
                               Metrics& metrics, NasClientFactory nas, std::chrono::milliseconds pollInterval,
                               int throughputOverrideMBps, const Clock& clock)
    : reader_(reader),
      events_(events),
      status_(status),
      metrics_(metrics),
      nas_(std::move(nas)),
      poll_(pollInterval),
      throughputOverride_(throughputOverrideMBps),
      clock_(clock) {}

Status BmcpfsStrategy::checkPrerequisites(const OssvpObject& source, const Object&) {
  auto nas = nas_(source.spec.region);
  return nas.isOk() ? Status::ok() : nas.status();
}

std::optional<BmcpfsStrategy::Flow> BmcpfsStrategy::knownFlow(const std::string& pvcUid) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = flows_.find(pvcUid); it != flows_.end()) return it->second;
  }
  // A restarted controller: the ids are in the ossvp's status entry.
  for (const auto& obj : reader_.listCached(res::ossvps(), "")) {
    auto st = OssvpStatus::fromJson(obj->value("status", Object()));
    if (!st.isOk() || !st->bmcpfsDataflow.count(pvcUid)) continue;
    const auto& e = st->bmcpfsDataflow.at(pvcUid);
    Flow f{kube::stringAt(*obj, "/spec/region"), e.fileSystemId, e.fileSetId, e.dataFlowId, e.dataFlowTaskId};
    if (!f.fsId.empty() && !f.dataFlowId.empty()) return f;
  }
  return std::nullopt;
}

PopulationResult BmcpfsStrategy::populate(const PopulationContext& ctx) {
  const std::string uid = kube::uidOf(ctx.pvc);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_.count(uid)) return PopulationResult::succeeded();
    if (auto it = failed_.find(uid); it != failed_.end()) return PopulationResult::failed(it->second);
  }
  // Finished before a restart?
  if (auto obj = reader_.getCached(res::ossvps(), ctx.source.ns, ctx.source.name)) {
    auto st = OssvpStatus::fromJson(obj->value("status", Object()));
    if (st.isOk() && st->bmcpfsDataflow.count(uid) && st->bmcpfsDataflow.at(uid).progress == formatPercent(100)) {
      return PopulationResult::succeeded();
    }
  }
  auto nas = nas_(ctx.source.spec.region);
  if (!nas.isOk()) return PopulationResult::blocked(nas.status().message());

  if (auto known = knownFlow(uid); known && !known->taskId.empty()) return track(ctx, **nas, *known);

  // The fileset the bmcpfs provisioner made for the prime PVC.
  std::string pvName = kube::stringAt(ctx.primePvc, "/spec/volumeName");
  if (pvName.empty()) return PopulationResult::inProgress(poll_);
  auto pv = reader_.getCached(res::pvs(), "", pvName);
  if (!pv) return PopulationResult::inProgress(poll_);
  Flow flow;
  flow.region = ctx.source.spec.region;
  flow.fsId = kube::stringAt(*pv, "/spec/csi/volumeAttributes/bmcpfsId");
  flow.fsetId = kube::stringAt(*pv, "/spec/csi/volumeAttributes/csi.alibabacloud.com~1fileset-id");
  std::string fsPath = kube::stringAt(*pv, "/spec/csi/volumeAttributes/path");
  if (flow.fsId.empty() || fsPath.empty()) {
    std::string msg = "volume " + pvName + " of StorageClass " + kube::stringAt(ctx.pvc, "/spec/storageClassName") +
                      " is not a CPFS fileset (its PV has no bmcpfsId/path volumeAttributes): bmcpfs-dataflow "
                      "mode needs a class with provisioner bmcpfsplugin.csi.alibabacloud.com; use mode generic "
                      "for other classes";
    return fail(ctx, **nas, flow, msg);
  }

  const auto opts = ctx.source.spec.bmcpfsOptions();
  DataFlowSpec spec;
  spec.fileSystemId = flow.fsId;
  spec.sourceStorage = "oss://" + ctx.source.spec.bucket;
  spec.sourceStoragePath = slashed(ctx.source.spec.path);
  spec.fileSystemPath = slashed(fsPath);
  spec.sourceSecurityType = opts.sourceSecurityType;
  // CPFS for Lingjun takes neither Throughput nor FsetId; general-purpose CPFS needs both.
  bool lingjun = flow.fsId.rfind("bmcpfs-", 0) == 0;
  if (!lingjun) {
    spec.throughputMBps = opts.throughputMBps;
    spec.fsetId = flow.fsetId;
  }
  if (throughputOverride_ > 0) spec.throughputMBps = throughputOverride_;
  spec.clientToken = dataFlowClientToken(uid);
  auto df = (*nas)->createDataFlow(spec);
  if (!df.isOk()) {
    if (nasErrorIs(df.status(), "QuotaExceeded.DataFlow")) {
      events_.normal(ctx.pvc, reason::kDataFlowQuota,
                     "File system " + flow.fsId +
                         " already has the maximum of 10 data flows: waiting for one to finish before importing "
                         "oss://" +
                         ctx.source.spec.bucket + ctx.source.spec.path);
      return PopulationResult::inProgress(kQuotaWait);
    }
    if (df.status().code() == StatusCode::Unavailable) {
      logWarn("PVC {}/{}: {} (retrying)", kube::namespaceOf(ctx.pvc), kube::nameOf(ctx.pvc), df.status().message());
      return PopulationResult::inProgress(poll_);
    }
    return fail(ctx, **nas, flow,
                "cannot create the CPFS data flow from oss://" + ctx.source.spec.bucket + spec.sourceStoragePath +
                    " to " + flow.fsId + ":" + spec.fileSystemPath + ": " + df.status().message());
  }
  flow.dataFlowId = *df;
  {
    std::lock_guard<std::mutex> lock(mu_);
    flows_[uid] = flow;
  }
  auto dfStatus = (*nas)->dataFlowStatus(flow.fsId, flow.dataFlowId);
  if (!dfStatus.isOk() || *dfStatus != "Running") {  // real CPFS: Starting for 2-5 minutes
    (void)writeEntry(ctx, flow, 0);
    return PopulationResult::inProgress(poll_);
  }
  DataFlowTaskSpec task;
  task.fileSystemId = flow.fsId;
  task.dataFlowId = flow.dataFlowId;
  task.dataType = std::string(nasDataType(opts.dataType));
  task.conflictPolicy = kConflictPolicy;
  task.clientToken = dataFlowTaskClientToken(uid);
  auto taskId = (*nas)->createDataFlowTask(task);
  if (!taskId.isOk()) {
    if (taskId.status().code() == StatusCode::Unavailable) return PopulationResult::inProgress(poll_);
    return fail(ctx, **nas, flow,
                "cannot create the import task of data flow " + flow.dataFlowId + ": " + taskId.status().message());
  }
  flow.taskId = *taskId;
  ctx.observe(PopulationPhase::PodCreated);
  {
    std::lock_guard<std::mutex> lock(mu_);
    flows_[uid] = flow;
  }
  Status w = writeEntry(ctx, flow, 0);
  if (!w.isOk()) logWarn("cannot record data flow {} in the ossvp status: {}", flow.dataFlowId, w.message());
  std::string msg = "Created data flow " + flow.dataFlowId + " and " + std::string(dataTypeName(opts.dataType)) +
                    " import task " + flow.taskId + ": oss://" + ctx.source.spec.bucket + spec.sourceStoragePath +
                    " -> CPFS " + flow.fsId + " fileset " + flow.fsetId + " (" + spec.fileSystemPath + ")";
  events_.normal(ctx.pvc, reason::kCreated, msg);
  events_.normal(ossvpEventRef(ctx.source), reason::kCreated, msg);
  return track(ctx, **nas, flow);
}

PopulationResult BmcpfsStrategy::track(const PopulationContext& ctx, NasApi& nas, Flow flow) {
  const std::string uid = kube::uidOf(ctx.pvc);
  {
    std::lock_guard<std::mutex> lock(mu_);
    flows_[uid] = flow;
  }
  auto info = nas.describeDataFlowTask(flow.fsId, flow.taskId);
  if (!info.isOk()) {
    if (info.status().code() == StatusCode::NotFound) {
      return fail(ctx, nas, flow,
                  "the import task " + flow.taskId + " of data flow " + flow.dataFlowId +
                      " no longer exists (deleted outside the controller): re-create the PVC");
    }
    logWarn("describing data-flow task {}: {}", flow.taskId, info.status().message());
    return PopulationResult::inProgress(poll_);
  }
  if (info->status == "Failed") {
    return fail(ctx, nas, flow,
                "CPFS import task " + flow.taskId +
                    " failed: " + (info->errorMsg.empty() ? std::string("no ErrorMsg") : info->errorMsg));
  }
  if (info->status == "Canceled" || info->status == "Canceling") {
    return fail(ctx, nas, flow, "CPFS import task " + flow.taskId + " was cancelled outside the controller");
  }
  int percent = dataFlowTaskPercent(*info);
  if (info->status == "Executing") ctx.observe(PopulationPhase::PodRunning);
  if (info->status != "Completed") {  // progress: written together with the other PVCs' of this ossvp
    Status w = status_.updateCoalesced(ctx.source.ns, ctx.source.name, entryMutation(uid, flow, percent));
    if (!w.isOk()) logWarn("cannot update progress of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
    return PopulationResult::inProgress(poll_);
  }
  ctx.observe(PopulationPhase::PodFinished);
  Status w = writeEntry(ctx, flow, percent);
  if (!w.isOk()) {  // 100% must be recorded first
    logWarn("cannot update progress of ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
    return PopulationResult::inProgress(poll_);
  }
  Status d = deleteFlowOnce(nas, flow, uid);
  if (!d.isOk()) {
    logWarn("deleting data flow {}: {} (retrying)", flow.dataFlowId, d.message());
    return PopulationResult::inProgress(poll_);
  }
  logInfo("import task {} completed (PVC uid {})", flow.taskId, uid);
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_.insert(uid);
  }
  metrics_.inc("ossvp_bytes_populated_total", metricLabels({{"mode", "bmcpfs-dataflow"}}),
               static_cast<double>(info->actualBytes));
  events_.normal(ctx.pvc, reason::kSucceededCopy,
                 "CPFS import task " + flow.taskId + " completed (" + std::to_string(info->filesDone) + " files, " +
                     std::to_string(info->bytesDone) + " bytes); data flow " + flow.dataFlowId + " deleted");
  return PopulationResult::succeeded();
}

PopulationResult BmcpfsStrategy::fail(const PopulationContext& ctx, NasApi& nas, const Flow& flow,
                                      const std::string& msg) {
  const std::string uid = kube::uidOf(ctx.pvc);
  if (!flow.dataFlowId.empty()) {
    Status d = deleteFlowOnce(nas, flow, uid);
    if (!d.isOk()) logWarn("deleting data flow {}: {}", flow.dataFlowId, d.message());
  }
  std::string full = msg + " (fix the cause, then delete and re-create the PVC)";
  events_.warning(ctx.pvc, reason::kFailed, full);
  events_.warning(ossvpEventRef(ctx.source), reason::kFailed,
                  "PVC " + kube::namespaceOf(ctx.pvc) + "/" + kube::nameOf(ctx.pvc) + ": " + full);
  const Clock::TimePoint now = clock_.now();
  Status w = status_.update(ctx.source.ns, ctx.source.name, [&](OssvpStatus& st, const Object&) {
    GenericPvcEntry& e = st.generic[uid];
    e.ns = kube::namespaceOf(ctx.pvc);
    e.name = kube::nameOf(ctx.pvc);
    e.phase = std::string(kPvcPhaseFailed);
    e.lastError = full;
    e.completionTime = kube::formatRfc3339(now);
    return true;
  });
  if (!w.isOk()) logWarn("cannot record the failure in ossvp {}/{}: {}", ctx.source.ns, ctx.source.name, w.message());
  metrics_.observe(
      "ossvp_population_duration_seconds", metricLabels({{"mode", "bmcpfs-dataflow"}, {"result", "Failed"}}),
      std::chrono::duration<double>(
          now - parseRfc3339(kube::stringAt(ctx.pvc, "/metadata/creationTimestamp")).value_or(Clock::TimePoint{}))
          .count());
  std::lock_guard<std::mutex> lock(mu_);
  failed_[uid] = full;
  return PopulationResult::failed(full);
}

Status BmcpfsStrategy::writeEntry(const PopulationContext& ctx, const Flow& flow, int percent) {
  return status_.update(ctx.source.ns, ctx.source.name, entryMutation(kube::uidOf(ctx.pvc), flow, percent));
}

StatusWriter::Mutation BmcpfsStrategy::entryMutation(const std::string& uid, const Flow& flow, int percent) {
  return [uid, flow, percent](OssvpStatus& st, const Object&) {
    auto it = st.bmcpfsDataflow.find(uid);
    const Object before = it == st.bmcpfsDataflow.end() ? Object() : it->second.toJson();
    BmcpfsDataflowEntry& e = st.bmcpfsDataflow[uid];
    e.dataFlowId = flow.dataFlowId;
    e.dataFlowTaskId = flow.taskId;
    e.fileSetId = flow.fsetId;
    e.fileSystemId = flow.fsId;
    e.progress = monotonicProgress(e.progress, percent);
    return e.toJson() != before;
  };
}

Status BmcpfsStrategy::deleteFlowOnce(NasApi& nas, const Flow& flow, const std::string& pvcUid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (deleted_.count(pvcUid)) return Status::ok();
  }
  Status d = nas.deleteDataFlow(flow.fsId, flow.dataFlowId);
  if (!d.isOk() && d.code() != StatusCode::NotFound) return d;
  if (d.isOk()) logInfo("deleted data flow {} of file system {} (PVC uid {})", flow.dataFlowId, flow.fsId, pvcUid);
  std::lock_guard<std::mutex> lock(mu_);
  deleted_.insert(pvcUid);
  return Status::ok();
}

Status BmcpfsStrategy::cleanup(const std::string& pvcUid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (deleted_.count(pvcUid)) return Status::ok();  // the task ended before its data flow was deleted
  }
  auto flow = knownFlow(pvcUid);
  if (!flow) return Status::ok();
  auto nas = nas_(flow->region);
  if (!nas.isOk()) return nas.status();
  if (!flow->taskId.empty()) {
    auto info = (*nas)->describeDataFlowTask(flow->fsId, flow->taskId);
    if (info.isOk() && !info->terminal()) {
      Status c = (*nas)->cancelDataFlowTask(flow->fsId, flow->dataFlowId, flow->taskId);
      if (c.isOk())
        logInfo("cancelled data-flow task {} (PVC uid {})", flow->taskId, pvcUid);
      else
        logWarn("cancelling data-flow task {}: {}", flow->taskId, c.message());
    }
  }
  OSSVP_RETURN_IF_ERROR(deleteFlowOnce(**nas, *flow, pvcUid));
  std::lock_guard<std::mutex> lock(mu_);
  flows_.erase(pvcUid);
  return Status::ok();
}

}  // namespace ossvp::controller
