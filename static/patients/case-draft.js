// Autosave of a case section (templates/patients/case_section.html): a few seconds after the user stops
// typing, and when a field loses focus, the form is posted to its draft URL; the server keeps it for this
// user alone and the page says "Draft saved at …". Saving the section deletes the draft. No inline script.
(function () {
  "use strict";

  var DELAY_MS = 3000;

  function init(form) {
    var url = form.dataset.caseDraftUrl;
    var status = form.querySelector("[data-case-draft-status]");
    var timer = null;
    var dirty = false;
    var sending = false;
    var submitting = false;

    function send() {
      window.clearTimeout(timer);
      if (!dirty || sending || submitting) return;
      dirty = false;
      sending = true;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || form.dataset.draftFailed);
            status.textContent = body.message;
            form.dataset.draftSavedAt = body.saved_at;
          });
        })
        .catch(function (error) {
          dirty = true;
          status.textContent = (error && error.message) || form.dataset.draftFailed;
        })
        .finally(function () {
          sending = false;
          if (dirty) timer = window.setTimeout(send, DELAY_MS);
        });
    }

    function changed() {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function () { if (dirty) send(); });
    form.addEventListener("submit", function () { submitting = true; window.clearTimeout(timer); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-case-draft-url]").forEach(init);
  });
})();
