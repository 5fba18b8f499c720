// brook/testing.h over the consumer's TEST_ hooks and the group
// coordinator. The engine's core is reached through a consumer it creates
// (Engine exposes no internals).
#include "brook/testing.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "client/test_hooks.h"
#include "consumer/consumer_impl.h"
#include "core/core.h"
#include "group/coordinator.h"
#include "util/status_macros.h"

namespace brook {
namespace testing {
namespace {

absl::StatusOr<ConsumerImpl*> Impl(Consumer& consumer) {
  auto* impl = dynamic_cast<ConsumerImpl*>(&consumer);
  if (impl == nullptr) {
    return Error(ErrorCode::kIllegalState,
                 "brook::testing hooks need a consumer created by an Engine");
  }
  return impl;
}

// Every backend's consumer implements the hooks (some as Unsupported).
absl::StatusOr<ConsumerTestHooks*> Hooks(Consumer& consumer) {
  auto* hooks = dynamic_cast<ConsumerTestHooks*>(&consumer);
  if (hooks == nullptr) {
    return Error(ErrorCode::kIllegalState,
                 "brook::testing hooks need a consumer created by a brook "
                 "Client");
  }
  return hooks;
}

}  // namespace

absl::Status CrashConsumer(Consumer& consumer) {
  BROOK_ASSIGN_OR_RETURN(ConsumerTestHooks * hooks, Hooks(consumer));
  return hooks->TEST_Crash();
}

absl::Status FreezeConsumer(Consumer& consumer) {
  BROOK_ASSIGN_OR_RETURN(ConsumerTestHooks * hooks, Hooks(consumer));
  return hooks->TEST_Freeze();
}

absl::Status ThawConsumer(Consumer& consumer) {
  BROOK_ASSIGN_OR_RETURN(ConsumerTestHooks * hooks, Hooks(consumer));
  return hooks->TEST_Thaw();
}

ProducerOptions ProducerOptionsForTests() {
  ProducerOptions o;
  o.linger = absl::ZeroDuration();
  return o;
}

namespace {

absl::Status GroupTimeout(absl::string_view group_id, int members,
                          absl::Duration real_timeout,
                          const std::string& last) {
  return Error(ErrorCode::kTimeout,
               absl::StrCat("group ", group_id, " did not become Stable with ",
                            members, " members within ",
                            absl::FormatDuration(real_timeout),
                            "; last seen: ", last));
}

// The embedded engine: asks its coordinator, which also runs the group's
// timers on the engine's clock and knows who collected the assignment.
absl::Status AwaitEmbedded(Engine& engine, absl::string_view group_id,
                           int members, absl::Duration real_timeout) {
  // A consumer with an explicit client id and no group: creating it has no
  // effect on the engine (not even on the "consumer-N" numbering).
  ConsumerOptions options;
  options.client_id = "brook-testing-await";
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<Consumer> probe,
                         engine.CreateConsumer(options));
  BROOK_ASSIGN_OR_RETURN(ConsumerImpl * impl, Impl(*probe));
  GroupCoordinator& gc = impl->TEST_core()->coordinator();
  const absl::Time deadline = absl::Now() + real_timeout;
  std::string last = "unknown group";
  for (;;) {
    gc.CheckDeadlines(group_id);
    int32_t uncollected = 0;
    std::optional<ConsumerGroupDescription> d =
        gc.Describe(group_id, &uncollected);
    if (d) {
      if (d->state == ConsumerGroupState::kStable &&
          static_cast<int>(d->members.size()) == members && uncollected == 0) {
        return absl::OkStatus();
      }
      last = absl::StrCat(ConsumerGroupStateName(d->state), " with ",
                          d->members.size(), " members (", uncollected,
                          " not yet collected their assignment), generation ",
                          d->generation.value_or(-1));
    }
    if (absl::Now() >= deadline) {
      return GroupTimeout(group_id, members, real_timeout, last);
    }
    // Members make progress on their own threads; check again shortly.
    absl::SleepFor(absl::Milliseconds(1));
  }
}

// Any other backend: what the Admin describes.
absl::Status AwaitDescribed(Client& client, absl::string_view group_id,
                            int members, absl::Duration real_timeout) {
  const absl::Time deadline = absl::Now() + real_timeout;
  std::string last = "unknown group";
  for (;;) {
    absl::StatusOr<ConsumerGroupDescription> d =
        client.admin().DescribeGroup(group_id);
    if (d.ok()) {
      if (d->state == ConsumerGroupState::kStable &&
          static_cast<int>(d->members.size()) == members) {
        return absl::OkStatus();
      }
      last = absl::StrCat(ConsumerGroupStateName(d->state), " with ",
                          d->members.size(), " members");
    } else {
      last = d.status().ToString();
    }
    if (absl::Now() >= deadline) {
      return GroupTimeout(group_id, members, real_timeout, last);
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

absl::Status AwaitGroupStable(Client& client, absl::string_view group_id,
                              int members, absl::Duration real_timeout) {
  if (auto* engine = dynamic_cast<Engine*>(&client)) {
    return AwaitEmbedded(*engine, group_id, members, real_timeout);
  }
  return AwaitDescribed(client, group_id, members, real_timeout);
}

}  // namespace testing
}  // namespace brook
