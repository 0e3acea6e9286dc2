//! An npm package that is an application (JavaScript run by node, with dependencies): its
//! whole tree (`sources::npm_tree`) as `Step::Package` steps into the package's own
//! `node_modules`, and each `bin` command as npm links it on unix: the entry file made
//! executable and `bin/<command>` linked to it, so that its shebang starts node and node
//! finds the dependencies from the entry's real path.
//!
//! A package that carries a platform binary (no dependencies, no `.js`/`.cjs`/`.mjs`
//! command) is not an application: it keeps the plain tarball path.

use std::rc::Rc;

use super::*;
use crate::artifact::Step;
use crate::resolve::sources::npm_tree;

/// The steps and binaries of an application; `None` when the package is not one.
pub(super) struct App {
    pub steps: Vec<Step>,
    pub bins: Vec<String>,
}

impl Resolver {
    /// The tree and commands of `name@version` (`package` is its document) for `platform`,
    /// or `None` when it carries a platform binary instead.
    pub(super) fn npm_app(
        &self,
        package: &npm::Package,
        name: &str,
        version: &str,
        platform: Platform,
    ) -> Result<Option<App>, Error> {
        let commands = package.commands(name, version);
        let scripted =
            commands.iter().any(|(_, entry)| [".js", ".cjs", ".mjs"].iter().any(|ext| entry.ends_with(ext)));
        if commands.is_empty() || (package.dependencies(version).is_empty() && !scripted) {
            return Ok(None);
        }
        let refuse = |reason: String| {
            Error::AppTree {
            package: format!("{name} {version}"),
            reason,
            hint: "report it to the package's authors; den links only plain command names to files inside the package".into(),
        }
        };
        let mut steps = Vec::new();
        let mut bins = Vec::new();
        for (command, entry) in &commands {
            if command.is_empty() || command.contains(['/', '\\', '\0']) || command == "." || command == ".."
            {
                return Err(refuse(format!("its command name `{command}` is not a plain file name")));
            }
            let entry = format!("package/{entry}");
            if let Some(problem) = crate::artifact::bin_problem(&entry) {
                return Err(refuse(format!("the entry `{entry}` of `{command}` is refused: {problem}")));
            }
            let link = format!("bin/{command}");
            steps.push(Step::Chmod { path: entry.clone() });
            steps.push(Step::Symlink { link: link.clone(), target: format!("../{entry}") });
            bins.push(link);
        }
        if package.has_install_script(version) {
            return Err(Error::AppTree {
                package: format!("{name} {version}"),
                reason: "it needs an install script, and den runs none".into(),
                hint: "den installs npm packages that need no install script; run this one with npm itself"
                    .into(),
            });
        }
        let (os, cpu) = (platform.os.as_str(), platform.arch.as_str());
        let mut docs: HashMap<String, Rc<npm::Package>> = HashMap::new();
        let mut doc = |dep: &str| -> Result<Rc<npm::Package>, Error> {
            if let Some(found) = docs.get(dep) {
                return Ok(found.clone());
            }
            let registry = self.registry(&super::listing::npm_key(dep), || {
                registry::npm_registry(&self.sources, &self.discovery, dep)
            })?;
            let client = self.fetch.client.with_header("Accept", npm::ACCEPT);
            let fetched = Rc::new(npm::Package::fetch(&self.fetch, &client, &registry.url, dep)?);
            docs.insert(dep.to_string(), fetched.clone());
            Ok(fetched)
        };
        let placed = npm_tree::resolve(name, version, (os, cpu), &mut |dep: &str| {
            if dep == name {
                // The application's own document, already fetched.
                return Ok(Rc::new(npm::Package { doc: package.doc.clone() }));
            }
            doc(dep)
        })?;
        let mut packages: Vec<Step> = placed
            .into_iter()
            .map(|p| Step::Package {
                name: p.name,
                url: p.tarball,
                checksum: p.integrity,
                into: format!("package/{}", p.dir),
            })
            .collect();
        packages.append(&mut steps);
        Ok(Some(App { steps: packages, bins }))
    }
}
