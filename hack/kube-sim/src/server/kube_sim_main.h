// kubeSimMain: the whole kube-sim program (flag parsing, store, TLS material,
// API server, actors, kubeconfig) so that main.cpp stays a one-liner.
//
// Thread-safety: call once from main().
#pragma once

namespace ossvp::kubesim {

int kubeSimMain(int argc, char** argv);

}  // namespace ossvp::kubesim
