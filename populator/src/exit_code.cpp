#include "ossvp/populator/exit_code.h"

namespace ossvp::populator {

Failure failureOf(ExitCode code, std::string message) {
  return Failure{code, std::string(exitCodeName(code)), std::move(message)};
}

Failure failureFromSourceStatus(const Status& status) {
  Failure f;
  f.message = status.message();
  switch (status.code()) {
    case StatusCode::PermissionDenied:
    case StatusCode::Unauthenticated:
      f.code = ExitCode::AuthFailed;
      f.message +=
          " (check the AccessKey Secret or the RRSA role: it needs oss:ListObjects and oss:GetObject on the bucket)";
      break;
    case StatusCode::NotFound: f.code = ExitCode::NotFound; break;
    case StatusCode::ResourceExhausted: f.code = ExitCode::Capacity; break;
    case StatusCode::Corruption: f.code = ExitCode::Integrity; break;
    case StatusCode::Unavailable:
    case StatusCode::Timeout: f.code = ExitCode::TransientExhausted; break;
    case StatusCode::InvalidArgument: f.code = ExitCode::BadConfig; break;
    case StatusCode::Cancelled: f.code = ExitCode::Cancelled; break;
    default: f.code = ExitCode::Internal; break;
  }
  f.reason = status.serviceCode().empty() ? std::string(exitCodeName(f.code)) : status.serviceCode();
  return f;
}

Failure failureFromTargetStatus(const Status& status) {
  Failure f;
  switch (status.code()) {
    case StatusCode::ResourceExhausted: f.code = ExitCode::Capacity; break;
    case StatusCode::Unavailable: f.code = ExitCode::TargetBusy; break;
    default: f.code = ExitCode::TargetError; break;
  }
  f.reason = std::string(exitCodeName(f.code));
  f.message = status.message();
  if (f.code == ExitCode::Capacity) f.message += ": the volume is full, request a larger PVC";
  return f;
}

}  // namespace ossvp::populator
