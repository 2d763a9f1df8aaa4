// cheatgen serve: live reload (injected by the dev server only, never in built output).
// Reloads the page when a rebuild changed it (keeping the scroll position), swaps
// stylesheets in place for CSS-only changes, and shows build errors in an overlay.
(function () {
  "use strict";
  var KEY = "cheatgen-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    var restore = function () { window.scrollTo(0, +saved); };
    restore();
    window.addEventListener("load", restore);
  }
  function outputPath() {
    var p = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    if (p === "" || p.slice(-1) === "/") p += "index.html";
    return p;
  }
  function swapCss() {
    fetch(location.href, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelectorAll('link[rel="stylesheet"]');
      var old = document.querySelectorAll('link[rel="stylesheet"]');
      old.forEach(function (link, i) { if (fresh[i]) link.href = fresh[i].getAttribute("href"); });
      window.__cheatgenCssSwaps = (window.__cheatgenCssSwaps || 0) + 1;
    });
  }
  function overlay() { return document.getElementById("cheatgen-error-overlay"); }
  function showError(text) {
    var el = overlay();
    if (!el) {
      el = document.createElement("div");
      el.id = "cheatgen-error-overlay";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#ffd7d7;border:2px solid #e5484d;border-radius:8px;padding:1rem;" +
        "font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;box-shadow:0 8px 30px rgba(0,0,0,.4)";
      document.body.appendChild(el);
    }
    el.textContent = "cheatgen: build failed — the last good version is shown\n\n" + text;
  }
  function clearError() { var el = overlay(); if (el) el.remove(); }

  var source = new EventSource("/__cheatgen/events");
  source.addEventListener("reload", function (e) {
    clearError();
    var data = JSON.parse(e.data);
    if (data.css_only) { swapCss(); return; }
    if (data.paths.indexOf(outputPath()) >= 0) {
      sessionStorage.setItem(KEY, String(window.scrollY));
      location.reload();
    }
  });
  source.addEventListener("build-error", function (e) { showError(JSON.parse(e.data).message); });
  source.addEventListener("ok", clearError);
})();
