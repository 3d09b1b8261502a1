// Readlist: debounced autosave with a visible saved state. Everything works without it.
(function () {
  "use strict";
  var DELAY = 1200;
  document.documentElement.classList.add("js");

  function setState(form, text, cls) {
    var el = form.querySelector("#note-saved");
    if (!el) return;
    el.textContent = text;
    el.className = "saved-state" + (cls ? " " + cls : "");
  }

  function inConflict(form) {
    var c = form.querySelector("#note-conflict");
    return c && c.textContent.trim() !== "";
  }

  function wire(form) {
    if (form.dataset.autosaveWired) return;
    form.dataset.autosaveWired = "1";
    var timer = null;
    form.dataset.dirty = "";
    function schedule(delay) {
      form.dataset.dirty = "1";
      setState(form, "Unsaved changes…", "pending");
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (inConflict(form) || !window.htmx) return;
        window.htmx.trigger(form, "autosave");
      }, delay);
    }
    var body = form.querySelector("textarea[name=body]");
    if (body) body.addEventListener("input", function () { schedule(DELAY); });
    var vis = form.querySelector("select[name=visibility]");
    if (vis) vis.addEventListener("change", function () { schedule(0); });
    form.addEventListener("keydown", function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") {
        ev.preventDefault();
        clearTimeout(timer);
        if (window.htmx) window.htmx.trigger(form, "autosave");
      }
    });
    form.addEventListener("htmx:beforeRequest", function (ev) {
      if (ev.detail.elt !== form) return;
      clearTimeout(timer);
      form.dataset.dirty = "";
      setState(form, "Saving…", "pending");
    });
    form.addEventListener("htmx:afterRequest", function (ev) {
      if (ev.detail.elt !== form) return;
      var status = ev.detail.xhr ? ev.detail.xhr.status : 0;
      if (status === 0 || status >= 500) {
        form.dataset.dirty = "1";
        setState(form, "Not saved: the server could not be reached. Your text is still here.", "error");
      }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("form[data-autosave]").forEach(wire);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (ev) { init(ev.target); });
  // Focus survives an htmx swap: a status button replaced by the row it changed would drop
  // keyboard focus to the page body. Remember the focused control (by its id, or its form,
  // name and value) before the request and focus its replacement after the swap settles.
  var focusKey = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var el = document.activeElement;
    if (!el || el === document.body) { focusKey = null; return; }
    focusKey = {
      id: el.id || "",
      form: el.getAttribute("form") || "",
      name: el.getAttribute("name") || "",
      value: el.getAttribute("value") || "",
      tag: el.tagName.toLowerCase(),
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    var key = focusKey;
    if (!key || (document.activeElement && document.activeElement !== document.body)) return;
    var found = key.id ? document.getElementById(key.id) : null;
    if (!found && key.name) {
      var candidates = document.querySelectorAll(key.tag + "[name='" + CSS.escape(key.name) + "']");
      for (var i = 0; i < candidates.length; i++) {
        var c = candidates[i];
        if ((c.getAttribute("value") || "") === key.value && (c.getAttribute("form") || "") === key.form) { found = c; break; }
      }
    }
    if (found && typeof found.focus === "function") found.focus();
  });
  window.addEventListener("beforeunload", function (ev) {
    var dirty = document.querySelector("form[data-autosave][data-dirty='1']");
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });
})();
