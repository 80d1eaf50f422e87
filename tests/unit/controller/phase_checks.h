// checkPhaseDurations: the assertion the phase-timeline tests share — each
// listed interval of ossvp_phase_duration_seconds{mode} (named by the phase
// it ends at) was observed exactly once, lasting the listed seconds. One
// Catch2 section per interval, named after it.
#pragma once

#include <catch2/catch.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "ossvp/controller/metrics.h"
#include "ossvp/controller/phase_timeline.h"

namespace ossvp::controller::testing {

inline void checkPhaseDurations(const Metrics& m, std::string_view mode,
                                const std::vector<std::pair<PopulationPhase, double>>& expected) {
  for (const auto& [to, seconds] : expected) {
    DYNAMIC_SECTION(phaseIntervalName(to)) {
      auto r = m.histogram(std::string(kPhaseDurationMetric), phaseMetricLabels(mode, to));
      CHECK(r.count == 1);
      CHECK(r.sum == Approx(seconds).margin(1e-9));
    }
  }
}

}  // namespace ossvp::controller::testing
