/*
 * Autosave for the public report form: keeps the answers in this tab while it is open.
 *
 * Progressive enhancement: the form works the same without it (reporters may use Tor Browser
 * with scripts off). sessionStorage, not localStorage: on a shared or public computer a report
 * about the abuse of a child must not outlive the tab. The e-mail address and anything secret
 * are never stored. The confirmation page carries data-autosave-clear: the report is sent, so
 * the answers go.
 */
(function () {
  "use strict";

  var PREFIX = "hashwarden.report.";
  // Left by the confirmation page: copies of the form the browser brings back are stale.
  var SENT = PREFIX + "sent";
  // Browsers bring sessionStorage back with a restored tab; an old report stays gone.
  var MAX_AGE_MS = 2 * 60 * 60 * 1000;
  // Names never written to storage, whatever their type (contact details, secrets, tokens).
  var NEVER = /mail|pass|secret|token|csrf/i;
  var KEPT_TYPES = { text: true, url: true, search: true };
  var storage;

  try {
    storage = window.sessionStorage;
    storage.setItem(SENT + ".probe", "1");
    storage.removeItem(SENT + ".probe");
  } catch (unavailable) {
    // Storage off or full (private modes, strict settings): the form still works unsaved.
    return;
  }

  function clearAll() {
    for (var i = storage.length - 1; i >= 0; i -= 1) {
      var key = storage.key(i);
      if (key !== null && key.indexOf(PREFIX) === 0) {
        storage.removeItem(key);
      }
    }
  }

  if (document.querySelector("[data-autosave-clear]")) {
    clearAll();
    storage.setItem(SENT, "1");
    return;
  }

  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  // One entry per kind of report: their fields differ.
  var storageKey = PREFIX + form.getAttribute("data-autosave");

  function kept(field) {
    if (!field.name || field.disabled || NEVER.test(field.name)) {
      return false;
    }
    if (field.hasAttribute("data-autosave-never")) {
      return false;
    }
    if (field.tagName === "TEXTAREA" || field.tagName === "SELECT") {
      return true;
    }
    return field.tagName === "INPUT" && KEPT_TYPES[field.type] === true;
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, kept);
  }

  function save() {
    var values = {};
    var any = false;
    fields().forEach(function (field) {
      if (field.value !== "") {
        values[field.name] = field.value;
        any = true;
      }
    });
    try {
      if (any) {
        storage.setItem(storageKey, JSON.stringify({ at: Date.now(), values: values }));
        storage.removeItem(SENT);
      } else {
        storage.removeItem(storageKey);
      }
    } catch (full) {
      // Over quota: keep what was saved before rather than break typing.
    }
  }

  function saved() {
    var entry;
    try {
      entry = JSON.parse(storage.getItem(storageKey) || "null");
    } catch (corrupt) {
      entry = null;
    }
    var fresh = entry !== null && typeof entry === "object" && typeof entry.at === "number" &&
      Date.now() - entry.at < MAX_AGE_MS && entry.values !== null &&
      typeof entry.values === "object";
    if (!fresh) {
      storage.removeItem(storageKey);
      return {};
    }
    return entry.values;
  }

  function restore() {
    var values = saved();
    fields().forEach(function (field) {
      var value = values[field.name];
      // What the server sent back (a form with errors) wins over the saved copy.
      if (typeof value === "string" && field.value === "") {
        field.value = value;
      }
    });
  }

  if (storage.getItem(SENT) !== null) {
    // Back from the confirmation page the browser refills the form from its own history (the
    // e-mail address too), before or after this runs: undo it, and stop it for what comes
    // later (browsers restore no control whose autocomplete is off).
    Array.prototype.forEach.call(form.elements, function (field) {
      field.setAttribute("autocomplete", "off");
    });
    form.reset();
  }
  restore();
  save();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  var notice = document.getElementById("autosave-notice");
  if (notice) {
    notice.hidden = false;
  }
})();
