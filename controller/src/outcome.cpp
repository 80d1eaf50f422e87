#include "ossvp/controller/outcome.h"

namespace ossvp::controller {

std::string Outcome::toString() const {
  switch (kind_) {
    case Kind::Done: return "Done";
    case Kind::RequeueAfter: return "RequeueAfter(" + std::to_string(delay_.count()) + "ms)";
    case Kind::Error: return "Error(" + status_.toString() + ")";
  }
  return "?";
}

}  // namespace ossvp::controller
