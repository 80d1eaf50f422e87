#include "ossvp/controller/names.h"

namespace ossvp::controller {

std::string primePvcName(std::string_view pvcUid) { return "prime-" + std::string(pvcUid); }
std::string populatorPodName(std::string_view pvcUid) { return "populate-" + std::string(pvcUid); }

}  // namespace ossvp::controller
