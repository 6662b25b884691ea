//! The world a scenario runs in: its network namespace, the programs under
//! test in their pseudo-terminals, the harness's TCP peer (`peer`) and its
//! relay on a pair's wire (`relay`), and what /proc says of them. The runner
//! drives it; it knows nothing of scenarios or verdicts.

pub mod cgroup;
pub mod interrupt;
pub mod landlock;
pub mod layers;
pub mod limits;
pub mod mounts;
pub mod netns;
pub mod peer;
pub mod procfs;
pub mod program;
pub mod pty;
pub mod rawsys;
pub mod reaper;
pub mod relay;
pub mod sleeps;
pub mod sockdiag;
pub mod spawn;
pub mod waits;

/// Before a grading run, while the process has a single thread: as an
/// ordinary user, a user namespace where network namespaces may be made
/// (`netns::enter_user_namespace`; refused: scenarios run on the host);
/// Ctrl-C and SIGTERM clean up (`interrupt`); cgroups left by a `grade`
/// that was killed outright are removed, and its scratch directories
/// (`cgroup::remove_stale`, `interrupt::remove_stale_dirs`).
pub fn set_up() -> std::io::Result<()> {
    if !netns::refused_by_caller() {
        let _ = netns::enter_user_namespace();
    }
    interrupt::install()?;
    cgroup::remove_stale();
    interrupt::remove_stale_dirs();
    Ok(())
}
