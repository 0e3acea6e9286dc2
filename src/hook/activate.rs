//! What the shell hook's `den export <shell>` does: move the shell from its current
//! environment to the project's (or back to the one it had outside any project), record
//! the change in `__DEN_STATE`, and tell the hook which files to watch and when it last
//! loaded. Never downloads, never fails the prompt: problems are one line on stderr, shown
//! once per change because the hook only calls den again when a watched file changes, and
//! a reload that finds nothing changed since the last one does not repeat them.
//!
//! Lives beside `cmd/` rather than in it because `den enter` applies environments the same
//! way.

use std::fs::{self, File};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::Config;
use crate::env::{self, Target, Vars};
use crate::env_vars;
use crate::hint::Hint;
use crate::project::{self, Origin, Project};
use crate::shell::Shell;
use crate::trust;
use crate::{ide, paths, shell, tools, ui};

/// The result of one activation: the assignments for the shell and what the hook watches.
#[derive(Debug, Default)]
pub struct Activation {
    /// Variables to set (`Some`) or unset (`None`), sorted by name.
    pub changes: Vec<(String, Option<String>)>,
    /// Files whose change (newer than the stamp) means the environment must be recomputed.
    pub watch: Vec<PathBuf>,
    /// Files that existed at this load and whose disappearance means the same.
    pub exists: Vec<PathBuf>,
    /// This shell session's stamp file, set before anything was read to a time no later
    /// than any edit made after it (`set_before_now`).
    pub stamp: PathBuf,
}

/// Computes what the shell at `cwd`, with environment `current`, must change. Missing
/// tools are named in one line, or installed first when the user config says
/// `auto_install = true`.
///
/// A load's messages are printed unless they repeat the previous load's word for word with
/// nothing it watched changed since (the stamp file keeps a digest of both): the stamp
/// goes back to before its millisecond, so a file edited just before a load is seen as
/// changed once more at the next prompt, and that redundant reload must not say it all
/// again.
pub fn activate(cwd: &Path, current: &Vars, config: &Config, offline: bool) -> Activation {
    let given = current.get(env_vars::DEN_STAMP).filter(|s| !s.is_empty());
    let before = given.and_then(|p| crate::fs_util::read_input_string(Path::new(p)).ok());
    ui::hold();
    let act = compute(cwd, current, config, offline);
    let messages = ui::release();
    let record = record_of(cwd, &act, &messages);
    if before.as_deref() != Some(record.as_str()) {
        use std::io::Write;
        let _ = std::io::stderr().write_all(messages.as_bytes());
    }
    keep_record(&act.stamp, &record);
    act
}

/// What a load saw and said, as one line for the stamp file: a digest of the directory,
/// every watched file's size and time (or absence), and the messages.
fn record_of(cwd: &Path, act: &Activation, messages: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    cwd.hash(&mut h);
    for file in act.watch.iter().chain(&act.exists) {
        file.hash(&mut h);
        fs::metadata(file).ok().map(|m| (m.len(), m.modified().ok())).hash(&mut h);
    }
    messages.hash(&mut h);
    format!("den-load-v1 {:016x}\n", h.finish())
}

/// Writes `record` into the stamp file, keeping the stamp's time.
#[allow(clippy::disallowed_methods, reason = "the hook's stamp files in den's own cache directory")]
fn keep_record(stamp: &Path, record: &str) {
    use std::io::Write;
    let Ok(file) = File::options().write(true).open(stamp) else { return };
    let Ok(time) = file.metadata().and_then(|m| m.modified()) else { return };
    let mut writer = &file;
    let _ = file.set_len(0).and_then(|()| writer.write_all(record.as_bytes()));
    let _ = file.set_modified(time);
}

/// [`activate`], printing its messages as it goes.
fn compute(cwd: &Path, current: &Vars, config: &Config, offline: bool) -> Activation {
    let stamp = touch_stamp(current.get(env_vars::DEN_STAMP).map(String::as_str));
    let base = env::Base::of(current.clone());
    let previous = base.previous.as_ref();
    let mut out = Activation { stamp, ..Activation::default() };

    let (target, root) = match project::find(cwd) {
        Err(e) => {
            // A broken den.toml keeps its project's last good environment (fixing it
            // re-applies); coming from another project, that one is left as usual.
            ui::error(&e.to_string(), e.hint().as_deref());
            let file = e.file().map(Path::to_path_buf);
            let root = file.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
            out.watch.extend(file.clone());
            out.exists.extend(file);
            if previous.is_some_and(|s| s.root == root) {
                return out;
            }
            (Target::default(), root)
        }
        Ok(None) => (Target::default(), PathBuf::new()),
        Ok(Some(p)) => {
            let p = &p;
            watch_project(p, &mut out);
            match target_of(p, &base, config, offline) {
                Outcome::Apply(t) => (t, p.root.clone()),
                Outcome::Broken if previous.is_some_and(|s| s.root == p.root) => return out,
                Outcome::Broken | Outcome::Nothing => (Target::default(), p.root.clone()),
            }
        }
    };
    let next = match base.next(&target, &root, env::Owner::Shell(shell_pid(current))) {
        Ok(next) => next,
        Err(e) => {
            // Applying without a place for the previous values would lose them on leaving.
            ui::error(&e.to_string(), e.hint().as_deref());
            return out;
        }
    };
    out.changes = env::state::diff(current, &next);
    out
}

/// The hooked shell's pid, which owns the file of previous values: given by the hook
/// (`__DEN_SHELL_PID`), else den's parent.
fn shell_pid(current: &Vars) -> u32 {
    current
        .get(env_vars::DEN_SHELL_PID)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(std::os::unix::process::parent_id)
}

/// What a project asks to apply.
enum Outcome {
    /// Its variables: it is trusted and valid.
    Apply(Target),
    /// Nothing: it is not trusted.
    Nothing,
    /// Its environment cannot be computed: keep the last good one if it was this project's.
    Broken,
}

/// What `p` asks to apply, after one line on stderr when that is not its variables.
fn target_of(p: &Project, base: &env::Base, config: &Config, offline: bool) -> Outcome {
    // The bytes parsed are the bytes judged: never a second read of den.toml.
    match trust::gate(p, trust::How::Quiet) {
        Ok(true) => {}
        Ok(false) => return Outcome::Nothing,
        Err(e) => {
            ui::error(&e.to_string(), e.hint().as_deref());
            return Outcome::Nothing;
        }
    }
    let (dirs, homes) = match tool_dirs(p, config, offline) {
        Ok(found) => found,
        Err(e) => {
            ui::error(&e.to_string(), e.hint().as_deref());
            return Outcome::Broken;
        }
    };
    let layers = env::Layers::of(p, &dirs, &homes, true);
    // The prompt never makes the venv (that runs the interpreter): it exports one that exists.
    if let Ok(layers) = &layers
        && layers.venv.is_none()
        && let Some(line) = env::venv::unapplied(p)
    {
        ui::note(&line);
    }
    match layers.and_then(|layers| base.target(p, &layers)) {
        Ok(target) => Outcome::Apply(target),
        // Like an edited den.toml: nothing of the project applies until `den trust`.
        Err(e @ env::Error::DotenvChanged { .. }) => {
            ui::note(&format!("{e}: {}", e.hint().unwrap_or_default()));
            Outcome::Nothing
        }
        Err(e) => {
            ui::error(&e.to_string(), e.hint().as_deref());
            Outcome::Broken
        }
    }
}

/// The installed tools' PATH directories and variables, after installing the missing ones
/// when the user asked for that (never over the network when den is offline), or one line
/// naming them.
fn tool_dirs(
    p: &Project,
    config: &Config,
    offline: bool,
) -> Result<(Vec<PathBuf>, Vec<tools::ToolVar>), tools::Error> {
    let (mut installed, missing) = tools::locate(p, config)?;
    if !missing.is_empty() {
        if config.auto_install {
            tools::sync(p, config, &tools::Options { offline, ..tools::Options::default() })?;
            installed = tools::locate(p, config)?.0;
        } else {
            ui::note(&tools::missing_line(&missing));
        }
    }
    ide::shims::refresh_stale(p, &installed);
    Ok((tools::path_dirs(&installed), tools::home_vars(&installed)))
}

/// Adds the files whose change must re-apply `p`: its manifest(s), den.lock, its dotenv
/// files and the trust records' directory.
fn watch_project(p: &Project, out: &mut Activation) {
    match &p.origin {
        Origin::DenToml(file) => {
            out.watch.push(file.clone());
            out.exists.push(file.clone());
            out.watch.push(trust::records_dir());
        }
        Origin::Foreign(files) => {
            out.watch.extend(files.iter().cloned());
            out.exists.extend(files.iter().cloned());
        }
    }
    out.watch.push(tools::lock_path(p));
    out.watch.push(tools::store().tools_bucket());
    out.watch.extend(p.manifest.dotenv.iter().map(|d| p.root.join(&d.path)));
    // The venv appearing (made by `den install`), changing or going re-applies, and so does
    // den's record of it (den adopting it) and its `bin` (a `bin/python` put elsewhere).
    if let Some(venv) = &p.manifest.venv {
        let dir = p.root.join(&venv.path);
        let record = tools::venv::record::file(&p.root);
        for file in [dir.join("pyvenv.cfg"), record] {
            if file.is_file() {
                out.exists.push(file.clone());
            }
            out.watch.push(file);
        }
        out.watch.push(dir.join("bin"));
    }
}

/// Sets this session's stamp file to just before now (`set_before_now`), creating it
/// (under the cache dir) for a new session; the hook compares watched files against it
/// with `-nt`. Called before anything is read.
#[allow(clippy::disallowed_methods, reason = "the hook's stamp files in den's own cache directory")]
fn touch_stamp(given: Option<&str>) -> PathBuf {
    let path = match given.filter(|s| !s.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let dir = paths::Bucket::Stamps.path();
            let _ = crate::fs_util::create_private_dir_all(&dir);
            forget_old_stamps(&dir);
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            dir.join(format!("{}-{nanos}", std::process::id()))
        }
    };
    if let Ok(file) = File::options().create(true).write(true).truncate(true).mode(0o600).open(&path) {
        set_before_now(&file);
    }
    path
}

/// Sets `stamp`'s time to just before the kernel's "now", so that any file modified from
/// here on is `-nt` the stamp whatever the clocks' granularity. The kernel stamps file
/// edits with its coarse clock, which can lag the precise one by a tick: a stamp set with
/// `SystemTime::now()` could be later than an edit made right after the load. So the
/// kernel sets the time (one byte written), and the stamp goes back to the start of that
/// millisecond, minus a nanosecond: an edit after this, even on a file system that keeps
/// milliseconds only, is strictly newer. The cost: a file edited in the same millisecond
/// just before the load is reloaded once more, at the next prompt.
fn set_before_now(stamp: &File) {
    use std::io::Write;
    let mut writer = stamp;
    let Ok(()) = writer.write_all(b"\n") else { return };
    let Ok(kernel_now) = stamp.metadata().and_then(|m| m.modified()) else { return };
    let _ = stamp.set_modified(just_before_millisecond(kernel_now));
}

/// The last nanosecond before the millisecond that holds `t`.
fn just_before_millisecond(t: SystemTime) -> SystemTime {
    let Ok(since) = t.duration_since(SystemTime::UNIX_EPOCH) else { return t };
    let ms = std::time::Duration::from_millis(u64::try_from(since.as_millis()).unwrap_or(u64::MAX));
    let start = SystemTime::UNIX_EPOCH + ms;
    start.checked_sub(std::time::Duration::from_nanos(1)).unwrap_or(start)
}

/// Removes the stamps of sessions that have not loaded anything for a week (shells that
/// ended); done when a new session starts, never at a prompt.
fn forget_old_stamps(dir: &Path) {
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > week));
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The activation as a script for `sh`: assignments, then the hook's stamp and its
/// `__den_changed` test for the files of this load.
pub fn render(act: &Activation, sh: Shell) -> String {
    let mut out = shell::assignments(sh, &act.changes);
    out.push_str(&shell::set_local(sh, "__den_stamp", act.stamp.as_os_str()));
    // direnv's `use den` reloads on the same edits as the hook (dotenv files included).
    out.push_str(&shell::watch_array(sh, &act.watch));
    out.push_str(&shell::changed_function(sh, &act.watch, &act.exists, &act.stamp));
    out
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::just_before_millisecond;

    #[test]
    fn the_stamp_goes_back_to_just_before_its_millisecond() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        assert_eq!(just_before_millisecond(t), UNIX_EPOCH + Duration::new(1_700_000_000, 122_999_999));
        let on_edge = UNIX_EPOCH + Duration::new(1_700_000_000, 123_000_000);
        assert_eq!(just_before_millisecond(on_edge), UNIX_EPOCH + Duration::new(1_700_000_000, 122_999_999));
        assert!(just_before_millisecond(SystemTime::now()) < SystemTime::now());
    }
}
