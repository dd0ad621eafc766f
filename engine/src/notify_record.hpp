#pragma once
// Which notifications an Application has had, kept in its annotation notified.gitmoor.dev (JSON: key → Unix time
// sent), so a restart sends none twice. A key is `<trigger>:<revision>:<service>:<recipient>`. Bounded: the newest
// kMaxNotified keys are kept (older revisions are not notified again: triggers only hold for the current one).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "gitmoor/core/object.hpp"
#include "notify_config.hpp"

namespace gitmoor::engine {

inline constexpr const char* kNotifiedAnnotation = "notified.gitmoor.dev";
inline constexpr std::size_t kMaxNotified = 200;  // ~20 KiB: far below the 256 KiB annotations allow

std::string notification_key(const std::string& trigger, const std::string& revision, const Recipient& to);

using NotifiedRecord = std::map<std::string, std::int64_t>;  // key → Unix seconds

// The record in `annotations` (an Application's metadata.annotations); empty when absent or not valid JSON.
NotifiedRecord read_notified(const core::Json& annotations);
// Drops the oldest keys beyond kMaxNotified.
void trim_notified(NotifiedRecord& record);
// The annotation's value: `record` as JSON, the oldest dropped beyond kMaxNotified.
std::string write_notified(NotifiedRecord record);

}  // namespace gitmoor::engine
