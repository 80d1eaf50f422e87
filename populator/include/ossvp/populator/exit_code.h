// The populator's exit codes (shared with the controller: ossvp/common/
// populator_contract.h) and the Failure value that carries one. The
// controller reads the exit code and the termination message of the
// populator Pod to decide whether a retry can help: the message's
// "retryable" (isRetryable()) wins over the controller's reading of the code.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "ossvp/common/populator_contract.h"
#include "ossvp/common/status.h"

namespace ossvp::populator {

using ExitCode = populator_contract::ExitCode;
using populator_contract::exitCodeName;
using populator_contract::isRetryable;

// Why a run stopped: exit code, a CamelCase reason (the OSS error code when
// there is one, e.g. "NoSuchBucket") and a message saying what to fix.
struct Failure {
  ExitCode code = ExitCode::Internal;
  std::string reason;
  std::string message;
};

// A Failure whose reason is the exit code's own name (exitCodeName).
Failure failureOf(ExitCode code, std::string message);

// Maps an error from the OSS side (ossclient/fusecore Status) to a Failure;
// its reason is the OSS error code (status.serviceCode()) when OSS answered,
// else the exit code's name.
Failure failureFromSourceStatus(const Status& status);

// Maps an error from the local volume (a TargetTree Status) to a Failure:
// ResourceExhausted (ENOSPC/EDQUOT) -> Capacity, Unavailable (the target's
// lock is held, target_lock.h) -> TargetBusy, everything else -> TargetError.
Failure failureFromTargetStatus(const Status& status);

}  // namespace ossvp::populator
