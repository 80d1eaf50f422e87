// Exit codes of ossvp-populator and the Failure value that carries one. The
// controller reads the exit code and the termination message of the
// populator Pod to decide whether a retry can help: the message's
// "retryable" (isRetryable()) wins over its own table of codes. Every code
// except TransientExhausted, Internal, TargetBusy and Cancelled is permanent
// for the same input.
// The table is documented in populator/README.md; keep both in sync.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "ossvp/common/status.h"

namespace ossvp::populator {

enum class ExitCode : int {
  Ok = 0,                  // every object copied and verified (or nothing left to do)
  Internal = 1,            // a bug or an unexpected local condition
  BadConfig = 2,           // flags/env missing or invalid, no credentials, target not a directory
  AuthFailed = 3,          // OSS/STS refused the credentials or the permission (403, 401)
  NotFound = 4,            // bucket missing, or nothing under the path
  Capacity = 5,            // the volume is too small (checked up front, or ENOSPC/EDQUOT later)
  Integrity = 6,           // a CRC64 mismatch persisted after retries
  TransientExhausted = 7,  // network / 5xx errors outlasted every retry: a new attempt may work
  InvalidKeys = 8,         // keys that cannot be files, with --strict-keys
  TargetError = 9,         // the volume cannot be written (EACCES, EROFS, EIO)
  TargetBusy = 10,         // another populator holds the volume's lock: a later attempt may work
  Cancelled = 143,         // SIGTERM/SIGINT: stopped cleanly, resumable
};

// A short CamelCase word for the exit code, e.g. "AuthFailed".
std::string_view exitCodeName(ExitCode code);

// Whether retrying with the same input may succeed (controller hint).
bool isRetryable(ExitCode code);

// Why a run stopped: exit code, a CamelCase reason (the OSS error code when
// there is one, e.g. "NoSuchBucket") and a message saying what to fix.
struct Failure {
  ExitCode code = ExitCode::Internal;
  std::string reason;
  std::string message;
};

// Maps an error from the OSS side (ossclient/fusecore Status) to a Failure.
Failure failureFromSourceStatus(const Status& status);

// Maps an error from the local volume (a TargetTree Status) to a Failure:
// ResourceExhausted (ENOSPC/EDQUOT) -> Capacity, Unavailable (the target's
// lock is held, target_lock.h) -> TargetBusy, everything else -> TargetError.
Failure failureFromTargetStatus(const Status& status);

}  // namespace ossvp::populator
