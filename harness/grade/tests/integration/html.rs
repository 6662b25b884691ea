//! `--format html` in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `.ci/run`; the tools rule otherwise). The page
//! has no script, so a copy gets one that opens every `<details>`, records
//! layout facts into the DOM — the document's width against the window's,
//! each element's, each SVG text's box against its drawing's and against
//! the other texts', each arrowhead's marker — and `--dump-dom` reads them
//! back. A screenshot of the deadlock page is decoded by Chromium itself
//! (a canvas) to show it is not blank and that the cycle is drawn in red.
//!
//! Each Chromium runs with a fresh profile as the first process of its own
//! PID namespace (`unshare`, util-linux): when it exits, the kernel ends
//! and reaps every helper it started, the crash handler included (which
//! leaves the process group and the session); the group is killed too if
//! the run outlives its deadline. Nothing of it is left running.

use crate::refutil::tools;

use assert_cmd::Command;
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;
use serde_json::Value;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// How long one Chromium run may take before it is killed (a safety net:
/// a page loads in about a second).
const CHROMIUM_DEADLINE: Duration = Duration::from_secs(90);

/// Window widths the pages are laid out in: a laptop's, a phone's.
pub(crate) const WIDTHS: [u32; 2] = [1024, 420];

fn fixture(rel: &str) -> String {
    crate::refutil::fixtures_dir()
        .join(rel)
        .display()
        .to_string()
}

/// The HTML report of `grade ARGS`, which exits with `code`.
fn html_of(args: &[&str], code: i32) -> String {
    let out = Command::cargo_bin("grade")
        .unwrap()
        .args(args)
        .args(["--format", "html"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the page is UTF-8")
}

/// Headless Chromium, one run at a time.
pub(crate) struct Chromium {
    exe: PathBuf,
    unshare: PathBuf,
}

impl Chromium {
    pub(crate) fn find() -> Option<Chromium> {
        let exe = tools::require("chromium", "chromium")?;
        let unshare = tools::require("unshare", "util-linux")?;
        Some(Chromium { exe, unshare })
    }

    /// Runs Chromium on `url` with `args` and a fresh profile; returns
    /// what it wrote on standard output. Its whole process group is
    /// killed and reaped before this returns.
    fn run(&self, args: &[String], url: &str) -> String {
        let profile = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(&self.unshare);
        if !nix::unistd::geteuid().is_root() {
            cmd.args(["--user", "--map-root-user"]);
        }
        cmd.args(["--pid", "--fork", "--kill-child"]).arg(&self.exe);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            // Without these, Chromium reaches for the network at start,
            // which this machine refuses.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
        let mut child = cmd.spawn().expect("cannot start chromium");
        let group = Pid::from_raw(child.id() as i32);
        // The safety net: the group killed if it outlives the deadline.
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if finished.recv_timeout(CHROMIUM_DEADLINE).is_err() {
                let _ = killpg(group, Signal::SIGKILL);
            }
        });
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.read_to_end(&mut out);
            out
        });
        let status = child.wait().unwrap();
        let _ = done.send(());
        watchdog.join().unwrap();
        // Its namespace is gone with it; the group, in case.
        let _ = killpg(group, Signal::SIGKILL);
        while waitpid(Pid::from_raw(-group.as_raw()), None).is_ok() {}
        let out = reader.join().unwrap();
        let left = running_in_group(group.as_raw());
        assert!(left.is_empty(), "chromium left running: {left:?}");
        assert!(status.success(), "chromium: {status}");
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The DOM of `page` once its scripts ran (`--dump-dom`), in a window
    /// `width` pixels wide.
    pub(crate) fn dom(&self, page: &Path, width: u32) -> String {
        self.run(
            &[
                format!("--window-size={width},900"),
                "--dump-dom".to_string(),
            ],
            &url(page),
        )
    }

    /// A screenshot of `page`, `width` × `height`, as PNG bytes.
    fn screenshot(&self, page: &Path, width: u32, height: u32) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("shot.png");
        self.run(
            &[
                format!("--window-size={width},{height}"),
                format!("--screenshot={}", png.display()),
            ],
            &url(page),
        );
        std::fs::read(&png).expect("chromium wrote the screenshot")
    }
}

fn url(page: &Path) -> String {
    format!("file://{}", page.display())
}

/// Processes of process group `pgid` still running (zombies excepted:
/// they run nothing, and are their reaper's to collect).
fn running_in_group(pgid: i32) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // After the command's closing parenthesis: state, ppid, pgrp.
        let Some(rest) = stat.rfind(')').map(|at| &stat[at + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        if fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" {
            found.push(stat);
        }
    }
    found
}

/// The script injected into a copy of the page: opens every `<details>`,
/// then records what overflows into `<pre id="layout-facts">` as JSON.
pub(crate) const MEASURE: &str = r#"<script>
(function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var doc = document.documentElement;
  var facts = { window: doc.clientWidth, page: doc.scrollWidth, texts: 0,
                arrows: 0, overflows: [], overlaps: [], unresolved: [] };
  var near = function (a, b) { return a <= b + 0.5; };
  var box = function (r) { return Math.round(r.left) + '..' + Math.round(r.right); };
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') return;
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    var what = el.tagName + ' ' + JSON.stringify((el.textContent || '').slice(0, 60));
    if (!near(r.right, doc.clientWidth) || r.left < -0.5)
      facts.overflows.push(what + ' at ' + box(r) + ' in a window ' + doc.clientWidth + ' wide');
    if (el.clientWidth > 0 && !near(el.scrollWidth, el.clientWidth))
      facts.overflows.push(what + ' holds ' + el.scrollWidth + 'px in ' + el.clientWidth + 'px');
  });
  document.querySelectorAll('svg').forEach(function (svg) {
    var frame = svg.getBoundingClientRect();
    var texts = Array.prototype.slice.call(svg.querySelectorAll('text'));
    var boxes = texts.map(function (t) { return t.getBoundingClientRect(); });
    texts.forEach(function (t, k) {
      facts.texts++;
      var r = boxes[k];
      if (r.left < frame.left - 0.5 || !near(r.right, frame.right))
        facts.overflows.push('text ' + JSON.stringify(t.textContent) + ' at ' + box(r)
          + ' outside its drawing ' + box(frame));
      for (var j = 0; j < k; j++) {
        var o = boxes[j];
        var apart = near(r.right, o.left) || near(o.right, r.left)
          || near(r.bottom, o.top) || near(o.bottom, r.top);
        if (!apart && r.width > 0 && o.width > 0)
          facts.overlaps.push(JSON.stringify(texts[j].textContent) + ' and '
            + JSON.stringify(t.textContent));
      }
    });
    svg.querySelectorAll('[marker-end]').forEach(function (line) {
      var id = line.getAttribute('marker-end').replace(/^url\(#(.*)\)$/, '$1');
      var m = document.getElementById(id);
      if (m && m.tagName.toLowerCase() === 'marker' && m.closest('svg') === svg) facts.arrows++;
      else facts.unresolved.push(id);
    });
  });
  var out = document.createElement('pre');
  out.id = 'layout-facts';
  out.textContent = JSON.stringify(facts);
  document.body.appendChild(out);
})();
</script>"#;

/// What `--dump-dom` shows of the text of `<pre id="ID">`.
pub(crate) fn facts_in(dom: &str, id: &str) -> Value {
    let open = format!("<pre id=\"{id}\">");
    let start = dom
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in {dom}"))
        + open.len();
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Lays `page` out in every `WIDTHS` window and checks that nothing
/// overflows: no horizontal scrollbar, no text outside its drawing or on
/// another, every arrowhead's marker in its own drawing.
#[track_caller]
fn lays_out(chromium: &Chromium, name: &str, page: &str) {
    assert!(
        !page.contains("<script"),
        "{name}: the report has no script"
    );
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(format!("{name}.html"));
    std::fs::write(&copy, page.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    for width in WIDTHS {
        let facts = facts_in(&chromium.dom(&copy, width), "layout-facts");
        let at = format!("{name} at {width} px");
        assert!(
            facts["page"].as_u64() <= facts["window"].as_u64(),
            "{at}: a horizontal scrollbar: {facts}"
        );
        for list in ["overflows", "overlaps", "unresolved"] {
            assert_eq!(facts[list], Value::Array(vec![]), "{at}: {list}: {facts}");
        }
        assert!(facts["texts"].as_u64() > Some(10), "{at}: drawn: {facts}");
        assert!(facts["arrows"].as_u64() > Some(0), "{at}: arrows: {facts}");
    }
}

/// A page that shows `png` and counts its colours, and its red pixels,
/// into `<pre id="pixels">` (a `data:` image leaves the canvas readable).
fn pixel_page(png: &[u8]) -> String {
    format!(
        r#"<!DOCTYPE html><html><body><img id="shot" src="data:image/png;base64,{}"><script>
window.addEventListener('load', function () {{
  var img = document.getElementById('shot');
  var c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  var g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  var d = g.getImageData(0, 0, c.width, c.height).data, seen = {{}}, colours = 0, red = 0;
  for (var k = 0; k < d.length; k += 4) {{
    var key = d[k] + ',' + d[k + 1] + ',' + d[k + 2];
    if (!seen[key]) {{ seen[key] = true; colours++; }}
    if (d[k] > 180 && d[k + 1] < 90 && d[k + 2] < 90) red++;
  }}
  var out = document.createElement('pre');
  out.id = 'pixels';
  out.textContent = JSON.stringify({{ width: c.width, height: c.height, colours: colours, red: red }});
  document.body.appendChild(out);
}});
</script></body></html>"#,
        base64(png)
    )
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_is_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}

/// The lecture's deadlock: open, explained, its cycle drawn in red with
/// heads; no score of nothing, no `ref:*`; laid out without overflow; a
/// screenshot that is not blank.
#[test]
fn the_deadlock_page_in_chromium() {
    let page = html_of(&["--reference", "-s", "q3.demo.deadlock"], 0);
    assert!(page.contains("<details open>"), "{page}");
    for absent in ["0/0", "ref:", "Score"] {
        assert!(!page.contains(absent), "{absent} on the page: {page}");
    }
    assert!(page.contains("class=\"why\""), "the explanation: {page}");
    let Some(chromium) = Chromium::find() else {
        return;
    };
    lays_out(&chromium, "deadlock", &page);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deadlock.html");
    std::fs::write(&file, &page).unwrap();
    let png = chromium.screenshot(&file, 1000, 900);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let pixels_page = dir.path().join("pixels.html");
    std::fs::write(&pixels_page, pixel_page(&png)).unwrap();
    let pixels = facts_in(&chromium.dom(&pixels_page, 800), "pixels");
    assert_eq!(pixels["width"], 1000, "{pixels}");
    assert!(pixels["colours"].as_u64() > Some(20), "not blank: {pixels}");
    // Two red arrows with their heads, and the explanation in red.
    assert!(pixels["red"].as_u64() > Some(500), "the cycle: {pixels}");
}

/// A failing q1 server (a line printed in pieces, a 10,000-character line)
/// and failing q2 clients: long tokens wrap, notes stay in their drawing.
#[test]
fn failing_reports_in_chromium() {
    let pages = [
        (
            "q1-split-line",
            html_of(&["--server", &fixture("q1/split_line.py"), "-q", "q1"], 1),
        ),
        (
            "q2-no-newline",
            html_of(&["--client", &fixture("q2/no_newline.py"), "-q", "q2"], 1),
        ),
    ];
    for (name, page) in &pages {
        assert!(page.contains("<details open>"), "{name}: failures are open");
        assert!(!page.contains(">client</text>") || name.starts_with("q2"));
    }
    let Some(chromium) = Chromium::find() else {
        return;
    };
    for (name, page) in &pages {
        lays_out(&chromium, name, page);
    }
}
