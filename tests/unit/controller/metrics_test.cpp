// Metrics is an object, not a process-wide registry: each test's controller
// pieces record into the registry they are given, and the text exposition
// format of /metrics stays as documented in metrics.h.
#include <catch2/catch.hpp>

#include "ossvp/controller/metrics.h"
#include "ossvp/controller/testing/fake_clock.h"
#include "reconciler_world.h"

namespace ossvp::controller::testing {

TEST_CASE("metrics: the Prometheus text of a registry", "[controller][metrics]") {
  Metrics m;
  CHECK(m.render().empty());
  m.inc("ossvp_reconciles_total", metricLabels({{"result", "Done"}}));
  m.inc("ossvp_reconciles_total", metricLabels({{"result", "Done"}}), 2);
  m.observe("ossvp_time_to_bound_seconds", metricLabels({{"mode", "generic"}}), 7);
  m.setGauge("ossvp_leader", [] { return 1.0; });
  CHECK(m.render() ==
        "# HELP ossvp_reconciles_total Reconcile passes by outcome\n"
        "# TYPE ossvp_reconciles_total counter\n"
        "ossvp_reconciles_total{result=\"Done\"} 3\n"
        "# HELP ossvp_time_to_bound_seconds Time from PVC creation to Bound\n"
        "# TYPE ossvp_time_to_bound_seconds histogram\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"0.5\"} 0\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"1\"} 0\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"2.5\"} 0\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"5\"} 0\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"10\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"30\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"60\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"120\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"300\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"600\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"1800\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"3600\"} 1\n"
        "ossvp_time_to_bound_seconds_bucket{mode=\"generic\",le=\"+Inf\"} 1\n"
        "ossvp_time_to_bound_seconds_sum{mode=\"generic\"} 7\n"
        "ossvp_time_to_bound_seconds_count{mode=\"generic\"} 1\n"
        "# HELP ossvp_leader 1 while this replica is the leader\n"
        "# TYPE ossvp_leader gauge\n"
        "ossvp_leader 1\n");
}

TEST_CASE("metrics: a population is recorded in the reconciler's own registry, timed on its clock",
          "[controller][metrics]") {
  FakeClock clock;  // starts at the fake PVC's creationTimestamp, 2026-01-01T00:00:00Z
  World w(World::defaults(), clock);
  Metrics other;  // another registry sees nothing
  w.startPopulation();
  clock.advance(std::chrono::seconds(42));
  w.setPod("Succeeded", {{"bytesDone", 30}, {"bytesTotal", 30}}, 0);
  REQUIRE(w.reconcile().isDone());  // rebinds
  w.completeRebind();
  REQUIRE(w.reconcile().isDone());  // finished
  const std::string generic = metricLabels({{"mode", "generic"}});
  CHECK(w.metrics.counter("ossvp_bytes_populated_total", generic) == 30);
  const std::string text = w.metrics.render();
  CHECK_THAT(text, Catch::Contains("ossvp_time_to_bound_seconds_sum{mode=\"generic\"} 42\n"));
  CHECK_THAT(text,
             Catch::Contains("ossvp_population_duration_seconds_count{mode=\"generic\",result=\"Succeeded\"} 1\n"));
  CHECK(other.render().empty());
  CHECK(other.counter("ossvp_bytes_populated_total", generic) == 0);
}

}  // namespace ossvp::controller::testing
