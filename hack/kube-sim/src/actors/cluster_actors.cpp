#include "actors/cluster_actors.h"

namespace ossvp::kubesim {

// Placeholder until the actors land: no actors run.
void startClusterActors(ClusterContext& /*ctx*/) {}
void stopClusterActors() {}

}  // namespace ossvp::kubesim
