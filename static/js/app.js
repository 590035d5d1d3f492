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

  // After a swap, move focus to the first error or the swapped region, so keyboard and screen-reader
  // users land where the change happened.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.querySelector) { return; }
    var focus = target.querySelector(".error-summary, [aria-invalid='true'], [autofocus]");
    if (focus) { focus.focus({preventScroll: false}); }
  });

  // An error page swapped into #messages: a reload link reloads.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest(".reload-link, [data-print]");
    if (!link) { return; }
    evt.preventDefault();
    if (link.hasAttribute("data-print")) { window.print(); } else { window.location.reload(); }
  });

  // Select-all checkbox for bulk actions: <input type=checkbox data-select-all="name">.
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    var name = box.getAttribute("data-select-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = box.checked; });
  });
})();
