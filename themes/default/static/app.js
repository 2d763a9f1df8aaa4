// cheatgen default theme: copy buttons on code blocks, card highlight on jump (no dependencies).
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
    card.scrollIntoView({ block: "start" });
    card.classList.remove("cg-flash");
    void card.offsetWidth;
    card.classList.add("cg-flash");
    clearTimeout(card._cgFlash);
    card._cgFlash = setTimeout(function () { card.classList.remove("cg-flash"); }, 2000);
  }
  window.addEventListener("hashchange", flashTarget);

  function ready() {
    document.querySelectorAll("button.copy[hidden]").forEach(function (b) { b.hidden = false; });
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
