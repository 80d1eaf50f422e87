// kube-sim: a local Kubernetes API server + cluster actors for tests and demos.
// See hack/kube-sim/README.md.
#include "server/kube_sim_main.h"

int main(int argc, char** argv) { return ossvp::kubesim::kubeSimMain(argc, argv); }
