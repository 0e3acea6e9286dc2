//! The prompt path: what the shell hook runs at every prompt (`den export <shell>`) and
//! the scripts it installs (`den hook <shell>`). Applies and reverts a project's
//! environment through `env`'s one builder; never resolves or downloads, with one
//! documented exception: `auto_install = true` installs a locked project's missing tools,
//! and that honours `--offline`/`DEN_OFFLINE`.

pub mod activate;
