//! Messages. Every user-facing string of `grade` comes from Fluent
//! catalogues: `messages/LANG/*.ftl`, embedded at build time, to which
//! `--messages DIR` adds languages or overrides messages without a rebuild.
//! A message travels as an id with its arguments (`Msg`) and becomes text
//! only in a reporter, in the report's language (`Lang`).
//!
//! Message ids are a contract once instructors override them: never rename
//! one. What fluent-bundle leaves to us, done here: no Unicode isolation
//! marks around placeables (they would end up in every JSON, JUnit and
//! terminal string), numbers formatted per language (a decimal comma in
//! French), and the fallback to English for a message a language lacks.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The language every message exists in, and the one a lookup falls back to.
pub const FALLBACK: &str = "en";

/// A message argument. Ports and other identifiers are strings (a number
/// would be formatted per language: "8 080"); counts are numbers, so that
/// the language's plural rules apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    /// A number, with a fixed count of fraction digits if given.
    Num(f64, Option<usize>),
    /// Another message, rendered in the same language first.
    Msg(Box<Msg>),
}

impl Arg {
    /// Seconds, shown with one decimal ("2.8" or "2,8").
    pub fn secs(d: std::time::Duration) -> Arg {
        Arg::Num(d.as_secs_f64(), Some(1))
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Num(n as f64, None)
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Num(n as f64, None)
    }
}
impl From<i32> for Arg {
    fn from(n: i32) -> Arg {
        Arg::Num(f64::from(n), None)
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Arg {
        Arg::Num(f64::from(n), None)
    }
}
impl From<f64> for Arg {
    fn from(n: f64) -> Arg {
        Arg::Num(n, None)
    }
}
impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

/// A message id with its arguments: what the stages pass on; text only
/// once a reporter renders it with `Lang::msg`.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Msg {
        Msg {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    /// The string argument `name`, if the message has one.
    pub fn str_arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find_map(|(n, a)| match a {
            Arg::Str(s) if *n == name => Some(s.as_str()),
            _ => None,
        })
    }
}

/// A catalogue file that does not parse, or cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: `{1}` is not a language tag (a folder of --messages is named by its language, such as `de`)")]
    NotALanguage(PathBuf, String),
}

type Bundle = FluentBundle<FluentResource>;

/// Every language's messages.
pub struct Catalog {
    bundles: BTreeMap<String, Bundle>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Catalog {
    /// The embedded catalogues (shared: built once).
    pub fn builtin() -> Arc<Catalog> {
        static BUILTIN: OnceLock<Arc<Catalog>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let mut c = Catalog {
                    bundles: BTreeMap::new(),
                };
                for (lang, file, text) in MESSAGES {
                    let path = Path::new("messages").join(lang).join(file);
                    // The embedded files are checked by this module's tests.
                    c.add(lang, &path, text, false)
                        .unwrap_or_else(|e| panic!("embedded catalogue: {e}"));
                }
                Arc::new(c)
            })
            .clone()
    }

    /// The embedded catalogues, unshared, to add to.
    fn embedded() -> Result<Catalog, CatalogError> {
        let mut c = Catalog {
            bundles: BTreeMap::new(),
        };
        for (lang, file, text) in MESSAGES {
            let path = Path::new("messages").join(lang).join(file);
            c.add(lang, &path, text, false)?;
        }
        Ok(c)
    }

    /// The embedded catalogues, then `(language, Fluent text)` resources
    /// given in memory, which override or add messages as `--messages` does.
    pub fn with_resources(extra: &[(&str, &str)]) -> Result<Arc<Catalog>, CatalogError> {
        let mut c = Catalog::embedded()?;
        for (lang, text) in extra {
            c.add(lang, Path::new("(in memory)"), text, true)?;
        }
        Ok(Arc::new(c))
    }

    /// The embedded catalogues, then every `DIR/LANG/*.ftl`: a message
    /// given again replaces the embedded one, a new folder adds a language.
    pub fn with_overrides(dir: &Path) -> Result<Arc<Catalog>, CatalogError> {
        let mut c = Catalog::embedded()?;
        let read = |p: &Path| std::fs::read_dir(p).map_err(|e| CatalogError::Read(p.into(), e));
        let mut langs: Vec<PathBuf> = read(dir)?.flatten().map(|e| e.path()).collect();
        langs.retain(|p| p.is_dir());
        langs.sort();
        for folder in langs {
            let lang = folder
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if lang.parse::<unic_langid::LanguageIdentifier>().is_err() {
                return Err(CatalogError::NotALanguage(folder, lang));
            }
            let mut files: Vec<PathBuf> = read(&folder)?.flatten().map(|e| e.path()).collect();
            files.retain(|p| p.extension().is_some_and(|x| x == "ftl"));
            files.sort();
            for f in files {
                let text =
                    std::fs::read_to_string(&f).map_err(|e| CatalogError::Read(f.clone(), e))?;
                c.add(&lang, &f, &text, true)?;
            }
        }
        Ok(Arc::new(c))
    }

    fn add(
        &mut self,
        lang: &str,
        path: &Path,
        text: &str,
        overriding: bool,
    ) -> Result<(), CatalogError> {
        let res = FluentResource::try_new(text.to_string()).map_err(|(_, errors)| {
            let e = &errors[0];
            let (line, column) = crate::scenario::position(text, e.pos.start);
            CatalogError::Parse {
                file: path.to_path_buf(),
                line,
                column,
                message: e.kind.to_string(),
            }
        })?;
        let bundle = self
            .bundles
            .entry(lang.to_string())
            .or_insert_with(|| new_bundle(lang));
        if overriding {
            bundle.add_resource_overriding(res);
        } else if let Err(errors) = bundle.add_resource(res) {
            return Err(CatalogError::Parse {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("{errors:?}"),
            });
        }
        Ok(())
    }

    /// The languages that have a catalogue, sorted.
    pub fn languages(&self) -> Vec<&str> {
        self.bundles.keys().map(String::as_str).collect()
    }

    /// `code`'s messages, if the language has a catalogue.
    pub fn lang(self: &Arc<Self>, code: &str) -> Option<Lang> {
        self.bundles.contains_key(code).then(|| Lang {
            catalog: self.clone(),
            code: code.to_string(),
        })
    }

    /// The message `id` in `lang`, else in English; `None` when neither has it.
    fn render(&self, lang: &str, id: &str, args: &FluentArgs) -> Option<String> {
        [lang, FALLBACK].into_iter().find_map(|l| {
            let bundle = self.bundles.get(l)?;
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            Some(
                bundle
                    .format_pattern(pattern, Some(args), &mut errors)
                    .into_owned(),
            )
        })
    }

    /// Whether `id` exists in the English catalogue.
    pub fn has(&self, id: &str) -> bool {
        self.bundles
            .get(FALLBACK)
            .is_some_and(|b| b.has_message(id))
    }
}

fn new_bundle(lang: &str) -> Bundle {
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    b.set_formatter(Some(if decimal_comma(lang) {
        number_with_comma
    } else {
        number_with_point
    }));
    b
}

/// Languages that write a decimal comma (CLDR), by their primary subtag.
fn decimal_comma(lang: &str) -> bool {
    const COMMA: &[&str] = &[
        "fr", "de", "es", "it", "pt", "vi", "ru", "pl", "nl", "cs", "sk", "tr", "sv", "da", "nb",
        "nn", "no", "fi", "id", "ro", "hu", "uk", "el", "ca", "hr", "sl", "sr", "bg", "lt", "lv",
        "et", "is",
    ];
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    COMMA.contains(&primary)
}

fn number_with_point<M>(v: &FluentValue, _: &M) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(number(n)),
        _ => None,
    }
}

fn number_with_comma<M>(v: &FluentValue, _: &M) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(number(n).replace('.', ",")),
        _ => None,
    }
}

/// A number with its fraction digits (no grouping: counts here are small,
/// and identifiers such as ports are passed as strings).
fn number(n: &FluentNumber) -> String {
    let min = n.options.minimum_fraction_digits.unwrap_or(0);
    match n.options.maximum_fraction_digits {
        Some(max) => {
            let s = format!("{:.*}", max, n.value);
            if max <= min || !s.contains('.') {
                return s;
            }
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let mut frac = frac.to_string();
            while frac.len() > min && frac.ends_with('0') {
                frac.pop();
            }
            if frac.is_empty() {
                int.to_string()
            } else {
                format!("{int}.{frac}")
            }
        }
        None => n.as_string().into_owned(),
    }
}

/// One language of a catalogue: what renders messages.
#[derive(Clone)]
pub struct Lang {
    catalog: Arc<Catalog>,
    code: String,
}

impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lang({})", self.code)
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        self.code == other.code
    }
}

impl Default for Lang {
    /// English, from the embedded catalogue.
    fn default() -> Lang {
        Lang::builtin(FALLBACK)
    }
}

impl Lang {
    /// A shipped language (`en`, `fr`); panics on any other.
    pub fn builtin(code: &str) -> Lang {
        Catalog::builtin()
            .lang(code)
            .unwrap_or_else(|| panic!("no embedded catalogue for `{code}`"))
    }

    /// The language tag: `en`, `fr`…
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The catalogue this language is from.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// `m` in this language (else in English; else its id, so that a
    /// missing message shows what is missing instead of nothing).
    pub fn msg(&self, m: &Msg) -> String {
        let mut args = FluentArgs::new();
        for (name, a) in &m.args {
            let value = match a {
                Arg::Str(s) => FluentValue::from(s.clone()),
                Arg::Num(n, digits) => {
                    let options = FluentNumberOptions {
                        minimum_fraction_digits: *digits,
                        maximum_fraction_digits: *digits,
                        ..FluentNumberOptions::default()
                    };
                    FluentValue::Number(FluentNumber::new(*n, options))
                }
                Arg::Msg(inner) => FluentValue::from(self.msg(inner)),
            };
            args.set(*name, value);
        }
        self.catalog
            .render(&self.code, m.id, &args)
            .unwrap_or_else(|| m.id.to_string())
    }

    /// The message `id`, without arguments.
    pub fn get(&self, id: &'static str) -> String {
        self.msg(&Msg::new(id))
    }

    /// A number with `digits` fraction digits, written as this language does.
    pub fn number(&self, value: f64, digits: usize) -> String {
        let s = format!("{value:.digits$}");
        if decimal_comma(&self.code) {
            s.replace('.', ",")
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;
    use std::collections::BTreeSet;

    /// Message id → the variables it uses, of one language's embedded files.
    fn variables(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (l, file, text) in MESSAGES.iter().filter(|(l, ..)| *l == lang) {
            let res = fluent_syntax::parser::parse(*text)
                .unwrap_or_else(|(_, e)| panic!("messages/{l}/{file}: {e:?}"));
            for entry in res.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    for a in &m.attributes {
                        pattern_vars(&a.value, &mut vars);
                    }
                    assert!(
                        out.insert(m.id.name.to_string(), vars).is_none(),
                        "messages/{l}/{file}: `{}` given twice",
                        m.id.name
                    );
                }
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for e in &p.elements {
            if let ast::PatternElement::Placeable { expression } = e {
                expr_vars(expression, out);
            }
        }
    }

    fn expr_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, out),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_variables() {
        let en = variables(FALLBACK);
        assert!(!en.is_empty());
        let langs: BTreeSet<&str> = MESSAGES.iter().map(|(l, ..)| *l).collect();
        for lang in langs {
            let other = variables(lang);
            for (id, vars) in &en {
                assert_eq!(
                    other.get(id),
                    Some(vars),
                    "`{id}` in {lang}: variables differ or the message is missing"
                );
            }
            for id in other.keys() {
                assert!(
                    en.contains_key(id),
                    "`{id}` in {lang} has no English original"
                );
            }
        }
    }

    #[test]
    fn the_embedded_catalogues_load() {
        let c = Catalog::builtin();
        assert_eq!(c.languages(), ["en", "fr"]);
    }

    #[test]
    fn no_isolation_marks_and_french_numbers() {
        let fr = Lang::builtin("fr");
        let m = Msg::new("duration-seconds").arg("secs", Arg::Num(2.8, Some(1)));
        assert_eq!(fr.msg(&m), "2,8 s");
        let en = Lang::builtin("en");
        assert_eq!(en.msg(&m), "2.8 s");
        let s = en.msg(&Msg::new("count-failed").arg("n", 4usize));
        assert_eq!(s, "4 failed", "no U+2068/U+2069 around placeables");
    }

    #[test]
    fn french_plurals_count_zero_and_one_as_singular() {
        let fr = Lang::builtin("fr");
        let n = |k: usize| fr.msg(&Msg::new("count-failed").arg("n", k));
        assert_eq!(n(0), "0 échoué");
        assert_eq!(n(1), "1 échoué");
        assert_eq!(n(2), "2 échoués");
        let en = Lang::builtin("en");
        assert_eq!(
            en.msg(&Msg::new("count-failed").arg("n", 0usize)),
            "0 failed"
        );
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_id() {
        let dir = std::env::temp_dir().join(format!("grade-msg-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("xx")).unwrap();
        std::fs::write(dir.join("xx/a.ftl"), "count-failed = { $n } kaputt\n").unwrap();
        let c = Catalog::with_overrides(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let xx = c.lang("xx").unwrap();
        assert_eq!(
            xx.msg(&Msg::new("count-failed").arg("n", 3usize)),
            "3 kaputt"
        );
        assert_eq!(
            xx.msg(&Msg::new("duration-seconds").arg("secs", 1.5)),
            "1.5 s"
        );
        assert_eq!(xx.get("no-such-message"), "no-such-message");
    }

    #[test]
    fn a_parse_error_names_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("grade-msg-bad-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("de")).unwrap();
        std::fs::write(dir.join("de/a.ftl"), "ok = fine\n\nbroken = { $n\n").unwrap();
        let e = Catalog::with_overrides(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.contains("de/a.ftl:4:1: "), "{e}");
    }

    #[test]
    fn numbers_keep_their_fraction_digits() {
        let en = Lang::builtin("en");
        assert_eq!(en.number(2.0, 1), "2.0");
        assert_eq!(Lang::builtin("fr").number(0.25, 2), "0,25");
        assert_eq!(
            en.msg(&Msg::new("duration-seconds").arg("secs", Arg::Num(3.0, Some(1)))),
            "3.0 s"
        );
    }
}
