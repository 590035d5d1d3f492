/* The portal's only script. No inline scripts anywhere (CSP), so behaviour hangs off data attributes. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token: one listener, for all of them.
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A plain form with data-confirm asks before a destructive action (htmx forms use hx-confirm).
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.matches && form.matches("form[data-confirm]:not([hx-post])")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { evt.preventDefault(); }
    }
  }, true);

  // Focus after an htmx swap, so that keyboard and screen-reader users land where the change happened:
  //  1. the new content's error summary, else its first invalid field, else its [autofocus] field;
  //  2. when the swap took the focused element away (a row replaced by its form, a form row by the row):
  //     the same control in the new content, else the control that last replaced this element (the row's
  //     编辑 button after 保存 or 取消), else (after a button or link) the first field of the new content,
  //     else the content itself;
  //     a deleted element hands the focus to its neighbour;
  //  3. when a button or link added content elsewhere (a new form row): the first field of that content.
  // The swap runs synchronously after htmx:beforeSwap (no swap delays are used), so the work is done
  // once, on the next tick, with every element the swap brought in (htmx:afterSwap, out-of-band ones too).
  var TEXT_FIELDS = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  var CONTROLS = "a[href], button, input, select, textarea, [tabindex]";
  var openers = {};  // id of a swapped element -> keys of the controls that replaced it, latest last
  var pending = null;

  function controlKey(el) {
    if (!el || !el.getAttribute) { return null; }
    var attrs = ["hx-get", "hx-post", "hx-put", "hx-delete", "href", "name"];
    for (var i = 0; i < attrs.length; i++) {
      var value = el.getAttribute(attrs[i]);
      if (value) { return [attrs[i], value]; }
    }
    return null;
  }

  function findControl(root, key) {
    if (!key) { return null; }
    if (root.getAttribute && root.getAttribute(key[0]) === key[1]) { return root; }
    var all = root.querySelectorAll("[" + key[0] + "]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute(key[0]) === key[1]) { return all[i]; }
    }
    return null;
  }

  function first(roots, selector) {
    for (var i = 0; i < roots.length; i++) {
      var el = roots[i].matches(selector) ? roots[i] : roots[i].querySelector(selector);
      if (el) { return el; }
    }
    return null;
  }

  function focusOn(el) {
    if (!el) { return false; }
    if (!el.matches(CONTROLS)) { el.setAttribute("tabindex", "-1"); }
    el.focus({preventScroll: false});
    return document.activeElement === el;
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active);
  }

  function afterSwapFocus() {
    var p = pending;
    pending = null;
    if (!p) { return; }
    var added = p.swapped.filter(function (el) { return document.body.contains(el); });
    var problem = first(added, ".error-summary") || first(added, "[aria-invalid='true']") || first(added, "[autofocus]");
    if (problem) { focusOn(problem); return; }
    if (focusLost()) {
      var main = (p.id && document.getElementById(p.id)) || added[added.length - 1];
      if (main) {
        var candidates = [p.focusedKey].concat(p.keys.slice().reverse());
        for (var i = 0; i < candidates.length; i++) {
          var control = findControl(main, candidates[i]);
          if (control && control.matches(CONTROLS) && focusOn(control)) { return; }
        }
        if ((p.fromControl && focusOn(first([main], TEXT_FIELDS))) || focusOn(main)) { return; }
      }
      if (p.neighbour && document.body.contains(p.neighbour)) { focusOn(p.neighbour); }
    } else if (p.fromControl && !p.replacedTrigger) {
      focusOn(first(added, TEXT_FIELDS));
    }
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target, active = document.activeElement;
    var trigger = evt.detail.requestConfig ? evt.detail.requestConfig.elt : null;
    if (!evt.detail.shouldSwap || !target || !target.contains) { return; }
    var id = target.id || null;
    var keys = id ? (openers[id] = openers[id] || []) : [];
    pending = {
      id: id,
      keys: keys.slice(),
      focusedKey: target.contains(active) ? controlKey(active) : null,
      neighbour: target.nextElementSibling || target.previousElementSibling || target.parentElement,
      fromControl: !!(trigger && trigger.matches && trigger.matches("button, a")),
      replacedTrigger: !!(trigger && target.contains(trigger)),
      swapped: []
    };
    var key = controlKey(trigger);
    if (id && key) {
      keys.push(key);
      if (keys.length > 5) { keys.shift(); }
    }
    window.setTimeout(afterSwapFocus, 0);
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (pending && evt.target && evt.target.querySelector) { pending.swapped.push(evt.target); }
  });

  // A link of an error summary puts the focus on its field (or the first option of a group), not only
  // the scroll position, so that typing goes straight into it.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    var field = target.matches("input, select, textarea, button") ? target
      : target.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
    if (!field) { return; }
    evt.preventDefault();
    field.focus();
    (target.closest(".field") || target).scrollIntoView({block: "center"});
  });

  // A page that comes back with errors (a plain form post) starts at its error summary.
  function focusErrorSummary() {
    var summary = document.querySelector("main .error-summary");
    if (summary && !document.querySelector("[autofocus]")) { focusOn(summary); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  // An error page swapped into #messages: a reload link reloads.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest(".reload-link, [data-print]");
    if (!link) { return; }
    evt.preventDefault();
    if (link.hasAttribute("data-print")) { window.print(); } else { window.location.reload(); }
  });

  // A ranking row's 明细 (data-detail="<id of the row it opens>"): the first click opens every figure of
  // the department under the row (htmx); the next click closes it again instead of asking the server.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-detail")) { return; }
    var open = document.getElementById(elt.getAttribute("data-detail"));
    if (open) {
      open.parentNode.removeChild(open);
      elt.setAttribute("aria-expanded", "false");
      evt.preventDefault();
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-detail") && evt.detail.successful) {
      elt.setAttribute("aria-expanded", "true");
    }
  });

  // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">.
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = box.checked; });
  });

  // A warning that follows what is typed: <p data-warn-for="field-id" data-warn-above="N" hidden> shows while
  // the field's number is above N (the ledger's 跑动次数 against 最多跑一次). The server renders it too.
  document.addEventListener("input", function (evt) {
    var input = evt.target;
    if (!input.id) { return; }
    document.querySelectorAll('[data-warn-for="' + input.id + '"]').forEach(function (note) {
      var n = parseInt(input.value, 10), above = parseInt(note.getAttribute("data-warn-above"), 10);
      note.hidden = !(n > above);
    });
  });
})();
