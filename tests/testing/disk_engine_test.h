// A fixture for tests of what an on-disk engine keeps: a fresh data
// directory, an engine on a ManualClock (the log cleaner's check every
// kCheckInterval of it), one producer that writes at once, and a Reopen
// that closes both and opens the directory again.
#ifndef BROOK_TESTS_TESTING_DISK_ENGINE_TEST_H_
#define BROOK_TESTS_TESTING_DISK_ENGINE_TEST_H_

#include <memory>

#include "absl/time/time.h"
#include "brook/brook.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {

class DiskEngineTest : public ::testing::Test {
 protected:
  static constexpr absl::Duration kCheckInterval = absl::Minutes(5);

  void SetUp() override { Open(); }

  void TearDown() override {
    if (producer_ != nullptr) {
      EXPECT_OK(producer_->Close());
    }
    if (engine_ != nullptr) {
      EXPECT_OK(engine_->Close());
    }
  }

  void Open() {
    EngineOptions o;
    o.clock = &clock_;
    o.log_retention_check_interval = kCheckInterval;
    auto engine = Engine::Open(o, tmp_.Sub("data"));
    ASSERT_OK(engine);
    engine_ = *std::move(engine);
    ProducerOptions p;
    p.linger = absl::ZeroDuration();  // linger.ms would wait on the clock.
    auto producer = engine_->CreateProducer(p);
    ASSERT_OK(producer);
    producer_ = *std::move(producer);
  }

  void Reopen() {
    ASSERT_OK(producer_->Close());
    ASSERT_OK(engine_->Close());
    producer_.reset();
    engine_.reset();
    Open();
  }

  ManualClock clock_;
  TempDir tmp_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
};

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_DISK_ENGINE_TEST_H_
