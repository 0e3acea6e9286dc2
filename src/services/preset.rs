//! Presets (spec §7): a service den knows how to run — its tool from the catalog, its
//! one-time init, its readiness check, its exports — from `preset = "postgres"` or
//! `"redis"`/`"valkey"`: which server module makes the unit (`postgres`, `redis`), on what
//! every preset shares (`server`). Never starts a process; the supervisor does.

use std::path::Path;

use super::server::Base;
pub use super::server::{Tool, check_state};
use super::unit::Unit;
use super::{Dirs, Error, postgres, redis};
use crate::project::{Preset, Service};

/// The catalog tool behind a preset service (`None`: a `run` service).
pub fn tool_name(service: &Service) -> Option<&'static str> {
    service.preset.map(Preset::tool)
}

/// The unit of a preset service, with `tool` installed.
pub fn unit(dirs: &Dirs, service: &Service, tool: &Tool) -> Result<Unit, Error> {
    let Some(preset) = service.preset else { return Err(Error::NoServices) };
    let base = Base::prepare(dirs, service, tool)?;
    match preset {
        Preset::Postgres => postgres::unit(dirs, service, tool, &base),
        Preset::Redis => redis::unit(&dirs.root, service, tool, &base, "redis-server"),
        Preset::Valkey => redis::unit(&dirs.root, service, tool, &base, "valkey-server"),
    }
}

/// What den says before starting `service` for the first time, if anything (postgres as
/// root: the user it runs as).
pub fn first_start_note(root: &Path, service: &Service) -> Option<String> {
    match service.preset? {
        Preset::Postgres => postgres::root_note(root, service),
        Preset::Redis | Preset::Valkey => None,
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;
    use crate::env::service_record;
    use crate::fs_util;
    use crate::services::server::reachable_tree;

    #[test]
    fn links_in_a_preset_s_state_are_replaced_never_written_through() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        service_record::test_bucket(&tmp.path().join("services-v1"));
        let root = tmp.path().join("proj");
        fs::create_dir(&root).unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let tool = Tool { dir: tmp.path().join("t"), bin: tmp.path().join("t/bin"), version: "7.2.4".into() };
        let toml = "[services.cache]\npreset = \"redis\"\n";
        let manifest = crate::project::parse::manifest(Path::new("den.toml"), toml).unwrap();
        let service = manifest.services["cache"].clone();
        assert_eq!(service.preset, Some(Preset::Redis));
        let dirs = Dirs::of(&root);
        // `.den/state` as a link elsewhere is replaced by den's own directory.
        fs::create_dir_all(root.join(".den")).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        symlink(&elsewhere, root.join(".den/state")).unwrap();
        unit(&dirs, &service, &tool).unwrap();
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "made through a link");
        let state = root.join(".den/state/cache");
        let conf = state.join("redis-server.conf");
        assert!(fs::read_to_string(&conf).unwrap().contains("requirepass "));
        assert_eq!(fs::metadata(&conf).unwrap().permissions().mode() & 0o777, 0o600);
        // Its configuration as a link: replaced, the target untouched.
        fs::remove_file(&conf).unwrap();
        symlink(&victim, &conf).unwrap();
        unit(&dirs, &service, &tool).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(fs::symlink_metadata(&conf).unwrap().is_file());
        // den's token as a link: the directory is no longer den's, and is refused.
        let token = state.join(service_record::TOKEN);
        fs::rename(&token, tmp.path().join("token")).unwrap();
        symlink(tmp.path().join("token"), &token).unwrap();
        assert!(matches!(unit(&dirs, &service, &tool), Err(Error::ForeignState { .. })));
    }

    #[test]
    fn a_linked_tree_shares_the_bytes() {
        let tmp = tempfile::tempdir_in(std::env::temp_dir()).unwrap();
        let dir = tmp.path().join("sha256-abc");
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("bin/tool"), b"#!/bin/sh\n").unwrap();
        std::os::unix::fs::symlink("tool", dir.join("bin/alias")).unwrap();
        let tool = Tool { dir: dir.clone(), bin: dir.join("bin"), version: "1".into() };
        let tree = reachable_tree(&tool).unwrap();
        let a = fs::metadata(dir.join("bin/tool")).unwrap();
        let b = fs::metadata(tree.bin.join("tool")).unwrap();
        assert_eq!((a.dev(), a.ino()), (b.dev(), b.ino()));
        assert_eq!(fs::read_link(tree.bin.join("alias")).unwrap(), Path::new("tool"));
        let _ = fs_util::remove_tree(&tree.dir);
    }
}
