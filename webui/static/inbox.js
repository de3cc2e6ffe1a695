/* Inbox keys (j/k or arrows move, x selects, c claims, Enter opens, / searches), select-all, Ctrl+Enter posts a comment.
   Everything works without this script; it only adds speed. */
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-list tbody tr")); }
  function current() {
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#inbox-list tbody tr");
    return focused || document.querySelector("#inbox-list tbody tr.kbd-current");
  }
  function move(step) {
    var all = rows(); if (!all.length) return;
    var at = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + step))];
    all.forEach(function (r) { r.classList.remove("kbd-current"); });
    next.classList.add("kbd-current");
    var link = next.querySelector("a.task-link"); if (link) link.focus();
  }
  function syncSelected() {
    var boxes = document.querySelectorAll("#inbox-list tbody input[name=task]");
    var n = 0;
    boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); if (b.checked) n++; });
    var label = document.getElementById("bulk-count");
    if (label) label.setAttribute("data-selected", String(n));
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
    if (t && t.tagName === "TEXTAREA" && e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.form) {
      e.preventDefault(); t.form.requestSubmit ? t.form.requestSubmit() : t.form.submit(); return;
    }
    if (typing || e.altKey || e.ctrlKey || e.metaKey || !document.getElementById("inbox-list")) {
      if (!typing && e.key === "/" && document.getElementById("inbox-q")) { e.preventDefault(); document.getElementById("inbox-q").focus(); }
      return;
    }
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "x") {
      var row = current();
      var box = row && row.querySelector("input[name=task]");
      if (box) { box.checked = !box.checked; syncSelected(); }
    } else if (e.key === "c") {
      var claim = current() && current().querySelector(".row-actions form button[type=submit]");
      if (claim) claim.click();
    } else if (e.key === "/") { e.preventDefault(); document.getElementById("inbox-q").focus(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.id === "select-all") {
      document.querySelectorAll("#inbox-list tbody input[name=task]").forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.name === "task" || e.target.id === "select-all") syncSelected();
  });
})();
