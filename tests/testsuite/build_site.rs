//! End-to-end tests of `cheatgen build` on fixture sites (tests/fixtures/<case>/).

use crate::common;
use crate::common::{body_text, check_links, sel, texts, Site};

#[test]
fn messy_note_gives_one_card_per_h1() {
    let site = Site::fixture("messy");
    let stderr = site.build_ok(&[]);
    assert!(stderr.contains("built 1 sheet, 8 cards"), "{stderr}");
    let page = site.page("python-notes/index.html");
    assert_eq!(texts(&page, "h1"), ["Python notes"]);
    assert_eq!(page.select(&sel(".card")).count(), 8);
    let first = page.select(&sel(".card")).next().unwrap();
    let inner: Vec<_> = first
        .select(&sel("h3"))
        .map(|h| h.text().collect::<String>())
        .collect();
    assert!(
        inner.iter().any(|t| t.contains("Code Explanation")),
        "### stays in its card: {inner:?}"
    );
    for lang in ["python", "bash"] {
        let spans = page
            .select(&sel(&format!(r#"div.code[data-lang="{lang}"] pre span"#)))
            .count();
        assert!(spans > 2, "{lang} block has token spans");
    }
    // The fence indented inside a list item is highlighted too.
    let list_code = page.select(&sel("li div.code pre span")).count();
    assert!(list_code > 0, "indented fence highlighted");
    assert!(page.select(&sel("button.copy")).count() >= 3);
}

#[test]
fn raw_html_is_safe_and_literal() {
    let site = Site::fixture("messy");
    site.build_ok(&[]);
    let page = site.page("python-notes/index.html");
    let text = body_text(&page);
    assert!(
        text.contains("<function make_pointwise.<locals>.inner at 0x7f3a2c1b0d30>"),
        "{text}"
    );
    assert!(text.contains(r#"<script>alert("owned")</script>"#));
    // The theme's one inline script (theme choice before first paint) is in <head>.
    for s in page.select(&sel("body script")) {
        assert!(
            s.value().attr("src").is_some(),
            "only external theme scripts: {:?}",
            s.html()
        );
    }
}

#[test]
fn unsafe_html_passes_through_when_enabled() {
    let site = Site::empty();
    site.write("cheatgen.toml", "[markdown]\nunsafe_html = true\n");
    site.write(
        "content/a.md",
        "# A\n\n<kbd>Ctrl</kbd> <marquee>hi</marquee>\n",
    );
    site.build_ok(&[]);
    let page = site.page("a/index.html");
    assert_eq!(page.select(&sel("marquee")).count(), 1);
}

#[test]
fn tidy_note_gives_groups_and_front_matter_title() {
    let site = Site::fixture("tidy");
    site.build_ok(&[]);
    let page = site.page("tool/index.html");
    assert_eq!(texts(&page, "h1"), ["The Tool"]);
    assert_eq!(texts(&page, "h2.group-title").len(), 2);
    let groups: Vec<_> = page.select(&sel("section.group")).collect();
    assert_eq!(groups[0].value().attr("data-columns"), Some("3"));
    assert_eq!(groups[1].value().attr("data-columns"), Some("2"));
    assert_eq!(groups[0].select(&sel(".card")).count(), 3);
    assert_eq!(groups[1].select(&sel(".card")).count(), 2);
    assert!(page.select(&sel("#install")).next().is_some());
    let raw = std::fs::read_to_string(site.public().join("tool/index.html")).unwrap();
    assert!(!raw.contains("{:"), "kramdown attribute lines never show");
    assert!(
        page.select(&sel(r#"div.code[data-lang="json"] pre span"#))
            .count()
            > 0
    );
    assert!(page.select(&sel("table")).count() == 1);
    // Home lists it under its category with a card count.
    let home = site.page("index.html");
    let text = body_text(&home);
    assert!(
        text.contains("Tools") && text.contains("The Tool") && text.contains("5 cards"),
        "{text}"
    );
}

#[test]
fn bad_yaml_is_reported_and_the_rest_builds() {
    let site = Site::fixture("bad-input");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/bad-yaml.md:4:1: error: invalid YAML front matter"),
        "{stderr}"
    );
    assert!(site.public().join("good/index.html").is_file());
    assert!(!site.public().join("bad-yaml/index.html").exists());
    // Duplicate URL names both files.
    let dup = stderr
        .lines()
        .find(|l| l.contains("same URL"))
        .unwrap_or("");
    assert!(dup.starts_with("content/second.md:1:1: error:"), "{stderr}");
    assert!(
        dup.contains("first.md") && dup.contains("second.md"),
        "{stderr}"
    );
    // Typo in a fence language: warning with a suggestion.
    assert!(stderr.contains(r#"content/typo.md:5:4: warning: unknown fence language "pyhton" (did you mean python?)"#), "{stderr}");
    // Broken links: warnings with path:line:col.
    assert!(
        stderr.contains("content/broken-link.md:3:5: warning:"),
        "{stderr}"
    );
    assert!(stderr.contains("missing.md"));
    assert!(stderr.contains("launch.json"));
    let page = site.page("broken-link/index.html");
    let broken: Vec<_> = page.select(&sel(".broken-link")).collect();
    assert_eq!(broken.len(), 2);
    assert!(broken.iter().all(|e| e.value().attr("href").is_none()));
}

#[test]
fn warnings_fail_only_under_strict() {
    let site = Site::empty();
    site.write("content/typo.md", "# T\n\n```pyhton\nx\n```\n");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 warning"), "{stderr}");
    let (code, _) = site.build(&["--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn non_utf8_note_is_an_error_and_the_rest_builds() {
    let site = Site::empty();
    site.write("content/ok.md", "# Fine\n");
    site.write("content/latin1.md", b"# Caf\xe9\n".as_slice());
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("content/latin1.md:1:") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert!(site.public().join("ok/index.html").is_file());
}

#[test]
fn unterminated_and_non_mapping_front_matter() {
    let site = Site::empty();
    site.write("content/open.md", "---\ntitle: x\n# never closed\n");
    site.write("content/list.md", "---\n- a\n- b\n---\n# L\n");
    site.write("content/ok.md", "# ok\n");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("content/open.md:1:1: error:"), "{stderr}");
    assert!(stderr.contains("content/list.md:2:"), "{stderr}");
    assert!(site.public().join("ok/index.html").is_file());
}

#[test]
fn config_errors_exit_2_with_key_and_line() {
    let site = Site::empty();
    site.write("content/a.md", "# a\n");
    site.write("cheatgen.toml", "title = \"x\"\ncolour = \"red\"\n");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cheatgen.toml:2:") && stderr.contains("colour"),
        "{stderr}"
    );
    site.write("cheatgen.toml", "[markdown]\nunsafe_html = \"yes\"\n");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cheatgen.toml:2:"), "{stderr}");
}

#[test]
fn builds_are_deterministic_and_remove_stale_pages() {
    let site = Site::fixture("tidy");
    site.write(
        "content/extra.md",
        "# Extra\n\n```rust\nfn main() {}\n```\n",
    );
    site.build_ok(&[]);
    let first = site.snapshot();
    site.build_ok(&["--force"]);
    // A fresh build into a new directory gives the same bytes too.
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("out");
    site.build_ok(&["-o", out.to_str().unwrap()]);
    assert_eq!(first, site.snapshot());
    assert_eq!(first, common::snapshot(&out));

    std::fs::remove_file(site.root().join("content/extra.md")).unwrap();
    site.build_ok(&[]);
    assert!(!site.public().join("extra").exists());
    assert!(site.public().join("tool/index.html").is_file());
}

#[test]
fn failed_build_leaves_previous_output_intact() {
    let site = Site::fixture("tidy");
    site.build_ok(&[]);
    let before = site.snapshot();
    site.write("content/new.md", "# New\n");
    site.write(
        "themes/default/templates/sheet.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ page.title \n{% endblock main %}",
    );
    let (code, stderr) = site.build(&[]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("sheet.html"),
        "template error names the template: {stderr}"
    );
    assert_eq!(before, site.snapshot());
}

#[test]
fn theme_override_replaces_one_file() {
    let site = Site::fixture("tidy");
    site.write(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p id=\"custom\">Gone</p>{% endblock main %}",
    );
    site.build_ok(&[]);
    assert!(site
        .page("404.html")
        .select(&sel("#custom"))
        .next()
        .is_some());
    assert!(site.page("tool/index.html").select(&sel(".card")).count() == 5);
}

#[test]
fn every_internal_link_resolves_at_root_and_under_subpath() {
    let site = Site::fixture("links");
    site.build_ok(&["--strict"]);
    assert_eq!(check_links(&site.public(), "/"), Vec::<String>::new());
    site.build_ok(&["--strict", "--base-url", "https://example.org/sub/"]);
    assert_eq!(check_links(&site.public(), "/sub/"), Vec::<String>::new());
    let sitemap = std::fs::read_to_string(site.public().join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.org/sub/guides/first/</loc>"),
        "{sitemap}"
    );
    assert!(site.public().join("img/diagram.svg").is_file());
    let first = site.page("guides/first/index.html");
    let hrefs: Vec<_> = first
        .select(&sel(".card-body a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"/sub/guides/second/#usage"), "{hrefs:?}");
    assert!(hrefs.contains(&"https://example.com/x"));
}

#[test]
fn output_basics() {
    let site = Site::fixture("links");
    site.build_ok(&[]);
    let p = site.public();
    for f in [
        ".nojekyll",
        "404.html",
        "index.html",
        "guides/index.html",
        "top/index.html",
    ] {
        assert!(p.join(f).is_file(), "{f}");
    }
    assert!(
        !p.join("sitemap.xml").exists(),
        "no sitemap without an absolute base_url"
    );
    let assets: Vec<_> = std::fs::read_dir(p.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        assets.iter().any(|a| a.starts_with("style.")
            && a.ends_with(".css")
            && a.len() > "style..css".len() + 8),
        "{assets:?}"
    );
    let home = site.page("index.html");
    assert!(
        home.select(&sel(r#"link[rel="stylesheet"]"#)).all(|l| !l
            .value()
            .attr("href")
            .unwrap()
            .contains("://")),
        "no CDN"
    );
}

#[test]
fn sources_skip_hidden_and_ignored_and_copy_assets() {
    let site = Site::empty();
    site.write(
        "cheatgen.toml",
        "[build]\nignore = [\"drafts/**\", \"*.tmp.md\"]\n",
    );
    site.write("content/a.md", "# A\n");
    site.write("content/.hidden.md", "# H\n");
    site.write("content/.obsidian/x.md", "# X\n");
    site.write("content/drafts/d.md", "# D\n");
    site.write("content/b.tmp.md", "# B\n");
    site.write("content/files/data.csv", "a,b\n");
    site.build_ok(&["--strict"]);
    let snap = site.snapshot();
    assert!(snap.contains_key("a/index.html"));
    assert!(snap.contains_key("files/data.csv"));
    for k in snap.keys() {
        assert!(
            !k.contains("hidden")
                && !k.contains("obsidian")
                && !k.starts_with("drafts")
                && !k.starts_with("b.tmp"),
            "{k}"
        );
    }
}

#[test]
fn draft_notes_only_with_drafts_flag() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n");
    site.write("content/wip.md", "---\ndraft: true\n---\n# W\n");
    site.build_ok(&[]);
    assert!(!site.public().join("wip").exists());
    site.build_ok(&["--drafts"]);
    assert!(site.public().join("wip/index.html").is_file());
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_not_followed() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n");
    std::fs::create_dir_all(site.root().join("content/sub")).unwrap();
    std::os::unix::fs::symlink("..", site.root().join("content/sub/loop")).unwrap();
    let (_code, stderr) = site.build(&[]);
    assert!(stderr.contains("loop"), "{stderr}");
    assert!(site.public().join("a/index.html").is_file());
}

#[test]
fn refuses_foreign_output_dir_without_force() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n");
    site.write("public/precious.txt", "keep me");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(site.public().join("precious.txt")).unwrap(),
        "keep me"
    );
    site.build_ok(&["--force"]);
    assert!(!site.public().join("precious.txt").exists());
    // The project root itself is never a valid output dir.
    let (code, _) = site.build(&["-o", "."]);
    assert_eq!(code, 2);
    assert!(site.root().join("content/a.md").is_file());
}

#[test]
fn no_config_uses_folder_name_as_title() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n");
    site.build_ok(&[]);
    let name = site
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let home = site.page("index.html");
    assert!(texts(&home, "title")[0].contains(&name));
}

#[test]
fn version_and_help() {
    let site = Site::empty();
    let out = site.cmd(&["--version"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = site.cmd(&["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--root",
        "--output",
        "--base-url",
        "--drafts",
        "--strict",
        "--quiet",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let site = Site::empty();
    let cases: &[(&str, &str)] = &[
        ("empty.md", ""),
        ("bom.md", "\u{feff}# Title\n\ntext\n"),
        ("only-fm.md", "---\ntitle: Only\n---\n"),
        ("only-attr.md", "{: .-three-column}\n"),
        ("headings.md", "###### Deep\n# Top\n#### Mid\n## Two\n"),
        ("wikis.md", "[[]] [[#]] [[|]] [[a|]] [[#|x]] [](#) [x]() <a href=\"javascript:x\">j</a>\n"),
        ("nul.md", "a\u{0}b\u{1}A0\u{1}\u{2}0\u{2}\n"),
        ("lists.md", "- a\n  - b\n    - c\n      ```python\n      x\n      ```\n"),
        ("fence.md", "```\nunclosed fence\n"),
        ("html.md", "<div><script>x</script><style>y</style><iframe src=x></iframe></div><!-- c --> <![CDATA[x]]>\n"),
        ("table.md", "| a |\n|---|\n| `x|y` |\n"),
        ("footnote.md", "text[^1]\n\n[^1]: note [[wikis]]\n"),
        ("unicode.md", "# 日本語 カード\n\n```Rust\nfn 函数() {}\n```\n# Ünïcödé\n"),
        ("attr-weird.md", "## G\n{: #id .a .-nine-column key=\"v\" }\n### C\n{:}\n"),
        ("slug.md", "---\nslug: \"///\"\n---\n# S\n"),
        ("fm-types.md", "---\ntitle: 3\ntags: 5\nweight: x\ndraft: maybe\n---\n# T\n"),
    ];
    for (name, text) in cases {
        site.write(&format!("content/{name}"), text);
    }
    let (code, stderr) = site.build(&[]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(site.public().join("unicode/index.html").is_file());
    let out = site.cmd(&["check", "--format", "json"]).output().unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
    let out = site.cmd(&["query", "函数"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// `build` streams its files into the staging tree as they are rendered
/// (`src/build/stream.rs`); the engine's in-memory plan (what `serve` holds) must be the
/// same files byte for byte, with the same diagnostics, including where files compete for
/// one path.
#[test]
fn a_streamed_build_equals_the_engines_plan() {
    use cheatgen::build::{Engine, Want};
    use cheatgen::output::OutputFile;
    let site = Site::fixture("crosslinks");
    site.write(
        "cheatgen.toml",
        "title = \"Streamed\"\nbase_url = \"https://example.org/docs/\"\n",
    );
    // More pages than worker threads, tags, categories, dated sheets (a feed).
    for i in 0..40 {
        site.write(
            &format!("content/many/n{i}.md"),
            format!(
                "---\ntags: [t{}, shared]\ndate: 2026-01-{:02}\n---\n# Note {i}\n\n## Card\n\n`cmd {i}`, see [venv](../python/venv.md)\n",
                i % 3,
                i % 28 + 1
            ),
        );
    }
    // Competing paths: a site's robots.txt wins over the generated one; a file at a
    // generated page's path is not copied; a note at the tag listing's URL loses to it.
    site.write("content/robots.txt", "User-agent: *\nDisallow: /\n");
    site.write("content/tags/index.html", "mine");
    site.write("content/tags.md", "# Tags note\n\n## Card\n\nx\n");
    site.write(
        "content/moved.md",
        "---\nredirect_to: git/basics/\n---\n# Moved\n",
    );
    let opts = cheatgen::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let streamed = cheatgen::build(&opts).unwrap();
    let mut engine = Engine::new(&opts, Want::SITE, true).unwrap();
    let planned = engine.build_all().unwrap();
    let files: std::collections::BTreeMap<String, Vec<u8>> = planned
        .files
        .iter()
        .map(|(k, f)| {
            let bytes = match f {
                OutputFile::Bytes(b) => b.clone(),
                OutputFile::Shared(b) => b.to_vec(),
                OutputFile::Copy(p) => std::fs::read(p).unwrap(),
            };
            (k.clone(), bytes)
        })
        .collect();
    assert!(files.len() > 100, "{} files", files.len());
    assert_eq!(
        site.snapshot().keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>()
    );
    assert!(site.snapshot() == files, "same paths, different bytes");
    assert_eq!(streamed.diagnostics, planned.report.diagnostics);
    let codes: Vec<&str> = streamed.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"output-conflict"), "{codes:?}");
    assert!(codes.contains(&"reserved-url"), "{codes:?}");
    assert_eq!(
        std::fs::read(site.public().join("robots.txt")).unwrap(),
        b"User-agent: *\nDisallow: /\n"
    );
    assert!(site.public().join("atom.xml").is_file());
    assert!(site.public().join("moved/index.html").is_file());
}
