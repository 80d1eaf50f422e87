// The populator's top level. populate() is one run against any ObjectSource
// (tests use an in-memory one): completion marker -> list -> map keys ->
// resume decisions -> capacity check -> copy -> directory mtimes -> syncfs ->
// marker. runMain() is the whole program: config, logging, signals, the OSS
// client + credentials + read engine, progress reporting, termination log and
// the exit code (the contract is in populator/README.md).
//
// Thread-safety: populate() is called from one thread; `cancel` may be set
// from a signal handler.
#pragma once

#include <atomic>
#include <string>

#include "ossvp/populator/config.h"
#include "ossvp/populator/copier.h"
#include "ossvp/populator/object_source.h"
#include "ossvp/populator/progress.h"
#include "ossvp/populator/run_summary.h"

namespace ossvp::populator {

RunSummary populate(const PopulatorConfig& config, ObjectSource& source, ProgressTracker& progress,
                    const std::atomic<bool>* cancel);

// How populate() sets up its Copier for `config`: fixed or adaptive
// concurrency, read and segment sizes.
CopierOptions copierOptionsFor(const PopulatorConfig& config);

// The copy's concurrency for the end-of-copy log line, e.g. "concurrency
// settled at 64 (peak 128, adaptive 8..128 from 64; 0 cuts after read errors)".
std::string describeConcurrency(const CopyStats& stats, const CopierOptions& options);

int runMain(int argc, char** argv);

}  // namespace ossvp::populator
