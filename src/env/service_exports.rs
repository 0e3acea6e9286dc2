//! The service-exports layer (spec §7): the variables preset services give the project
//! environment whether or not they run — `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE` and
//! `DATABASE_URL` for postgres, `REDIS_URL` for redis and valkey — from each service's
//! port (fixed in den.toml, or picked free once) and generated password, both kept in
//! den's own record of the service (`env::service_record`, in den's data dir, 0600), made
//! on first use. Never read from the repository: a committed `.den/state/<name>/password`
//! or `port` is ignored here (and its directory refused by `den up`). Computes values
//! only: it never starts or probes anything and writes nothing in the project (the hook
//! reaches it). The services front end runs the servers with these same values (`values`,
//! `socket_dir`, `database`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Error, service_record};
use crate::project::{Preset, Project, Service};

/// The superuser the postgres preset creates.
pub const PG_SUPERUSER: &str = "postgres";

/// What a preset service's exports are made of.
#[derive(Debug, Clone)]
pub struct Values {
    pub port: u16,
    pub password: String,
    /// den's record that keeps them (`den explain` names it as the password's source).
    pub record: PathBuf,
}

/// One exported variable and the service it comes from.
#[derive(Debug, Clone)]
pub struct Export {
    pub service: String,
    pub name: String,
    pub value: String,
    /// Whether the value carries the generated password (`den explain` shows its source).
    pub secret: Option<PathBuf>,
}

/// The layer: exported variables, and the values `[env]` may name as
/// `${services.<name>.<field>}`.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub exports: Vec<Export>,
    /// `services.<name>.port`, `.host`, and for presets `.url` and `.password` (postgres
    /// also `.socket`, `.user`, `.database`).
    pub references: Vec<(String, String)>,
}

/// Every service's exports and references, in den.toml order.
pub fn layer(project: &Project) -> Result<Layer, Error> {
    let mut out = Layer::default();
    for service in project.manifest.services.values() {
        let name = &service.name;
        let mut refer =
            |field: &str, value: String| out.references.push((format!("services.{name}.{field}"), value));
        let Some(preset) = service.preset else {
            if let Some(port) = service.port {
                refer("port", port.to_string());
                refer("host", "127.0.0.1".into());
            }
            continue;
        };
        let v = values(&project.root, service)?;
        let password_file = Some(v.record.clone());
        let plain = |var: &str, value: String| Export {
            service: name.clone(),
            name: var.into(),
            value,
            secret: None,
        };
        let secret = |var: &str, value: String| Export { secret: password_file.clone(), ..plain(var, value) };
        refer("port", v.port.to_string());
        refer("host", "127.0.0.1".into());
        refer("password", v.password.clone());
        match preset {
            Preset::Postgres => {
                let db = database(&project.root);
                let socket = socket_dir(&project.root).to_string_lossy().into_owned();
                let url = format!("postgres://{PG_SUPERUSER}:{}@127.0.0.1:{}/{db}", v.password, v.port);
                refer("url", url.clone());
                refer("socket", socket.clone());
                refer("user", PG_SUPERUSER.into());
                refer("database", db.clone());
                out.exports.push(plain("PGHOST", socket));
                out.exports.push(plain("PGPORT", v.port.to_string()));
                out.exports.push(plain("PGUSER", PG_SUPERUSER.into()));
                out.exports.push(plain("PGDATABASE", db));
                out.exports.push(secret("DATABASE_URL", url));
            }
            Preset::Redis | Preset::Valkey => {
                let url = format!("redis://:{}@127.0.0.1:{}/0", v.password, v.port);
                refer("url", url.clone());
                out.exports.push(secret("REDIS_URL", url));
            }
        }
    }
    Ok(out)
}

/// The port and password of a preset service, from den's record of it (made on first use).
pub fn values(root: &Path, service: &Service) -> Result<Values, Error> {
    let (record, path) = service_record::ensure(root, &service.name, generate_password, || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        Ok(listener.local_addr()?.port())
    })
    .map_err(|source| Error::ServiceState {
        service: service.name.clone(),
        path: service_record::file(root, &service.name).unwrap_or_else(|| service_record::dir(root)),
        source,
    })?;
    Ok(Values { port: service.port.unwrap_or(record.port), password: record.password, record: path })
}

/// 32 random letters and digits from the kernel's generator (no quoting needed anywhere):
/// passwords, and the token of a state directory den made (`service_record::State`).
pub fn generate_password() -> std::io::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let mut bytes = [0u8; 64];
        fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        // 248 = 4 * 62: dropping larger bytes keeps every character equally likely.
        let chars: String = bytes
            .iter()
            .filter(|b| **b < 248)
            .take(32)
            .map(|b| ALPHABET[(*b % 62) as usize] as char)
            .collect();
        if chars.len() == 32 {
            return Ok(chars);
        }
    }
}

/// The short private directory of a project's sockets: `$XDG_RUNTIME_DIR/den-<hash>` or
/// `<tmp>/den-<uid>-<hash>`, the hash of the project path, so that socket paths stay far
/// under the 103-byte limit macOS imposes.
pub fn socket_dir(root: &Path) -> PathBuf {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    let short: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    match std::env::var_os(crate::env_vars::XDG_RUNTIME_DIR).filter(|d| Path::new(d).is_absolute()) {
        Some(run) => PathBuf::from(run).join(format!("den-{short}")),
        None => std::env::temp_dir().join(format!("den-{}-{short}", nix::unistd::geteuid())),
    }
}

/// The database named after the project: its directory's name, with letters, digits and
/// `-` kept and anything else `_` (`app` when nothing is left).
pub fn database(root: &Path) -> String {
    let name = root.file_name().map(|n| crate::paths::name_part(&n.to_string_lossy())).unwrap_or_default();
    if name.trim_matches('_').is_empty() { "app".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_and_plain() {
        let p = generate_password().unwrap();
        assert_eq!(p.len(), 32);
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(p, generate_password().unwrap());
    }

    #[test]
    fn the_database_is_named_after_the_project() {
        assert_eq!(database(Path::new("/src/my-app")), "my-app");
        assert_eq!(database(Path::new("/src/my app.v2")), "my_app_v2");
        assert_eq!(database(Path::new("/")), "app");
    }
}
