// remote add|modify|list|default|remove: edit the remote sections of
// .dvc/config (or .dvc/config.local with --local) as `dvc remote` does.
#include "cli/cli_common.h"
#include "core/error.h"
#include "core/file_system.h"

namespace leanops::cli {
namespace {

struct RemoteFlags {
  std::string name;
  std::string url;
  std::string option;
  std::string value;
  bool is_default = false;
  bool force = false;
  bool local = false;
  bool unset = false;
};

RemoteFlags& Flags() {
  static RemoteFlags flags;
  return flags;
}

// DVC stores a relative local remote relative to the config file's
// directory (.dvc/), so it resolves the same from any working directory.
std::string StoredUrl(const Repo& repo, const std::string& url) {
  if (url.empty() || url[0] == '/' || url.find("://") != std::string::npos) return url;
  return RelativePath(repo.dvc_dir(), AbsoluteFromCwd(url));
}

ConfigLevel Level() { return Flags().local ? ConfigLevel::kLocal : ConfigLevel::kRepo; }

void RequireRemote(RepoConfig& config, const std::string& name) {
  if (!config.Level(Level()).HasSection(RepoConfig::RemoteSection(name)))
    ThrowData("unknown remote '{}' in .dvc/{}", name, Flags().local ? "config.local" : "config");
}

}  // namespace

void RegisterRemoteCommands(CLI::App& app) {
  RemoteFlags& f = Flags();
  CLI::App* remote = app.add_subcommand("remote", "Manage remote storage (DVC's .dvc/config)");
  remote->require_subcommand(1);

  CLI::App* add = remote->add_subcommand("add", "Add a remote: a local path or s3://bucket/prefix");
  add->add_option("name", f.name, "Remote name")->required();
  add->add_option("url", f.url, "Local directory or s3://bucket/prefix")->required();
  add->add_flag("-d,--default", f.is_default, "Make it the default remote");
  add->add_flag("-f,--force", f.force, "Overwrite an existing remote of that name");
  add->add_flag("--local", f.local, "Write to .dvc/config.local (not committed)");
  add->callback([] {
    Session s = OpenForWrite(false);
    RepoConfig& config = s.repo->config();
    std::string section = RepoConfig::RemoteSection(Flags().name);
    IniFile& ini = config.Level(Level());
    if (ini.HasSection(section)) {
      if (!Flags().force)
        ThrowData("remote '{}' already exists; use -f to overwrite it", Flags().name);
      ini.RemoveSection(section);
    }
    ini.Set(section, "url", StoredUrl(*s.repo, Flags().url));
    if (Flags().is_default) ini.Set("core", "remote", Flags().name);
    config.Save(Level());
    Say(fmt::format("Added remote '{}' -> {}{}", Flags().name, Flags().url,
                    Flags().is_default ? " (default)" : ""));
  });

  CLI::App* modify = remote->add_subcommand("modify", "Set or unset an option of a remote");
  modify->add_option("name", f.name, "Remote name")->required();
  modify->add_option("option", f.option, "Option, e.g. url, endpointurl, region, jobs")->required();
  modify->add_option("value", f.value, "New value");
  modify->add_flag("-u,--unset", f.unset, "Remove the option");
  modify->add_flag("--local", f.local, "Edit .dvc/config.local");
  modify->callback([] {
    Session s = OpenForWrite(false);
    RepoConfig& config = s.repo->config();
    std::string section = RepoConfig::RemoteSection(Flags().name);
    // An option may go to config.local for a remote defined in config (secrets).
    if (!config.Level(ConfigLevel::kRepo).HasSection(section) &&
        !config.Level(ConfigLevel::kLocal).HasSection(section))
      ThrowData("unknown remote '{}'", Flags().name);
    if (Flags().unset) {
      if (!config.Level(Level()).Unset(section, Flags().option))
        ThrowData("remote '{}' has no option '{}'", Flags().name, Flags().option);
    } else {
      if (Flags().value.empty()) ThrowUsage("remote modify: a value is required (or --unset)");
      std::string value =
          Flags().option == "url" ? StoredUrl(*s.repo, Flags().value) : Flags().value;
      config.Level(Level()).Set(section, Flags().option, value);
    }
    config.Save(Level());
  });

  CLI::App* list = remote->add_subcommand("list", "List remotes: NAME<TAB>URL");
  list->callback([] {
    Session s = OpenForRead();
    RepoConfig& config = s.repo->config();
    std::string def = config.DefaultRemote().value_or("");
    for (const std::string& name : config.RemoteNames()) {
      RemoteConfig rc = config.Remote(name);
      std::printf("%s\t%s%s\n", name.c_str(), rc.url.c_str(), name == def ? " (default)" : "");
    }
  });

  CLI::App* def = remote->add_subcommand("default", "Show or set the default remote");
  def->add_option("name", f.name, "Remote to make the default");
  def->add_flag("-u,--unset", f.unset, "Clear the default");
  def->add_flag("--local", f.local, "Edit .dvc/config.local");
  def->callback([] {
    if (Flags().name.empty() && !Flags().unset) {
      Session s = OpenForRead();
      std::optional<std::string> name = s.repo->config().DefaultRemote();
      if (!name) ThrowData("no default remote is set");
      std::printf("%s\n", name->c_str());
      return;
    }
    Session s = OpenForWrite(false);
    RepoConfig& config = s.repo->config();
    if (Flags().unset) {
      config.Level(Level()).Unset("core", "remote");
    } else {
      config.Remote(Flags().name);  // must exist at some level
      config.Level(Level()).Set("core", "remote", Flags().name);
    }
    config.Save(Level());
  });

  CLI::App* rm = remote->add_subcommand("remove", "Remove a remote");
  rm->add_option("name", f.name, "Remote name")->required();
  rm->add_flag("--local", f.local, "Edit .dvc/config.local");
  rm->callback([] {
    Session s = OpenForWrite(false);
    RepoConfig& config = s.repo->config();
    RequireRemote(config, Flags().name);
    IniFile& ini = config.Level(Level());
    ini.RemoveSection(RepoConfig::RemoteSection(Flags().name));
    if (ini.Get("core", "remote") == Flags().name) ini.Unset("core", "remote");
    config.Save(Level());
    Say(fmt::format("Removed remote '{}'", Flags().name));
  });
}

}  // namespace leanops::cli
