// Reporting pages. Loaded as a file (CSP: no inline scripts, no hx-on).
(function () {
  "use strict";

  // htmx: a row answered 409 (stale form) or 422 (validation) carries its own
  // message: swap it in place instead of treating it as a failed request.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Period / unit / state pickers submit their GET form on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
    // "select all" checkbox of the review list.
    if (el.matches && el.matches("input[data-check-all]")) {
      var name = el.getAttribute("data-check-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  // Forms that ask before doing something hard to undo (lock a period, submit all).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // Copy the chase text to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    if (!source) return;
    var done = function () {
      var old = button.innerHTML;
      button.textContent = "已复制";
      window.setTimeout(function () { button.innerHTML = old; }, 1500);
    };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
