#include "core/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace leanops {

ProcessResult RunCapture(const std::vector<std::string>& argv, const std::string& cwd,
                         const std::string& input) {
  ProcessResult result;
  int pipe_fds[2];
  int in_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) ThrowErrno("cannot create pipe for", argv[0], errno);
  if (::pipe2(in_fds, O_CLOEXEC) != 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ThrowErrno("cannot create pipe for", argv[0], errno);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fds[0], 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  ::close(in_fds[0]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    ::close(in_fds[1]);
    return result;
  }
  // Feed standard input from a thread, so a child that writes while it
  // reads cannot fill the output pipe and block both sides.
  std::thread feeder([fd = in_fds[1], &input] {
    size_t done = 0;
    while (done < input.size()) {
      ssize_t n = ::write(fd, input.data() + done, input.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child closed its input
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.out.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  feeder.join();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace leanops
