// cheatgen default theme: copy buttons on code blocks, card highlight on jump, the light /
// dark / system and code-wrap toggles (their first-paint part is inline in base.html),
// scroll cues on code that overflows, placeholder marks (no dependencies).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-http hosts: a hidden textarea and execCommand.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try {
        document.execCommand("copy") ? resolve() : reject(new Error("copy failed"));
      } catch (e) {
        reject(e);
      } finally {
        document.body.removeChild(area);
      }
    });
  }

  function codeOf(button) {
    var block = button.closest(".code");
    var code = block && block.querySelector("pre code");
    return code ? code.textContent : "";
  }

  function flash(button, label) {
    button.textContent = label;
    button.classList.toggle("copied", label === "Copied");
    clearTimeout(button._cgTimer);
    button._cgTimer = setTimeout(function () {
      button.textContent = "Copy";
      button.classList.remove("copied");
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy");
    if (!button) return;
    copyText(codeOf(button)).then(
      function () { flash(button, "Copied"); },
      function () { flash(button, "Press Ctrl+C"); }
    );
  });

  // Briefly highlights the card named by the URL fragment (after a search jump or a link).
  function flashTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    var card = el.closest(".card, .group") || el;
    if (card.tagName === "SECTION") card = el;
    card.scrollIntoView({ block: "start" });
    card.classList.remove("cg-flash");
    void card.offsetWidth;
    card.classList.add("cg-flash");
    clearTimeout(card._cgFlash);
    card._cgFlash = setTimeout(function () { card.classList.remove("cg-flash"); }, 2000);
  }
  window.addEventListener("hashchange", flashTarget);

  var root = document.documentElement;
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }

  // Theme toggle: system → light → dark → system; stored in localStorage ("cg-theme").
  var THEMES = ["system", "light", "dark"];
  function showTheme(button) {
    var now = root.getAttribute("data-theme") || "system";
    var label = "Colour theme: " + (now === "system" ? "follows the system" : now);
    button.title = label;
    button.lastChild.textContent = label;
    button.firstChild.textContent = now === "light" ? "☀" : now === "dark" ? "☾" : "◐";
  }
  function cycleTheme(button) {
    var now = root.getAttribute("data-theme") || "system";
    var next = THEMES[(THEMES.indexOf(now) + 1) % THEMES.length];
    if (next === "system") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", next);
    store("cg-theme", next === "system" ? null : next);
    showTheme(button);
  }

  // Code wrap toggle: long lines wrap instead of scrolling; stored as "cg-wrap".
  function toggleWrap(button) {
    var on = root.getAttribute("data-wrap") !== "on";
    if (on) root.setAttribute("data-wrap", "on"); else root.removeAttribute("data-wrap");
    store("cg-wrap", on ? "on" : "off");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    markOverflow();
  }

  // Blocks whose lines are clipped get a fade at the edge and become keyboard-scrollable.
  function markOverflow() {
    document.querySelectorAll(".code pre").forEach(function (pre) {
      var scrolls = pre.scrollWidth > pre.clientWidth + 1;
      pre.parentNode.classList.toggle("scrolls", scrolls);
      pre.parentNode.classList.toggle("at-end", scrolls && pre.scrollLeft + pre.clientWidth >= pre.scrollWidth - 1);
      if (scrolls) pre.tabIndex = 0; else pre.removeAttribute("tabindex");
    });
    document.querySelectorAll(".card-body").forEach(function (body) {
      if (body.scrollWidth > body.clientWidth + 1) body.tabIndex = 0; else body.removeAttribute("tabindex");
    });
  }
  document.addEventListener("scroll", function (event) {
    var pre = event.target;
    if (pre.nodeType === 1 && pre.matches(".code pre")) {
      pre.parentNode.classList.toggle("at-end", pre.scrollLeft + pre.clientWidth >= pre.scrollWidth - 1);
    }
  }, true);
  var resizing = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(markOverflow);
  });

  // `{{path/to/file}}` placeholders in inline code and shell/plain blocks get a mark; the
  // text is unchanged, so copy still copies it literally. Underline only: no reflow.
  var PLACEHOLDER = /\{\{[^{}\n]{1,80}\}\}/g;
  function markPlaceholders() {
    document.querySelectorAll(":not(pre) > code, .code[data-lang=bash] code, .code[data-lang=text] code").forEach(function (code) {
      if (code.textContent.indexOf("{{") < 0) return;
      var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      nodes.forEach(function (node) {
        var text = node.nodeValue, at = 0, frag = document.createDocumentFragment(), m;
        PLACEHOLDER.lastIndex = 0;
        while ((m = PLACEHOLDER.exec(text))) {
          frag.appendChild(document.createTextNode(text.slice(at, m.index)));
          var span = document.createElement("span");
          span.className = "ph";
          span.textContent = m[0];
          frag.appendChild(span);
          at = m.index + m[0].length;
        }
        if (at === 0) return;
        frag.appendChild(document.createTextNode(text.slice(at)));
        node.parentNode.replaceChild(frag, node);
      });
    });
  }

  function ready() {
    document.querySelectorAll("button.copy[hidden]").forEach(function (b) { b.hidden = false; });
    var theme = document.getElementById("cg-theme");
    if (theme) {
      showTheme(theme);
      theme.addEventListener("click", function () { cycleTheme(theme); });
    }
    var wrap = document.getElementById("cg-wrap");
    if (wrap) {
      wrap.setAttribute("aria-pressed", root.getAttribute("data-wrap") === "on" ? "true" : "false");
      wrap.addEventListener("click", function () { toggleWrap(wrap); });
    }
    markPlaceholders();
    markOverflow();
    flashTarget();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  // Exposed for the search UI and tests.
  window.cheatgen = Object.assign(window.cheatgen || {}, { copyText: copyText, flash: flashTarget });
})();
