//! The command line, as clap types only: no behaviour lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::shell::{ExportFormat, Shell};

/// Per-project development environments from prebuilt upstream binaries.
#[derive(Debug, Parser)]
#[command(name = "den", version, about, max_term_width = 100)]
pub struct Cli {
    /// Run as if den was started in DIR
    #[arg(short = 'C', long = "directory", global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Never touch the network; use only what is cached (also DEN_OFFLINE=1)
    #[arg(long, global = true)]
    pub offline: bool,
    /// Say more: every source tried for a tool, in order, and what it answered (before the
    /// command: `den -v install`; after it, `-v` belongs to the command: `den x node@22 -v`)
    #[arg(short, long)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Every den command, grouped as in the spec: terminals, one-off runs, tools, services,
/// editors, trust, and housekeeping.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a subshell with the project's environment (tools, variables, services)
    Enter(EnterArgs),
    /// Print the shell hook that auto-activates projects (`eval "$(den hook bash)"`)
    Hook(HookArgs),
    /// Print the project's environment for a shell, an editor, a script or CI
    Export(ExportArgs),
    /// Run a command with tools by version, or in the project's environment
    Run(RunArgs),
    /// Run a tool by version: `den x node@22 -v`
    X(XArgs),
    /// Install the project's tools and write den.lock
    Install(InstallArgs),
    /// Add a tool to den.toml and install it: `den add node@22`
    Add(ToolsArgs),
    /// Remove a tool from den.toml and den.lock
    Remove(ToolsArgs),
    /// Re-resolve tools within their den.toml specs and update den.lock
    Upgrade(OptionalToolsArgs),
    /// List the tools an upgrade would change
    Outdated(OutdatedArgs),
    /// Add other platforms to den.lock: `den lock --platform linux-arm64,darwin-arm64`
    Lock(LockArgs),
    /// List the project's tools: requested, locked, installed, path
    Ls(JsonArgs),
    /// List the versions of a tool that its source offers
    LsRemote(LsRemoteArgs),
    /// List the tools den installs by name (catalog, short names, the aqua registry), filtered by TERM
    Search(SearchArgs),
    /// Show the full path of a binary the environment provides, and which tool provides it
    Which(WhichArgs),
    /// Start the project's services (in the foreground, or with -d in the background)
    Up(UpArgs),
    /// Stop the project's services
    Down(DownArgs),
    /// List the project's services and their state
    Ps(PsArgs),
    /// Show a service's logs
    Logs(LogsArgs),
    /// Restart a service
    Restart(RestartArgs),
    /// Launch an editor inside the project's environment, or write its desktop launcher
    Ide(IdeArgs),
    /// Trust a project's den.toml so that its environment may be applied
    Trust(TrustArgs),
    /// Withdraw trust from a project's den.toml
    Untrust(DirArgs),
    /// Write a commented den.toml here, importing .tool-versions, .nvmrc and friends
    Init(InitArgs),
    /// Show each variable's final value, where it came from, and every layer that set it
    Explain(ExplainArgs),
    /// Inspect, clean and share the store (team caches, bundles for offline machines)
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Check the hook, the project's trust and tools, the store and the registries
    Doctor(DoctorArgs),
    /// Print the shell completion script: `eval "$(den completions bash)"`
    Completions(HookArgs),
    /// The names a completion script offers: `tools` (the catalog's and the project's) or
    /// `vars` (the project's variables), one per line (not for direct use)
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),
    /// The background services supervisor `den up -d` starts (not for direct use)
    #[command(name = "__supervise", hide = true)]
    Supervise(SuperviseArgs),
    /// The hook's exit handler: removes the previous values den kept for the shell `pid`,
    /// which is exiting (not for direct use)
    #[command(name = "__forget", hide = true)]
    Forget(ForgetArgs),
    /// What a shim in `.den/bin/` runs: `bin` of the project at `root`, in the working directory
    #[command(name = "__shim", hide = true)]
    Shim(ShimArgs),
}

#[derive(Debug, Args)]
pub struct ShimArgs {
    pub root: PathBuf,
    pub bin: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct EnterArgs {
    /// Project directory (default: the current one)
    pub dir: Option<PathBuf>,
    /// Start from an almost empty environment: only the project's tools and a few basics
    #[arg(long)]
    pub pure: bool,
    /// Trust the project's den.toml without asking
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format (the shell formats can be given alone: `den export bash`)
    #[arg(value_enum, conflicts_with = "format")]
    pub shell: Option<ExportFormat>,
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Trust the project's den.toml without asking when it is not trusted yet
    #[arg(long)]
    pub trust: bool,
    /// Tools to put in front of PATH (`node@22`, `github:jqlang/jq@1.7.1`)
    #[arg(value_name = "TOOL@VERSION")]
    pub tools: Vec<String>,
    /// The command to run and its arguments, after `--`
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Exit with 1 when a tool is outdated (not locked, or a newer version exists), for CI
    #[arg(long)]
    pub exit_code: bool,
    /// Print JSON (the shape is in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct XArgs {
    /// Trust the project's den.toml without asking when it is not trusted yet
    #[arg(long)]
    pub trust: bool,
    /// The tool (`node@22`), run as its own main binary
    pub tool: String,
    /// Arguments for the tool
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Fail if den.lock does not satisfy den.toml instead of updating it
    #[arg(long)]
    pub frozen: bool,
}

#[derive(Debug, Args)]
pub struct ToolsArgs {
    /// Tools, as `name@spec` (or `name` alone)
    #[arg(required = true)]
    pub tools: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OptionalToolsArgs {
    /// Tools to upgrade (default: all)
    pub tools: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Platforms to add, comma-separated: linux-x64, linux-arm64, darwin-x64, darwin-arm64
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LsRemoteArgs {
    pub tool: String,
    /// Only versions starting with this prefix
    pub prefix: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Only tools whose name, origin or description holds this (any case)
    pub term: Option<String>,
}

#[derive(Debug, Args)]
pub struct WhichArgs {
    /// A binary name (`node`, `python3`)
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Services to start (default: all)
    pub services: Vec<String>,
    /// Hand the services to a background supervisor
    #[arg(short, long)]
    pub detach: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Services to stop, with what depends on them (default: all)
    pub services: Vec<String>,
    /// Also delete the services' data in .den/state
    #[arg(long)]
    pub purge: bool,
    /// Delete without asking (with --purge)
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The exiting shell's pid
    pub pid: u32,
}

#[derive(Debug, Args)]
pub struct SuperviseArgs {
    /// The preset services' installed tools, as JSON, found by the den that starts it
    #[arg(long, default_value = "{}")]
    pub tools: String,
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Also print each running service's exact command line
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    pub service: Option<String>,
    /// Keep following the log
    #[arg(short, long)]
    pub follow: bool,
    /// Show the last N lines
    #[arg(short = 'n', long = "lines", value_name = "N", default_value_t = 100)]
    pub lines: usize,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    pub service: String,
}

#[derive(Debug, Args)]
pub struct IdeArgs {
    /// Editor to launch: code, pycharm, zed, … or any command (default: [ide] editor in
    /// den.toml, then in den's config.toml)
    pub editor: Option<String>,
    /// Project directory (default: the current one)
    pub dir: Option<PathBuf>,
    /// Write an XDG desktop launcher for this project and editor instead of launching it
    #[arg(long, conflicts_with = "shims")]
    pub desktop: bool,
    /// With --desktop: delete the launcher instead of writing it
    #[arg(long, requires = "desktop")]
    pub remove: bool,
    /// With --desktop: list den's launchers
    #[arg(long, requires = "desktop", conflicts_with = "remove")]
    pub list: bool,
    /// Only write the project's shims in .den/bin/ (every launch writes them too)
    #[arg(long)]
    pub shims: bool,
    /// Trust the project's den.toml without asking
    #[arg(long)]
    pub trust: bool,
    /// VS Code and forks: open the window in the instance already running (which keeps
    /// its own environment) instead of an instance of the project's own
    #[arg(long)]
    pub shared: bool,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// Project directory (default: the current one)
    pub dir: Option<PathBuf>,
    /// List the trusted files
    #[arg(long, conflicts_with = "dir")]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// Project directory (default: the current one)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write den.toml in (default: the current one)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// One variable (default: all)
    pub var: Option<String>,
    /// Print JSON (the shape is in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    pub what: CompleteWhat,
}

/// What `den __complete` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompleteWhat {
    Tools,
    Vars,
}

/// A listing command's one option.
#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print JSON (the shape is in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON (the shape is in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// List what the store holds, with sizes, a total and the projects using each tool
    Ls {
        /// Print JSON (the shape is in the README)
        #[arg(long)]
        json: bool,
    },
    /// Print the store's directory
    Dir,
    /// Re-hash every installed tool
    Verify {
        /// Install the tools whose files changed again, from the den.lock of a known project
        #[arg(long)]
        repair: bool,
    },
    /// Remove what no known project and no recent run uses
    Prune {
        /// Also remove what no `den run` used in this many days
        #[arg(long, default_value_t = 30)]
        older_than: u32,
        /// Say what would be removed and what kept, and remove nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Upload den.lock's artifacts (every platform) to a team cache: oci://host/repo or a directory
    Push {
        /// oci://host[:port]/repository, file:///path or a directory path
        target: String,
        /// Push everything in the local store instead of the project's den.lock
        #[arg(long)]
        all: bool,
    },
    /// Write den.lock's artifacts into one tar file, for a machine without network
    Export {
        /// The tar file to write
        file: PathBuf,
        /// Export everything in the local store instead of the project's den.lock
        #[arg(long)]
        all: bool,
    },
    /// Verify the artifacts of a tar file `den cache export` wrote and install them
    Import {
        /// The tar file to read
        file: PathBuf,
    },
}
