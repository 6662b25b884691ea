//! The world a scenario runs in: its network namespace, the programs under
//! test in their pseudo-terminals, the harness's TCP peer, and what /proc says
//! of them. The runner drives it; it knows nothing of scenarios or verdicts.

pub mod cgroup;
pub mod netns;
pub mod procfs;
pub mod program;
pub mod pty;
pub mod reaper;
pub mod waits;
