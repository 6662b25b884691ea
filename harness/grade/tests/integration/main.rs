//! The integration tests, in one binary: each module runs the real `grade`
//! binary (or `grade reference`) against real programs. One binary links
//! once and shares one helper set (`refutil`). Its tests share one process,
//! and so one subreaper: a test finds what it left running by a marker of
//! its own in the processes' command lines, never by parentage alone.

mod refutil;

mod batch;
mod cli;
mod demo;
mod gallery;
mod hostile;
mod html;
mod lang;
mod port;
mod portable;
mod reference;
mod reports;
mod sandbox;
mod templates;
mod timed_sleeps;
