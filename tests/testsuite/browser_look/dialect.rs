//! The Markdown dialect's constructs as the default theme shows them, measured in Chromium on
//! the `look` fixture's `dialect` sheet in light and dark: highlighted lines are bands across
//! the block that keep the line height, wrapped code continues with a hanging indent,
//! callout titles and custom inline tags are readable (WCAG AA) and callout kinds differ,
//! heading-only groups leave no empty box and no empty table-of-contents list, kramdown
//! body separators show as a rule, and code on touch screens keeps clear of the Copy button.

use super::{go, media, resize, served, tab_at};
use crate::common::browser::eval;
use serde_json::Value;

/// Measures the sheet. Colours are normalised through a canvas (computed styles may be
/// `color(srgb …)` for `color-mix()`), and contrast is the WCAG ratio.
const PROBE_JS: &str = r#"(function(){
var cx=document.createElement('canvas').getContext('2d',{willReadFrequently:true});
function rgb(c){cx.clearRect(0,0,1,1);cx.fillStyle='#000';cx.fillStyle=c;cx.fillRect(0,0,1,1);var d=cx.getImageData(0,0,1,1).data;return [d[0],d[1],d[2]];}
function lum(c){return c.map(function(v){v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4);}).reduce(function(a,v,i){return a+v*[0.2126,0.7152,0.0722][i];},0);}
function ratio(a,b){var x=lum(rgb(a)),y=lum(rgb(b));return (Math.max(x,y)+0.05)/(Math.min(x,y)+0.05);}
function st(e){return getComputedStyle(e);}
var out={};
var hl=document.querySelector('pre.hl .hl-line'),pre=hl.closest('pre');
out.hlBg=rgb(st(hl).backgroundColor).join();out.preBg=rgb(st(pre).backgroundColor).join();
out.hlWidth=hl.getBoundingClientRect().width;out.preWidth=pre.clientWidth;
var lh=parseFloat(st(pre).lineHeight),lines=pre.textContent.replace(/\n$/,'').split('\n').length;
out.preTextHeight=pre.clientHeight-parseFloat(st(pre).paddingTop)-parseFloat(st(pre).paddingBottom);out.linesHeight=lines*lh;
var w=document.querySelector('.code.wrap pre.hl');var r=document.createRange();r.selectNodeContents(w.querySelector('code'));
var rects=Array.from(r.getClientRects()).filter(function(b){return b.width>0;});var top=Math.min.apply(null,rects.map(function(b){return b.top}));
var first=rects.filter(function(b){return b.top<top+2}),rest=rects.filter(function(b){return b.top>=top+2});
out.wrapScrolls=w.scrollWidth>w.clientWidth+1;out.wrapLines=rest.length>0;
out.wrapIndent=rest.length?Math.min.apply(null,rest.map(function(b){return b.left}))-Math.min.apply(null,first.map(function(b){return b.left})):0;
out.callouts=Array.from(document.querySelectorAll('.callout')).map(function(c){var t=c.querySelector('.callout-title'),b=st(c).backgroundColor;
return {kind:c.className,title:ratio(st(t).color,b),body:ratio(st(c.querySelector('.callout-body')||c).color,b),bar:rgb(st(c).borderLeftColor).join()};});
var card=st(document.querySelector('.card')).backgroundColor;
out.tags=['yel','pur','red'].map(function(n){var e=document.querySelector('span.'+n);return {name:n,ratio:ratio(st(e).color,card),plain:rgb(st(e).color).join()===rgb(st(e.parentNode).color).join()};});
var g=document.getElementById('empty-heading-only').closest('.group');
out.emptyGroupBoxes=g.querySelectorAll('.cards, .card').length;out.emptyGroupHeight=g.getBoundingClientRect().height;
out.emptyTocLists=document.querySelectorAll('.cg-toc ol:not(:has(li))').length;
var tb=document.querySelectorAll('#separated-bodies ~ .card-body tbody, .card:has(#separated-bodies) tbody');
out.tbodies=tb.length;out.separator=tb.length>1?parseFloat(st(tb[1]).borderTopWidth):0;
return out;})()"#;

fn probe(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn dialect_constructs_are_styled_in_light_and_dark() {
    let _serial = crate::common::browser::serial();
    let (_site, server) = served();
    let Some(tab) = tab_at(1440, 900, None) else {
        return;
    };
    for scheme in ["light", "dark"] {
        media(&tab, None, scheme);
        go(&tab, &server.url("/dialect/"));
        let v = eval(&tab, PROBE_JS);
        eprintln!("{scheme}: {v}");
        // Highlighted lines: a visible band across the whole block, one line tall each.
        assert_ne!(v["hlBg"], v["preBg"], "{scheme}: highlight invisible: {v}");
        assert!(
            probe(&v, "hlWidth") >= probe(&v, "preWidth") - 1.0,
            "{scheme}: the band spans the block: {v}"
        );
        assert!(
            (probe(&v, "preTextHeight") - probe(&v, "linesHeight")).abs() <= 1.5,
            "{scheme}: highlighted lines keep the line height: {v}"
        );
        // Wrapped code wraps, and continuation lines are indented.
        assert_eq!(v["wrapScrolls"], false, "{scheme}: {v}");
        assert_eq!(
            v["wrapLines"], true,
            "{scheme}: the fixture line wraps: {v}"
        );
        assert!(
            probe(&v, "wrapIndent") >= 8.0,
            "{scheme}: hanging indent: {v}"
        );
        // Callouts: readable titles and bodies, one bar colour per kind.
        let callouts = v["callouts"].as_array().expect("callouts");
        assert_eq!(callouts.len(), 6, "{v}");
        for c in callouts {
            assert!(
                c["title"].as_f64() >= Some(4.5) && c["body"].as_f64() >= Some(4.5),
                "{scheme}: callout contrast {c}"
            );
        }
        let bars: std::collections::BTreeSet<&str> =
            callouts.iter().filter_map(|c| c["bar"].as_str()).collect();
        assert_eq!(bars.len(), 5, "{scheme}: five kinds, five colours: {v}");
        // Custom inline tags are coloured and readable on a card.
        for t in v["tags"].as_array().expect("tags") {
            assert_eq!(t["plain"], false, "{scheme}: tag not coloured {t}");
            assert!(
                t["ratio"].as_f64() >= Some(4.5),
                "{scheme}: tag contrast {t}"
            );
        }
        // A heading-only group is a heading: no card box, no empty list in the contents.
        assert_eq!(probe(&v, "emptyGroupBoxes"), 0.0, "{v}");
        assert!(probe(&v, "emptyGroupHeight") < 60.0, "{scheme}: {v}");
        assert_eq!(probe(&v, "emptyTocLists"), 0.0, "{v}");
        // kramdown's `|---|` body separator shows as a rule between the bodies.
        assert_eq!(probe(&v, "tbodies"), 2.0, "{v}");
        assert!(probe(&v, "separator") >= 2.0, "{scheme}: {v}");
    }

    // Touch screens show Copy all the time: wrapped code keeps clear of it; code that
    // scrolls keeps its full width (it can be scrolled out from under the button).
    use headless_chrome::protocol::cdp::Emulation::{MediaFeature, SetEmulatedMedia};
    tab.call_method(SetEmulatedMedia {
        media: None,
        features: Some(vec![MediaFeature {
            name: "hover".into(),
            value: "none".into(),
        }]),
    })
    .unwrap();
    resize(&tab, 390, 844);
    go(&tab, &server.url("/dialect/"));
    let touch = eval(&tab, "(function(){var c=document.querySelector('.code.wrap'),b=c.querySelector('.copy').getBoundingClientRect(),p=c.querySelector('pre');\
var s=document.querySelector('.code:not(.wrap) pre');\
return {hoverNone:matchMedia('(hover: none)').matches,shown:getComputedStyle(c.querySelector('.code-bar')).opacity,\
textRight:p.getBoundingClientRect().right-parseFloat(getComputedStyle(p).paddingRight),copyLeft:b.left,\
scrollPad:parseFloat(getComputedStyle(s).paddingRight)};})()");
    eprintln!("touch: {touch}");
    assert_eq!(touch["hoverNone"], true, "hover emulation: {touch}");
    assert_eq!(touch["shown"], "1", "{touch}");
    assert!(
        probe(&touch, "textRight") <= probe(&touch, "copyLeft"),
        "wrapped code runs under the Copy button: {touch}"
    );
    assert!(probe(&touch, "scrollPad") < 16.0, "{touch}");
}
