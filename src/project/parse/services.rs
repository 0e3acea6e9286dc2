//! `[services.<name>]` (spec §7): checks each field's form, then that `depends_on` names
//! declared services without a cycle. Never starts anything or probes a port.
//!
//! `init` (run once before the first start) is for `run` services; `args`, `config` and
//! `user` are for presets.
//!
//! Decisions: `ready.timeout` defaults to 30s, `stop_timeout` to 10s, `stop_signal` to
//! the preset's own (postgres: SIGINT) else SIGTERM (`Service::stop_with`); an explicit
//! one is kept as written; a preset den does not run (`mysql`) or a signal the system
//! does not know is an error at its `den.toml:LINE:COL`; a `tcp` probe is stored as `host:port` (a bare port means 127.0.0.1);
//! `version` is for presets only (a `run` service declares its tools in `[tools]`);
//! a digit-only duration string counts seconds, like a bare integer.

use std::ops::Range;
use std::time::Duration;

use indexmap::IndexMap;
use toml::de::DeValue;

use super::env::{scalar, var_name};
use super::walk::{Doc, Key, Res, Value, integer, is_plain_name};
use crate::diag::suggest;
use nix::sys::signal::Signal;

use crate::project::{Preset, Probe, Ready, Restart, Run, Service};

pub(super) const SERVICE_KEYS: &[&str] = &[
    "run",
    "preset",
    "version",
    "port",
    "ready",
    "depends_on",
    "env",
    "restart",
    "cwd",
    "stop_signal",
    "stop_timeout",
    "init",
    "args",
    "config",
    "user",
    "watch",
];
/// `cmd` is the and docker compose's short spelling of `command`; both are read.
const READY_KEYS: &[&str] = &["tcp", "http", "command", "cmd", "timeout"];
/// The signals most services stop on, named when den.toml names one den does not know.
const COMMON_SIGNALS: &str = "SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2";
/// How long a readiness probe may take when `timeout` is not given.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Time between the stop signal and SIGKILL when `stop_timeout` is not given.
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A `depends_on` entry kept with its span until every service is known.
struct Dep {
    from: String,
    to: String,
    span: Range<usize>,
}

/// Reads `[services]`, in file order, and checks the dependencies between them.
pub fn services(doc: &Doc<'_>, value: &Value<'_>) -> Res<IndexMap<String, Service>> {
    let table = doc.table(value, "services")?;
    let mut out = IndexMap::new();
    let mut deps = Vec::new();
    for (key, value) in table {
        let service = service(doc, key, value, &mut deps)?;
        out.insert(service.name.clone(), service);
    }
    check_deps(doc, &out, &deps)?;
    Ok(out)
}

fn service(doc: &Doc<'_>, key: &Key<'_>, value: &Value<'_>, deps: &mut Vec<Dep>) -> Res<Service> {
    let name: &str = key.get_ref();
    if !is_plain_name(name) {
        return Err(doc.err_help(
            key.span(),
            format!("invalid service name `{name}`"),
            "service names are letters, digits, `.`, `_` and `-`, starting with a letter or digit",
        ));
    }
    let table = doc.table(value, name)?;
    doc.check_keys(table, SERVICE_KEYS, &format!("[services.{name}]"))?;
    let mut s = Service {
        name: name.to_string(),
        run: None,
        preset: None,
        version: None,
        port: None,
        ready: None,
        depends_on: Vec::new(),
        env: IndexMap::new(),
        restart: Restart::Never,
        cwd: None,
        stop_signal: None,
        stop_timeout: DEFAULT_STOP_TIMEOUT,
        init: None,
        args: Vec::new(),
        config: None,
        user: None,
        watch: Vec::new(),
        at: doc.at(key.span()),
    };
    for (k, v) in table {
        let what: &str = k.get_ref();
        match what {
            "run" => s.run = Some(run(doc, v)?),
            "preset" => s.preset = Some(preset(doc, v)?),
            "version" => s.version = Some(doc.nonempty(v, what)?.to_string()),
            "port" => s.port = Some(port(doc, v, what)?),
            "ready" => s.ready = Some(ready(doc, v)?),
            "depends_on" => {
                for (to, span) in doc.strings(v, what)? {
                    s.depends_on.push(to.clone());
                    deps.push(Dep { from: name.to_string(), to, span });
                }
            }
            "env" => {
                for (var, val) in doc.table(v, what)? {
                    let var = var_name(doc, var)?;
                    let val = scalar(doc, val, &var)?;
                    s.env.insert(var, val);
                }
            }
            "restart" => s.restart = restart(doc, v)?,
            "cwd" => s.cwd = Some(doc.nonempty(v, what)?.to_string()),
            "stop_signal" => s.stop_signal = Some(signal(doc, v)?),
            "stop_timeout" => s.stop_timeout = duration(doc, v, what)?,
            "init" => s.init = Some(doc.nonempty(v, what)?.to_string()),
            "args" => s.args = doc.strings(v, what)?.into_iter().map(|(a, _)| a).collect(),
            "config" => s.config = Some(doc.nonempty(v, what)?.to_string()),
            "user" => s.user = Some(doc.nonempty(v, what)?.to_string()),
            "watch" => {
                for (glob, span) in doc.strings(v, what)? {
                    if glob.is_empty() || glob.starts_with('/') || glob.split('/').any(|c| c == "..") {
                        return Err(doc.err_help(
                            span,
                            format!(
                                "`watch` glob \"{glob}\" of service `{name}` must stay inside the project"
                            ),
                            "write it relative to the project root, without `..`: \"src/**/*.py\"",
                        ));
                    }
                    s.watch.push(glob);
                }
            }
            _ => unreachable!("keys were checked"),
        }
    }
    let key_span = |k: &str| table.iter().find(|(key, _)| key.get_ref() == k).map(|(key, _)| key.span());
    match (&s.run, &s.preset) {
        (None, None) => Err(doc.err_help(
            key.span(),
            format!("service `{name}` needs `run` or `preset`"),
            format!("add `run = \"<command>\"`, or `preset = \"postgres\"` (the presets are {})", Preset::names()),
        )),
        (Some(_), Some(_)) => Err(doc.err_help(
            key_span("run").unwrap_or(key.span()),
            format!("service `{name}` has both `run` and `preset`"),
            "a preset brings its own command: remove `run`, or remove `preset` to run your own",
        )),
        (Some(_), None) if s.version.is_some() => Err(doc.err_help(
            key_span("version").unwrap_or(key.span()),
            format!("`version` of service `{name}` applies to presets only"),
            "declare the tool your command needs in [tools] instead",
        )),
        (Some(_), None) if let Some(k) = ["args", "config", "user"].into_iter().find(|k| key_span(k).is_some()) => {
            Err(doc.err_help(
                key_span(k).unwrap_or(key.span()),
                format!("`{k}` of service `{name}` applies to presets only"),
                "a `run` command takes its arguments and configuration in the command line itself",
            ))
        }
        (None, Some(_)) if s.init.is_some() => Err(doc.err_help(
            key_span("init").unwrap_or(key.span()),
            format!("`init` of service `{name}` applies to `run` services only"),
            "a preset brings its own first-start init (postgres: initdb); use `args` or `config` to change it",
        )),
        _ => Ok(s),
    }
}

/// `run = "cmd line"` (through a shell) or `run = ["prog", "arg"]` (exec'd as given).
fn run(doc: &Doc<'_>, value: &Value<'_>) -> Res<Run> {
    if let DeValue::String(_) = value.get_ref() {
        return Ok(Run::Shell(doc.nonempty(value, "run")?.to_string()));
    }
    let argv: Vec<String> = doc.strings(value, "run")?.into_iter().map(|(s, _)| s).collect();
    if argv.first().is_none_or(String::is_empty) {
        return Err(doc.err_help(
            value.span(),
            "`run` needs a program",
            "give a command line (`run = \"node server.js\"`) or an argv (`run = [\"node\", \"server.js\"]`)",
        ));
    }
    Ok(Run::Argv(argv))
}

/// One of [`Preset::ALL`], by its name; anything else is refused here, where den.toml
/// says it, never later when the service starts.
fn preset(doc: &Doc<'_>, value: &Value<'_>) -> Res<Preset> {
    let p = doc.string(value, "preset")?;
    if let Some(preset) = Preset::named(p) {
        return Ok(preset);
    }
    let message = match suggest(p, Preset::ALL.iter().map(|p| p.name())) {
        Some(near) => format!("unknown preset `{p}`; did you mean `{near}`?"),
        None => format!("unknown preset `{p}`"),
    };
    let help = format!("the presets den runs are {}; or give the service a `run` command", Preset::names());
    Err(doc.err_help(value.span(), message, help))
}

fn port(doc: &Doc<'_>, value: &Value<'_>, what: &str) -> Res<u16> {
    let wrong = || doc.err(value.span(), format!("`{what}` must be an integer between 1 and 65535"));
    let n = integer(value).ok_or_else(wrong)?;
    u16::try_from(n).ok().filter(|p| *p != 0).ok_or_else(wrong)
}

fn ready(doc: &Doc<'_>, value: &Value<'_>) -> Res<Ready> {
    let table = doc.table(value, "ready")?;
    doc.check_keys(table, READY_KEYS, "`ready`")?;
    let mut probes = Vec::new();
    let mut timeout = DEFAULT_READY_TIMEOUT;
    for (k, v) in table {
        match k.get_ref().as_ref() {
            "tcp" => probes.push(Probe::Tcp(tcp(doc, v)?)),
            "http" => probes.push(Probe::Http(super::tools::url(doc, v, "http")?)),
            "command" | "cmd" => probes.push(Probe::Command(doc.nonempty(v, "command")?.to_string())),
            "timeout" => timeout = duration(doc, v, "timeout")?,
            _ => unreachable!("keys were checked"),
        }
    }
    match <[Probe; 1]>::try_from(probes) {
        Ok([probe]) => Ok(Ready { probe, timeout }),
        Err(probes) => Err(doc.err_help(
            value.span(),
            format!("`ready` needs exactly one probe, found {}", probes.len()),
            "use one of `tcp = 5432`, `http = \"http://127.0.0.1:3000/health\"`, `command = \"...\"`",
        )),
    }
}

/// `5432` or `"5432"` (meaning 127.0.0.1) or `"host:port"`, kept as `host:port`.
fn tcp(doc: &Doc<'_>, value: &Value<'_>) -> Res<String> {
    if let DeValue::String(s) = value.get_ref() {
        let (host, port) = s.rsplit_once(':').unwrap_or(("127.0.0.1", s));
        let port_ok = port.parse::<u16>().is_ok_and(|p| p != 0);
        if !host.is_empty() && port_ok {
            return Ok(format!("{host}:{port}"));
        }
        return Err(doc.err(value.span(), "`tcp` must be a port (1 to 65535) or \"host:port\""));
    }
    Ok(format!("127.0.0.1:{}", port(doc, value, "tcp")?))
}

fn restart(doc: &Doc<'_>, value: &Value<'_>) -> Res<Restart> {
    match doc.string(value, "restart")? {
        // `no` is docker compose's spelling; `never` reads better and is kept.
        "no" | "never" => Ok(Restart::Never),
        "on-failure" => Ok(Restart::OnFailure),
        "always" => Ok(Restart::Always),
        other => Err(doc.err(
            value.span(),
            format!("`restart` must be \"no\", \"on-failure\" or \"always\", not \"{other}\""),
        )),
    }
}

/// A signal's name as users write it: `TERM`, `SIGTERM`, `term`, `SigTerm`. Any signal
/// the system knows, except SIGSTOP, which cannot stop a service (it only pauses it).
fn signal(doc: &Doc<'_>, value: &Value<'_>) -> Res<Signal> {
    let written = doc.string(value, "stop_signal")?;
    let upper = written.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") { upper } else { format!("SIG{upper}") };
    match full.parse::<Signal>() {
        Ok(Signal::SIGSTOP) => Err(doc.err_help(
            value.span(),
            "`stop_signal` SIGSTOP only pauses a service, it never stops it",
            format!("use one of {COMMON_SIGNALS}"),
        )),
        Ok(signal) => Ok(signal),
        Err(_) => Err(doc.err_help(
            value.span(),
            format!("unknown `stop_signal` \"{}\"", crate::diag::printable(written)),
            format!("use a signal's name, such as {COMMON_SIGNALS}"),
        )),
    }
}

/// `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds (integer or digit string).
pub fn duration(doc: &Doc<'_>, value: &Value<'_>, what: &str) -> Res<Duration> {
    let wrong = || {
        doc.err_help(
            value.span(),
            format!("`{what}` must be a duration like \"500ms\", \"30s\", \"2m\" or \"1h\""),
            "a bare integer counts seconds",
        )
    };
    let parsed = match value.get_ref() {
        DeValue::Integer(_) => integer(value).and_then(|n| u64::try_from(n).ok()).map(Duration::from_secs),
        DeValue::String(s) => parse_duration(s),
        _ => None,
    };
    parsed.ok_or_else(wrong)
}

fn parse_duration(s: &str) -> Option<Duration> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let secs = |mul: u64| n.checked_mul(mul).map(Duration::from_secs);
    match &s[digits..] {
        "ms" => Some(Duration::from_millis(n)),
        "" | "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        _ => None,
    }
}

/// Every `depends_on` entry names a declared service, and no service depends on itself
/// through any chain.
fn check_deps(doc: &Doc<'_>, services: &IndexMap<String, Service>, deps: &[Dep]) -> Res<()> {
    for d in deps {
        if !services.contains_key(&d.to) {
            let message = match suggest(&d.to, services.keys().map(String::as_str)) {
                Some(near) => format!(
                    "service `{}` depends on unknown service `{}`; did you mean `{near}`?",
                    d.from, d.to
                ),
                None => format!("service `{}` depends on unknown service `{}`", d.from, d.to),
            };
            return Err(doc.err_help(d.span.clone(), message, declared(services)));
        }
    }
    // Depth-first search; `path` is the current chain, a repeat in it is a cycle.
    fn visit<'a>(
        name: &'a str,
        services: &'a IndexMap<String, Service>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|p| *p == name) {
            let mut cycle = path[i..].to_vec();
            cycle.push(name);
            return Some(cycle);
        }
        if done.contains(&name) {
            return None;
        }
        path.push(name);
        for dep in &services[name].depends_on {
            if let Some(cycle) = visit(dep, services, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(name);
        None
    }
    let mut done = Vec::new();
    for name in services.keys() {
        if let Some(cycle) = visit(name, services, &mut Vec::new(), &mut done) {
            let (last, first) = (cycle[cycle.len() - 2], cycle[cycle.len() - 1]);
            let span = deps.iter().find(|d| d.from == last && d.to == first).map(|d| d.span.clone());
            let chain = cycle.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" -> ");
            return Err(doc.err_help(
                span.unwrap_or_default(),
                format!("services depend on each other in a cycle: {chain}"),
                "remove one of these `depends_on` entries",
            ));
        }
    }
    Ok(())
}

/// The help line for an unknown service name (shared with `[enter]`).
pub fn declared(services: &IndexMap<String, Service>) -> String {
    if services.is_empty() {
        return "no service is declared in [services]".into();
    }
    let names: Vec<_> = services.keys().map(|k| format!("`{k}`")).collect();
    format!("the services declared are {}", names.join(", "))
}
