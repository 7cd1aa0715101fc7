// Local executor: one thread per running job runs the job's commands one
// after another, each as `/bin/sh -c CMD` in a process group of its own, and
// forwards the command's stdout and stderr to the sink line by line.
//
// A process group per command lets CancelAll stop everything a command
// started (pipelines, background children) with one kill(-pgid), and keeps
// the terminal's Ctrl-C away from the children: the engine handles SIGINT
// and cancels through us, so stages can be ended in order, not torn down.
//
// The shell is not reaped until the command is over (its output closed and
// its group dealt with): a zombie leader keeps its pid, and so the group id,
// reserved, so a kill(-pgid) can never hit an unrelated group that reused
// the number.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "core/error.h"
#include "core/subprocess.h"
#include "pipeline/executor.h"
#include "pipeline/job_output.h"

extern char** environ;

namespace leanops {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a process group has between SIGTERM and SIGKILL.
constexpr auto kTermGrace = std::chrono::seconds(5);
// How often a job's thread checks for its shell's exit and for deadlines
// while it waits for output. waitid() cannot be polled together with the
// pipes without pidfds, which older kernels (RHEL 8's 4.18) lack.
constexpr int kTickMs = 50;
// How long output is still read after the group got SIGKILL. Only a process
// that left the group (setsid) can hold it open that long; it is not ours to
// wait for.
constexpr auto kDrainAfterKill = std::chrono::seconds(1);

// One submitted job: its thread, and what CancelAll needs to reach it.
struct LocalJob {
  StageJob spec;
  std::thread thread;

  std::mutex mutex;  // guards the three fields below
  bool cancelled = false;
  pid_t leader = 0;  // the running command's shell (= its group id) until reaped
  std::optional<SteadyClock::time_point> term_sent;  // when CancelAll sent SIGTERM

  JobResult result;  // written by the job's thread before it is reported finished
};

// How one command ended.
struct CommandEnd {
  bool started = false;
  std::string error;  // why it could not be started
  int exit_code = 0;
  int signal = 0;
};

class FdCloser {
 public:
  explicit FdCloser(std::array<int, 4>& fds) : fds_(fds) {}
  ~FdCloser() {
    for (int& fd : fds_) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }

 private:
  std::array<int, 4>& fds_;
};

class LocalExecutor final : public Executor {
 public:
  explicit LocalExecutor(OutputSink& sink) : sink_(sink) {}
  ~LocalExecutor() override;

  bool chains() const override { return false; }
  void Submit(const StageJob& job) override;
  std::optional<JobResult> WaitAny(std::chrono::milliseconds timeout) override;
  size_t outstanding() const override;
  void CancelAll() override;

 private:
  void RunJob(LocalJob& job);
  CommandEnd RunCommand(LocalJob& job, const std::string& command);

  SerialSink sink_;
  mutable std::mutex mutex_;  // guards jobs_ and finished_
  std::condition_variable changed_;
  std::list<std::unique_ptr<LocalJob>> jobs_;  // submitted and not yet reported
  std::deque<LocalJob*> finished_;             // of jobs_, in the order they ended
};

LocalExecutor::~LocalExecutor() {
  CancelAll();
  std::list<std::unique_ptr<LocalJob>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs.swap(jobs_);
    finished_.clear();
  }
  for (auto& job : jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
}

void LocalExecutor::Submit(const StageJob& spec) {
  auto job = std::make_unique<LocalJob>();
  job->spec = spec;
  LocalJob* raw = job.get();
  std::lock_guard<std::mutex> lock(mutex_);
  jobs_.push_back(std::move(job));
  try {
    raw->thread = std::thread([this, raw] { RunJob(*raw); });
  } catch (const std::system_error& e) {
    jobs_.pop_back();
    ThrowIO("cannot start a thread for stage '{}': {}", spec.name, e.what());
  }
}

std::optional<JobResult> LocalExecutor::WaitAny(std::chrono::milliseconds timeout) {
  std::unique_ptr<LocalJob> done;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !finished_.empty() || jobs_.empty(); }))
      return std::nullopt;
    if (finished_.empty()) return std::nullopt;  // nothing outstanding
    LocalJob* job = finished_.front();
    finished_.pop_front();
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (it->get() == job) {
        done = std::move(*it);
        jobs_.erase(it);
        break;
      }
    }
  }
  // The thread has published its result and is only returning.
  done->thread.join();
  return std::move(done->result);
}

size_t LocalExecutor::outstanding() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return jobs_.size();
}

void LocalExecutor::CancelAll() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (auto& job : jobs_) {
    std::lock_guard<std::mutex> job_lock(job->mutex);
    job->cancelled = true;  // a job between two commands starts no further one
    if (job->leader != 0 && !job->term_sent) {
      ::kill(-job->leader, SIGTERM);
      job->term_sent = SteadyClock::now();
    }
  }
  // Each job's thread escalates to SIGKILL after kTermGrace; the margin
  // covers its tick and the kernel's work of tearing processes down.
  auto all_ended = [&] { return finished_.size() == jobs_.size(); };
  changed_.wait_for(lock, kTermGrace + std::chrono::seconds(5), all_ended);
}

void LocalExecutor::RunJob(LocalJob& job) {
  JobResult result;
  result.name = job.spec.name;
  result.ok = true;
  for (const std::string& command : job.spec.commands) {
    CommandEnd end = RunCommand(job, command);
    if (!end.started) {
      result.ok = false;
      result.exit_code = -1;
      result.message = end.error;
      break;
    }
    result = CommandResult(job.spec.name, end.exit_code, end.signal);
    if (!result.ok) break;
  }
  {
    std::lock_guard<std::mutex> job_lock(job.mutex);
    if (job.cancelled) {
      result.ok = false;
      result.message = "cancelled";
    }
  }
  job.result = std::move(result);
  std::lock_guard<std::mutex> lock(mutex_);
  finished_.push_back(&job);
  changed_.notify_all();
}

CommandEnd LocalExecutor::RunCommand(LocalJob& job, const std::string& command) {
  CommandEnd end;
  // out read, out write, err read, err write
  std::array<int, 4> fds = {-1, -1, -1, -1};
  FdCloser closer(fds);
  if (::pipe2(&fds[0], O_CLOEXEC) != 0 || ::pipe2(&fds[2], O_CLOEXEC) != 0) {
    end.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return end;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, job.spec.wdir.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[3], 2);
  // Descriptors other code in this process opened without O_CLOEXEC must
  // not leak into the stage (a leaked pipe end would also keep another
  // job's output open).
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // The engine handles SIGINT/SIGTERM and may block signals in its
  // threads; the stage's commands get the defaults.
  posix_spawnattr_t attr;
  InitChildSpawnAttributes(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::string sh = "sh";
  std::string dash_c = "-c";
  char* argv[] = {sh.data(), dash_c.data(), const_cast<char*>(command.c_str()), nullptr};

  pid_t pid = 0;
  int rc;
  {
    // Under the job's mutex, so CancelAll either stops the job before this
    // command or finds its group to signal.
    std::lock_guard<std::mutex> job_lock(job.mutex);
    if (job.cancelled) {
      rc = ECANCELED;
    } else {
      rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
      if (rc == 0) job.leader = pid;
    }
  }
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  ::close(fds[3]);
  fds[1] = fds[3] = -1;
  if (rc != 0) {
    end.error = rc == ECANCELED
                    ? "cancelled"
                    : "cannot run /bin/sh in '" + job.spec.wdir + "': " + std::strerror(rc);
    return end;
  }
  end.started = true;

  std::array<pollfd, 2> polls = {pollfd{fds[0], POLLIN, 0}, pollfd{fds[2], POLLIN, 0}};
  std::array<LineBuffer, 2> lines;
  int open_pipes = 2;
  bool exited = false;
  std::optional<SteadyClock::time_point> term_sent;
  std::optional<SteadyClock::time_point> killed;
  // With the pipes closed, the shell is usually exiting right now: check
  // again soon, then back off to the tick.
  int idle_wait_ms = 1;
  char buffer[65536];
  while (!exited || open_pipes > 0) {
    int wait_ms = kTickMs;
    if (open_pipes == 0) {
      wait_ms = idle_wait_ms;
      idle_wait_ms = std::min(idle_wait_ms * 2, kTickMs);
    }
    int ready = ::poll(polls.data(), polls.size(), wait_ms);
    for (size_t i = 0; ready > 0 && i < polls.size(); ++i) {
      if (polls[i].fd < 0 || polls[i].revents == 0) continue;
      ssize_t n = ::read(polls[i].fd, buffer, sizeof(buffer));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      bool is_stderr = i == 1;
      auto emit = [&](std::string_view line) { sink_.Line(job.spec.name, is_stderr, line); };
      if (n <= 0) {
        lines[i].Flush(emit);
        polls[i].fd = -1;  // the fd itself is closed by `closer`
        --open_pipes;
        continue;
      }
      lines[i].Append(std::string_view(buffer, static_cast<size_t>(n)), emit);
    }
    if (!exited) {
      siginfo_t info{};
      // WNOWAIT: notice the exit but leave the shell a zombie (see top).
      if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
        exited = true;
        // The command is over when its shell is. Whatever it left running
        // in its group (a background child) would go on writing output the
        // engine is about to hash, and keeps the pipes open: end it too.
        ::kill(-pid, SIGTERM);
        if (!term_sent) term_sent = SteadyClock::now();
      }
    }
    if (!term_sent) {
      std::lock_guard<std::mutex> job_lock(job.mutex);
      term_sent = job.term_sent;
    }
    auto now = SteadyClock::now();
    if (term_sent && !killed && now - *term_sent >= kTermGrace) {
      ::kill(-pid, SIGKILL);
      killed = now;
    }
    if (exited && killed && now - *killed >= kDrainAfterKill) break;
  }
  for (size_t i = 0; i < polls.size(); ++i) {
    if (polls[i].fd < 0) continue;  // flushed at its end of file
    lines[i].Flush([&](std::string_view line) { sink_.Line(job.spec.name, i == 1, line); });
  }

  int status = 0;
  {
    std::lock_guard<std::mutex> job_lock(job.mutex);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    job.leader = 0;
  }
  if (WIFSIGNALED(status)) {
    end.signal = WTERMSIG(status);
  } else {
    end.exit_code = WEXITSTATUS(status);
  }
  return end;
}

}  // namespace

std::unique_ptr<Executor> MakeLocalExecutor(OutputSink& sink) {
  return std::make_unique<LocalExecutor>(sink);
}

}  // namespace leanops
