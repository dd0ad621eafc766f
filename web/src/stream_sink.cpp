// See stream_sink.hpp.
#include "stream_sink.hpp"

namespace gitmoor::web {

BoundedStreamSink::BoundedStreamSink(std::size_t max_bytes, std::function<void()> wake)
    : max_bytes_(max_bytes), wake_(std::move(wake)) {}

bool BoundedStreamSink::push(std::string chunk) {
  bool wake = false;
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (failed_ || closed_) return false;
    // A chunk into an empty queue is always taken (an initial snapshot may be larger than the bound): what one
    // client costs is at most max(max_bytes, its largest chunk), and the writer empties the queue as it writes.
    if (!queued_.empty() && queued_.size() + chunk.size() > max_bytes_) {
      // The client has not taken what is queued: it stopped reading (or reads too slowly). Drop it.
      failed_ = overflowed_ = true;
      queued_.clear();
      queued_.shrink_to_fit();
      wake = true;
    } else {
      wake = queued_.empty();  // otherwise the writer has been woken for the data already queued
      queued_ += chunk;
      accepted = true;
    }
  }
  if (wake && wake_) wake_();
  return accepted;
}

void BoundedStreamSink::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || failed_) return;
    closed_ = true;
  }
  if (wake_) wake_();
}

BoundedStreamSink::Batch BoundedStreamSink::take() {
  std::lock_guard lock(mutex_);
  Batch batch;
  batch.failed = failed_;
  if (failed_) return batch;
  batch.data.swap(queued_);
  batch.closed = closed_;
  return batch;
}

void BoundedStreamSink::fail() {
  {
    std::lock_guard lock(mutex_);
    if (failed_) return;
    failed_ = true;
    queued_.clear();
    queued_.shrink_to_fit();
  }
  if (wake_) wake_();
}

bool BoundedStreamSink::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

bool BoundedStreamSink::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

}  // namespace gitmoor::web
