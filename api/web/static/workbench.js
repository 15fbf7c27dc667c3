// claims-ai adjuster workbench: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Scroll only the given column (never the window) so that el sits in its middle.
  function scrollWithin(container, el) {
    if (!container) { el.scrollIntoView({ block: "center" }); return; }
    var c = container.getBoundingClientRect(), r = el.getBoundingClientRect();
    var top = container.scrollTop + (r.top - c.top) - (container.clientHeight - r.height) / 2;
    container.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
  }

  // Show a box on its page: scroll the viewer to it and flash it.
  function locate(boxId) {
    var box = document.getElementById(boxId);
    if (!box) return;
    var viewer = $("#viewer");
    if (viewer) {
      viewer.classList.remove("hide-fields", "hide-evidence");
      ["#show-fields", "#show-evidence"].forEach(function (s) { var c = $(s); if (c) c.checked = true; });
    }
    scrollWithin(viewer, box);
    box.classList.remove("flash");
    void box.getBBox();
    box.classList.add("flash");
    window.setTimeout(function () { box.classList.remove("flash"); }, 1700);
  }

  function init() {
    // Field list / fraud evidence -> box on the page.
    $all("button.locate[data-target]").forEach(function (button) {
      button.addEventListener("click", function () { locate(button.getAttribute("data-target")); });
    });
    // Hovering or focusing a field highlights its box, and the other way round.
    $all("li.field[data-box]").forEach(function (item) {
      var box = document.getElementById(item.getAttribute("data-box"));
      if (!box) return;
      var on = function () { box.classList.add("hl"); };
      var off = function () { box.classList.remove("hl"); };
      item.addEventListener("mouseenter", on); item.addEventListener("mouseleave", off);
      item.addEventListener("focusin", on); item.addEventListener("focusout", off);
    });
    $all("polygon[data-item]").forEach(function (box) {
      box.addEventListener("click", function () {
        var item = document.getElementById(box.getAttribute("data-item"));
        if (!item) return;
        scrollWithin($(".panel"), item);
        item.classList.add("hl");
        window.setTimeout(function () { item.classList.remove("hl"); }, 1500);
        var button = $("button.locate", item);
        if (button) button.focus({ preventScroll: true });
      });
    });

    // Layer toggles on the page viewer.
    var viewer = $("#viewer");
    [["#show-ocr", "hide-ocr"], ["#show-fields", "hide-fields"], ["#show-evidence", "hide-evidence"]].forEach(function (pair) {
      var box = $(pair[0]);
      if (!box || !viewer) return;
      box.addEventListener("change", function () { viewer.classList.toggle(pair[1], !box.checked); });
    });

    // Decision form: show the reason codes of the chosen outcome only.
    var form = $("#decision-form");
    if (form) {
      var groups = $all(".rc-group", form);
      var sync = function () {
        var chosen = $("input[name=outcome]:checked", form);
        groups.forEach(function (g) {
          var show = !chosen || g.getAttribute("data-outcome") === chosen.value;
          g.hidden = !show;
          if (!show) $all("input", g).forEach(function (i) { i.checked = false; });
        });
      };
      $all("input[name=outcome]", form).forEach(function (r) { r.addEventListener("change", sync); });
      sync();
      form.addEventListener("submit", function (event) {
        if (!$("input[name=reason_codes]:checked", form)) {
          event.preventDefault();
          var first = $(".rc-group:not([hidden]) input", form);
          if (first) { first.setCustomValidity(form.getAttribute("data-need-reason") || "Choose at least one reason."); first.reportValidity();
            first.addEventListener("change", function () { first.setCustomValidity(""); }, { once: true }); }
        }
      });
    }

    // Opening a correction form focuses its value input.
    $all("details.fix").forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) { var input = $("input[name=value], select[name=value], select[name=target]", d); if (input) input.focus(); }
      });
    });

    // Audit trail: reads of personal data are many; hidden unless asked for.
    var reads = $("#audit-reads"), audit = $("#audit");
    if (reads && audit) reads.addEventListener("change", function () { audit.classList.toggle("hide-reads", !reads.checked); });

    // While documents are being read, poll and reload when the assessment is stored.
    var page = $(".claim-page");
    if (page && page.getAttribute("data-pending") === "true") {
      var url = "/web/claims/" + encodeURIComponent(page.getAttribute("data-claim")) + "/progress.json";
      var poll = function () {
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (state) {
            if (state && !state.pending) { window.location.replace(window.location.pathname); } else { window.setTimeout(poll, 1000); }
          })
          .catch(function () { window.setTimeout(poll, 3000); });
      };
      window.setTimeout(poll, 700);
    }

    // Keyboard: "g q" goes to the queue, "/" focuses the first filter or field.
    var last = "";
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (/INPUT|SELECT|TEXTAREA/.test(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (last === "g" && e.key === "q") { window.location.href = "/web/"; }
      last = e.key;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
