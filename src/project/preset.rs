//! The presets: the services den knows how to run (`preset = "postgres"`), as one type.
//! den.toml's parser reads a name into a `Preset` (an unknown name is a located read
//! error naming these), the services front end plans each one's server, and the
//! environment's service-exports layer exports its variables: all three match on this
//! enum, so a preset is added here (`ALL`, `name`, `tool`) and the compiler names every
//! other place that must learn it.
//!
//! A model type: no I/O, never starts or installs anything.

use nix::sys::signal::Signal;

/// A built-in service recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    Postgres,
    Redis,
    Valkey,
}

impl Preset {
    /// Every preset, in the order den names them.
    pub const ALL: [Preset; 3] = [Preset::Postgres, Preset::Redis, Preset::Valkey];

    /// The name den.toml gives it.
    pub const fn name(self) -> &'static str {
        match self {
            Preset::Postgres => "postgres",
            Preset::Redis => "redis",
            Preset::Valkey => "valkey",
        }
    }

    /// The catalog tool that runs it.
    pub const fn tool(self) -> &'static str {
        match self {
            Preset::Postgres => "postgres",
            Preset::Redis => "redis",
            Preset::Valkey => "valkey",
        }
    }

    /// The signal that stops it when den.toml names none: postgres's fast shutdown is
    /// SIGINT (its SIGTERM waits for every client to leave); the others stop on SIGTERM.
    pub const fn default_stop_signal(self) -> Signal {
        match self {
            Preset::Postgres => Signal::SIGINT,
            Preset::Redis | Preset::Valkey => Signal::SIGTERM,
        }
    }

    /// The preset called `name` (exactly as den.toml spells it).
    pub fn named(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// `` `postgres`, `redis`, `valkey` ``: for a message.
    pub fn names() -> String {
        Preset::ALL.iter().map(|p| format!("`{}`", p.name())).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_found_by_its_name() {
        for p in Preset::ALL {
            assert_eq!(Preset::named(p.name()), Some(p));
        }
        assert_eq!(Preset::named("mysql"), None);
        assert_eq!(Preset::named("Postgres"), None);
        assert_eq!(Preset::names(), "`postgres`, `redis`, `valkey`");
    }
}
