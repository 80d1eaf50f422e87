#include "ossvp/controller/population_strategy.h"

namespace ossvp::controller {

kube::Object ossvpEventRef(const OssvpObject& source) {
  return {{"kind", std::string(kOssvpKind)},
          {"apiVersion", std::string(kOssvpApiVersion)},
          {"metadata",
           {{"name", source.name},
            {"namespace", source.ns},
            {"uid", source.uid},
            {"resourceVersion", source.resourceVersion}}}};
}

}  // namespace ossvp::controller
