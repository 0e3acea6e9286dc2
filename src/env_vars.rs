//! Every environment variable den reads, declared once with why it exists.

/// Overrides the data directory (store, trust records); everything den keeps goes under it.
pub const DEN_HOME: &str = "DEN_HOME";
/// Overrides the directory holding the user config `config.toml`.
pub const DEN_CONFIG_DIR: &str = "DEN_CONFIG_DIR";
/// Colon-separated directories where the upward search for `den.toml` stops (like git's).
pub const DEN_CEILING_DIRS: &str = "DEN_CEILING_DIRS";
/// Never touch the network (same as `--offline`).
pub const DEN_OFFLINE: &str = "DEN_OFFLINE";
/// Disables colours whatever the terminal (https://no-color.org).
pub const NO_COLOR: &str = "NO_COLOR";
/// The user's home, for `~` in paths.
pub const HOME: &str = "HOME";
/// Where a `source = "system"` tool is looked for (outside den's own directories).
pub const PATH: &str = "PATH";
/// The state den's shell hook carries between prompts (what it changed, and the name of the
/// private file holding the values it replaced; never those values themselves).
pub const DEN_STATE_VAR: &str = "__DEN_STATE";
/// The hooked shell's pid, given by the hook to `den export <shell>`: the owner of the file
/// of previous values (not exported).
pub const DEN_SHELL_PID: &str = "__DEN_SHELL_PID";
/// The shell hook's stamp file for this shell session, passed to `den export <shell>` so
/// that it touches the same file each time (not exported: each shell has its own).
pub const DEN_STAMP: &str = "__DEN_STAMP";
/// Seconds before a connection attempt or a silent server is given up (default 10 to
/// connect, 30 between bytes); both become this value when set. Tests use it.
pub const DEN_HTTP_TIMEOUT: &str = "DEN_HTTP_TIMEOUT";
/// How many times a failed request (connection, timeout, 5xx) is retried (default 2).
pub const DEN_HTTP_RETRIES: &str = "DEN_HTTP_RETRIES";
/// Most bytes unpacking one archive may write (bytes, or with K/M/G/T, powers of 1024);
/// default: the smaller of 20 GiB and 100 times the archive's size (at least 1 MiB).
pub const DEN_MAX_UNPACK: &str = "DEN_MAX_UNPACK";
/// Most bytes a download whose size is not recorded may have (same forms; default 8 GiB).
/// An artifact whose size den.lock records may never exceed that size.
pub const DEN_MAX_DOWNLOAD: &str = "DEN_MAX_DOWNLOAD";
/// Proxy for https URLs (the lowercase form wins, as in curl).
pub const HTTPS_PROXY: &str = "HTTPS_PROXY";
/// Lowercase `HTTPS_PROXY`.
pub const HTTPS_PROXY_LOWER: &str = "https_proxy";
/// Proxy for plain http URLs.
pub const HTTP_PROXY: &str = "HTTP_PROXY";
/// Lowercase `HTTP_PROXY`.
pub const HTTP_PROXY_LOWER: &str = "http_proxy";
/// Proxy for any URL whose scheme has no proxy variable of its own.
pub const ALL_PROXY: &str = "ALL_PROXY";
/// Lowercase `ALL_PROXY`.
pub const ALL_PROXY_LOWER: &str = "all_proxy";
/// Hosts, domains, IP ranges (each with an optional `:port`) reached without a proxy.
pub const NO_PROXY: &str = "NO_PROXY";
/// Lowercase `NO_PROXY`.
pub const NO_PROXY_LOWER: &str = "no_proxy";
/// Base URL of the GitHub API (GitHub Enterprise, a mirror); default `https://api.github.com`.
pub const DEN_GITHUB_API: &str = "DEN_GITHUB_API";
/// A GitHub token sent as `Authorization: Bearer` to the API (raises the rate limit).
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// The GitHub CLI's token variable, used when `GITHUB_TOKEN` is unset.
pub const GH_TOKEN: &str = "GH_TOKEN";
/// The npm registry den uses, ahead of npm's own configuration.
pub const DEN_NPM_REGISTRY: &str = "DEN_NPM_REGISTRY";
/// npm's registry setting from the environment (npm also reads the uppercase form).
pub const NPM_CONFIG_REGISTRY: &str = "npm_config_registry";
/// Uppercase `npm_config_registry`.
pub const NPM_CONFIG_REGISTRY_UPPER: &str = "NPM_CONFIG_REGISTRY";
/// npm's user config file (default `~/.npmrc`), both spellings.
pub const NPM_CONFIG_USERCONFIG: &str = "npm_config_userconfig";
/// Uppercase `npm_config_userconfig`.
pub const NPM_CONFIG_USERCONFIG_UPPER: &str = "NPM_CONFIG_USERCONFIG";
/// npm's global config file, both spellings.
pub const NPM_CONFIG_GLOBALCONFIG: &str = "npm_config_globalconfig";
/// Uppercase `npm_config_globalconfig`.
pub const NPM_CONFIG_GLOBALCONFIG_UPPER: &str = "NPM_CONFIG_GLOBALCONFIG";
/// The PyPI simple index den uses, ahead of uv's and pip's configuration.
pub const DEN_PYPI_INDEX: &str = "DEN_PYPI_INDEX";
/// uv's default index.
pub const UV_DEFAULT_INDEX: &str = "UV_DEFAULT_INDEX";
/// uv's older name for its index.
pub const UV_INDEX_URL: &str = "UV_INDEX_URL";
/// pip's index.
pub const PIP_INDEX_URL: &str = "PIP_INDEX_URL";
/// pip's config file, read before the others.
pub const PIP_CONFIG_FILE: &str = "PIP_CONFIG_FILE";
/// An active virtualenv, whose `pip.conf` pip reads.
pub const VIRTUAL_ENV: &str = "VIRTUAL_ENV";
/// The XDG config home, where pip's user config lives (`pip/pip.conf`).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// The per-user runtime directory, where the services' private socket directories go
/// (the temp directory otherwise).
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// The user's login shell (`den doctor` looks for the hook in that shell's rc files).
pub const SHELL: &str = "SHELL";
/// Where zsh reads its rc files instead of HOME (`den doctor`).
pub const ZDOTDIR: &str = "ZDOTDIR";
/// Team caches to try before the upstreams, whitespace- or comma-separated (`oci://…`,
/// `https://…`, `file:///…`), ahead of the user config's `[cache] urls` (CI sets it).
pub const DEN_CACHE_URLS: &str = "DEN_CACHE_URLS";
/// The user name for an OCI cache (CI: the job's registry user), with `DEN_CACHE_PASSWORD`.
pub const DEN_CACHE_USERNAME: &str = "DEN_CACHE_USERNAME";
/// The password or token for an OCI cache (CI: the job token), with `DEN_CACHE_USERNAME`.
pub const DEN_CACHE_PASSWORD: &str = "DEN_CACHE_PASSWORD";
/// containers' (podman, skopeo, buildah) credentials file, read for OCI caches.
pub const REGISTRY_AUTH_FILE: &str = "REGISTRY_AUTH_FILE";
/// docker's config directory (default `~/.docker`), whose `config.json` has credentials.
pub const DOCKER_CONFIG: &str = "DOCKER_CONFIG";
