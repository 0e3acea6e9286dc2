//! `[services]`, `[enter]` and `[ide]`: every rule, with the good and the bad inputs.

use std::time::Duration;

use super::tests::{check, err, ok};
use nix::sys::signal::Signal;

use crate::project::{Preset, Probe, Restart, Run};

#[test]
fn service_fields() {
    let m = ok(r#"
[services.web]
run = "npm start"
port = 8080
ready = { tcp = 8080, timeout = "500ms" }
restart = "always"
cwd = "web"
stop_signal = "int"
stop_timeout = 5
env = { DEBUG = true, NAME = "x" }

[services.worker]
run = "./worker"
ready = { command = "test -f ready", timeout = 90 }
stop_signal = "SIGQUIT"
stop_timeout = "2m"
depends_on = ["web", "db"]

[services.db]
preset = "redis"
ready = { tcp = "localhost:6379", timeout = "1h" }
"#);
    let web = &m.services["web"];
    assert_eq!(web.port, Some(8080));
    let ready = web.ready.as_ref().unwrap();
    assert_eq!(
        (&ready.probe, ready.timeout),
        (&Probe::Tcp("127.0.0.1:8080".into()), Duration::from_millis(500))
    );
    assert_eq!(web.restart, Restart::Always);
    assert_eq!(web.cwd.as_deref(), Some("web"));
    assert_eq!((web.stop_with(), web.stop_timeout), (Signal::SIGINT, Duration::from_secs(5)));
    assert_eq!(
        web.env.iter().collect::<Vec<_>>(),
        [(&"DEBUG".to_string(), &"true".to_string()), (&"NAME".into(), &"x".into())]
    );
    let worker = &m.services["worker"];
    let ready = worker.ready.as_ref().unwrap();
    assert_eq!(
        (&ready.probe, ready.timeout),
        (&Probe::Command("test -f ready".into()), Duration::from_secs(90))
    );
    assert_eq!((worker.stop_with(), worker.stop_timeout), (Signal::SIGQUIT, Duration::from_secs(120)));
    assert_eq!(worker.depends_on, ["web", "db"]);
    let db = &m.services["db"];
    let ready = db.ready.as_ref().unwrap();
    assert_eq!(
        (&ready.probe, ready.timeout),
        (&Probe::Tcp("localhost:6379".into()), Duration::from_secs(3600))
    );
    assert_eq!(m.services.keys().collect::<Vec<_>>(), ["web", "worker", "db"]);
}

#[test]
fn every_signal_spelling_is_read_as_users_write_it() {
    for (written, want) in [
        ("TERM", Signal::SIGTERM),
        ("SIGTERM", Signal::SIGTERM),
        ("INT", Signal::SIGINT),
        ("SIGHUP", Signal::SIGHUP),
        ("hup", Signal::SIGHUP),
        ("SigKill", Signal::SIGKILL),
        ("USR1", Signal::SIGUSR1),
        ("sigusr2", Signal::SIGUSR2),
        ("WINCH", Signal::SIGWINCH),
        ("SIGPWR", Signal::SIGPWR),
    ] {
        let m = ok(&format!("[services.a]\nrun = \"x\"\nstop_signal = \"{written}\"\n"));
        assert_eq!(m.services["a"].stop_signal, Some(want), "{written}");
    }
}

/// Only the default differs per preset: postgres stops on SIGINT unless den.toml names a
/// signal, and one it names (SIGTERM included) is kept.
#[test]
fn a_preset_s_default_signal_yields_to_an_explicit_one() {
    let m = ok(
        "[services.db]\npreset = \"postgres\"\n[services.pg]\npreset = \"postgres\"\nstop_signal = \"SIGTERM\"\n[services.r]\npreset = \"redis\"\n[services.w]\nrun = \"x\"\n",
    );
    let stops: Vec<_> = m.services.values().map(|s| (s.name.as_str(), s.preset, s.stop_with())).collect();
    assert_eq!(
        stops,
        [
            ("db", Some(Preset::Postgres), Signal::SIGINT),
            ("pg", Some(Preset::Postgres), Signal::SIGTERM),
            ("r", Some(Preset::Redis), Signal::SIGTERM),
            ("w", None, Signal::SIGTERM),
        ]
    );
}

#[test]
fn service_errors() {
    let cases = [
        ("[services.a]\n", "den.toml:1:11: service `a` needs `run` or `preset`"),
        (
            "[services.a]\nrun = \"x\"\npreset = \"redis\"\n",
            "den.toml:2:1: service `a` has both `run` and `preset`",
        ),
        (
            "[services.a]\nrun = \"x\"\nversion = \"1\"\n",
            "den.toml:3:1: `version` of service `a` applies to presets only",
        ),
        (
            "[services.a]\npreset = \"postgress\"\n",
            "den.toml:2:10: unknown preset `postgress`; did you mean `postgres`?",
        ),
        ("[services.a]\npreset = \"mongo\"\n", "den.toml:2:10: unknown preset `mongo`"),
        (
            "[services.a]\nrun = \"x\"\nprot = 1\n",
            "den.toml:3:1: unknown key `prot` in [services.a]; did you mean `port`?",
        ),
        (
            "[services.a]\nrun = \"x\"\nport = 0\n",
            "den.toml:3:8: `port` must be an integer between 1 and 65535",
        ),
        (
            "[services.a]\nrun = \"x\"\nport = 70000\n",
            "den.toml:3:8: `port` must be an integer between 1 and 65535",
        ),
        (
            "[services.a]\nrun = \"x\"\nport = \"80\"\n",
            "den.toml:3:8: `port` must be an integer between 1 and 65535",
        ),
        ("[services.a]\nrun = \"\"\n", "den.toml:2:7: `run` must not be empty"),
        (
            "[services.a]\nrun = \"x\"\nrestart = \"sometimes\"\n",
            "den.toml:3:11: `restart` must be \"no\", \"on-failure\" or \"always\", not \"sometimes\"",
        ),
        (
            "[services.a]\nrun = \"x\"\nstop_signal = \"SIGFOO\"\n",
            "den.toml:3:15: unknown `stop_signal` \"SIGFOO\"",
        ),
        (
            "[services.a]\nrun = \"x\"\nstop_signal = \"term\\n\"\n",
            "den.toml:3:15: unknown `stop_signal` \"term\\n\"",
        ),
        (
            "[services.a]\nrun = \"x\"\nstop_signal = \"stop\"\n",
            "den.toml:3:15: `stop_signal` SIGSTOP only pauses a service, it never stops it",
        ),
        ("[services.a]\npreset = \"mysql\"\n", "den.toml:2:10: unknown preset `mysql`"),
        (
            "[services.a]\nrun = \"x\"\nstop_timeout = \"5 minutes\"\n",
            "den.toml:3:16: `stop_timeout` must be a duration like \"500ms\", \"30s\", \"2m\" or \"1h\"",
        ),
        (
            "[services.a]\nrun = \"x\"\nstop_timeout = -1\n",
            "den.toml:3:16: `stop_timeout` must be a duration like \"500ms\", \"30s\", \"2m\" or \"1h\"",
        ),
        ("[services.a]\nrun = \"x\"\nready = {}\n", "den.toml:3:9: `ready` needs exactly one probe, found 0"),
        (
            "[services.a]\nrun = \"x\"\nready = { tcp = 1, http = \"http://h\" }\n",
            "den.toml:3:9: `ready` needs exactly one probe, found 2",
        ),
        (
            "[services.a]\nrun = \"x\"\nready = { tpc = 1 }\n",
            "den.toml:3:11: unknown key `tpc` in `ready`; did you mean `tcp`?",
        ),
        (
            "[services.a]\nrun = \"x\"\nready = { tcp = \"host:\" }\n",
            "den.toml:3:17: `tcp` must be a port (1 to 65535) or \"host:port\"",
        ),
        (
            "[services.a]\nrun = \"x\"\nready = { http = \"localhost:3000\" }\n",
            "den.toml:3:18: `http` must be an http:// or https:// URL, not `localhost:3000`",
        ),
        (
            "[services.a]\nrun = \"x\"\nenv = { \"A B\" = \"1\" }\n",
            "den.toml:3:9: invalid variable name `A B`",
        ),
        ("[services.a]\nrun = \"x\"\nenv = \"A=1\"\n", "den.toml:3:7: `env` must be a table, not a string"),
        ("[services.\"a/b\"]\nrun = \"x\"\n", "den.toml:1:11: invalid service name `a/b`"),
        ("[services]\na = \"x\"\n", "den.toml:2:5: `a` must be a table, not a string"),
        (
            "[services.a]\nrun = \"x\"\ndepends_on = \"b\"\n",
            "den.toml:3:14: `depends_on` must be an array of strings, not a string",
        ),
    ];
    check(&cases);
}

#[test]
fn unknown_dependency_is_named_with_suggestion() {
    assert_eq!(
        err("[services.db]\npreset = \"postgres\"\n\n[services.api]\nrun = \"x\"\ndepends_on = [\"dv\"]\n"),
        "den.toml:6:15: service `api` depends on unknown service `dv`; did you mean `db`?\n  |\n\
         6 | depends_on = [\"dv\"]\n  |               ^^^^\nhelp: the services declared are `db`, `api`"
    );
}

#[test]
fn dependency_cycles_are_named() {
    let src = "[services.a]\nrun = \"x\"\ndepends_on = [\"b\"]\n[services.b]\nrun = \"x\"\ndepends_on = [\"c\"]\n\
               [services.c]\nrun = \"x\"\ndepends_on = [\"a\"]\n";
    assert_eq!(
        err(src),
        "den.toml:9:15: services depend on each other in a cycle: `a` -> `b` -> `c` -> `a`\n  |\n\
         9 | depends_on = [\"a\"]\n  |               ^^^\nhelp: remove one of these `depends_on` entries"
    );
    check(&[(
        "[services.a]\nrun = \"x\"\ndepends_on = [\"a\"]\n",
        "den.toml:3:15: services depend on each other in a cycle: `a` -> `a`",
    )]);
    // A diamond is not a cycle.
    ok(
        "[services.a]\nrun = \"x\"\ndepends_on = [\"b\", \"c\"]\n[services.b]\nrun = \"x\"\ndepends_on = [\"d\"]\n\
        [services.c]\nrun = \"x\"\ndepends_on = [\"d\"]\n[services.d]\nrun = \"x\"\n",
    );
}

#[test]
fn enter_and_ide() {
    let cases = [
        ("[enter]\nservices = [\"db\"]\n", "den.toml:2:13: [enter] names unknown service `db`"),
        (
            "[services.db]\npreset = \"redis\"\n[enter]\nservices = [\"bd\"]\n",
            "den.toml:4:13: [enter] names unknown service `bd`; did you mean `db`?",
        ),
        (
            "[enter]\nservice = []\n",
            "den.toml:2:1: unknown key `service` in [enter]; did you mean `services`?",
        ),
        ("[ide]\neditor = 1\n", "den.toml:2:10: `editor` must be a string, not an integer"),
        ("[ide]\neditr = \"code\"\n", "den.toml:2:1: unknown key `editr` in [ide]; did you mean `editor`?"),
    ];
    check(&cases);
    assert!(err("[enter]\nservices = [\"db\"]\n").ends_with("help: no service is declared in [services]"));
}

#[test]
fn service_run_is_a_command_line_or_an_argv() {
    let m =
        ok("[services.a]\nrun = [\"python3\", \"-m\", \"http.server\"]\n[services.b]\nrun = \"sleep 1\"\n");
    assert_eq!(
        m.services["a"].run,
        Some(Run::Argv(vec!["python3".into(), "-m".into(), "http.server".into()]))
    );
    assert_eq!(m.services["b"].run, Some(Run::Shell("sleep 1".into())));
    for bad in ["run = []", "run = [\"\"]"] {
        assert!(err(&format!("[services.a]\n{bad}\n")).contains("`run` needs a program"), "{bad}");
    }
    assert!(err("[services.a]\nrun = [1]\n").contains("an array of strings"));
}

#[test]
fn service_init_is_for_run_services_and_args_config_user_for_presets() {
    let m = ok(
        "[services.a]\nrun = \"x\"\ninit = \"make db\"\n[services.db]\npreset = \"postgres\"\nargs = [\"-c\", \"fsync=off\"]\nconfig = \"pg.conf\"\nuser = \"me\"\n",
    );
    assert_eq!(m.services["a"].init.as_deref(), Some("make db"));
    let db = &m.services["db"];
    assert_eq!((db.args.len(), db.config.as_deref(), db.user.as_deref()), (2, Some("pg.conf"), Some("me")));
    let e = err("[services.db]\npreset = \"redis\"\ninit = \"x\"\n");
    assert!(e.contains("`init` of service `db` applies to `run` services only"), "{e}");
    for k in ["args = [\"a\"]", "config = \"c\"", "user = \"u\""] {
        let e = err(&format!("[services.a]\nrun = \"x\"\n{k}\n"));
        assert!(e.contains("applies to presets only"), "{k}: {e}");
    }
}

#[test]
fn watch_globs_stay_inside_the_project() {
    let m = ok("[services.a]\nrun = \"x\"\nwatch = [\"src/**/*.py\", \"app.toml\"]\n");
    assert_eq!(m.services["a"].watch, ["src/**/*.py", "app.toml"]);
    for bad in ["/etc/*", "../x/*", "src/../../y"] {
        let e = err(&format!("[services.a]\nrun = \"x\"\nwatch = [\"{bad}\"]\n"));
        assert!(e.contains("must stay inside the project"), "{bad}: {e}");
    }
}

#[test]
fn the_short_spellings_no_and_cmd_are_read() {
    let m = ok(r#"
[services.a]
run = "x"
restart = "no"
ready = { cmd = "test -f ready" }

[services.b]
run = "y"
restart = "never"
"#);
    assert_eq!(m.services["a"].restart, Restart::Never);
    assert_eq!(m.services["b"].restart, Restart::Never);
    assert_eq!(m.services["a"].ready.as_ref().unwrap().probe, Probe::Command("test -f ready".into()));
}
