// BmcpfsStrategy: bmcpfs-dataflow mode. Once the prime PVC's PV exists (a
// CPFS for Lingjun fileset provisioned by bmcpfsplugin.csi.alibabacloud.com)
// it takes the file system id, fileset id and path from the PV's
// volumeAttributes, creates a data flow (oss://bucket + path -> the fileset's
// directory) and one Import task, tracks the task into
// status.bmcpfsDataflow.<pvc-uid> {dataFlowId, dataFlowTaskId, fileSetId,
// fileSystemId, progress}, and deletes the data flow when the task ends.
//
// Idempotency: both Create calls carry a ClientToken derived from the PVC uid
// (a retried call or a restarted controller gets the same ids back, never a
// second task), and the ids are kept in the status entry. The data flow is
// deleted once per PVC (success, failure or the PVC's deletion, whichever
// comes first; cleanup after that does not call the API again). At the
// per-file-system limit of 10 data flows it waits with an event. Imported
// bytes and failed imports are recorded in the Metrics it is given; time is
// read from its Clock.
//
// Thread-safety: internally synchronized.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/nas_client.h"
#include "ossvp/controller/population_strategy.h"
#include "ossvp/controller/status_writer.h"

namespace ossvp::controller {

// Makes the NAS client for an ossvp's region (the --cpfs-region flag wins
// when set), or an error saying what is missing (credentials ...).
using NasClientFactory = std::function<Result<std::shared_ptr<NasApi>>(const std::string& region)>;

// ClientTokens for the Create calls (<= 64 ASCII characters).
std::string dataFlowClientToken(const std::string& pvcUid);      // "ossvp-df-<uid>"
std::string dataFlowTaskClientToken(const std::string& pvcUid);  // "ossvp-task-<uid>"
// Percentage done from ProgressStats (bytes, else files); 100 only when Completed.
int dataFlowTaskPercent(const DataFlowTaskInfo& t);

class BmcpfsStrategy : public PopulationStrategy {
 public:
  // `metrics` and `clock` must outlive the strategy.
  BmcpfsStrategy(const kube::ObjectReader& reader, kube::EventRecorder& events, StatusWriter& status, Metrics& metrics,
                 NasClientFactory nas, std::chrono::milliseconds pollInterval = std::chrono::seconds(2),
                 int throughputOverrideMBps = 0, const Clock& clock = Clock::system());

  PopulatorMode mode() const override { return PopulatorMode::BmcpfsDataflow; }
  Status checkPrerequisites(const OssvpObject& source, const kube::Object& pvc) override;
  PopulationResult populate(const PopulationContext& ctx) override;
  Status cleanup(const std::string& pvcUid) override;

 private:
  struct Flow {  // what was created for one PVC
    std::string region, fsId, fsetId, dataFlowId, taskId;
  };
  PopulationResult track(const PopulationContext& ctx, NasApi& nas, Flow flow);
  PopulationResult fail(const PopulationContext& ctx, NasApi& nas, const Flow& flow, const std::string& msg);
  Status writeEntry(const PopulationContext& ctx, const Flow& flow, int percent);
  // The status edit recording `flow` at `percent` (owns its data: can be coalesced).
  static StatusWriter::Mutation entryMutation(const std::string& uid, const Flow& flow, int percent);
  // DeleteDataFlow at most once per PVC: ok when deleted now or earlier
  // (NotFound counts as deleted); the PVC is then remembered in deleted_.
  Status deleteFlowOnce(NasApi& nas, const Flow& flow, const std::string& pvcUid);
  std::optional<Flow> knownFlow(const std::string& pvcUid) const;

  const kube::ObjectReader& reader_;
  kube::EventRecorder& events_;
  StatusWriter& status_;
  Metrics& metrics_;
  NasClientFactory nas_;
  std::chrono::milliseconds poll_;
  int throughputOverride_;  // --cpfs-throughput-mbps: > 0 sends this Throughput whatever the file system
  const Clock& clock_;

  mutable std::mutex mu_;
  std::map<std::string, Flow> flows_;          // by pvc uid; guarded by mu_
  std::set<std::string> done_;                 // pvc uids whose import completed; guarded by mu_
  std::map<std::string, std::string> failed_;  // pvc uid -> message; guarded by mu_
  std::set<std::string> deleted_;              // pvc uids whose data flow is deleted; guarded by mu_
};

}  // namespace ossvp::controller
