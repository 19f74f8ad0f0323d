// Autosave of a case section (templates/patients/case_section.html): a few seconds after the user stops
// typing, and when a field loses focus, the form is posted to its draft URL; the server keeps it for this
// user alone and the page says "Draft saved at …". Saving the section deletes the draft. No inline script.
(function () {
  "use strict";

  var DELAY_MS = 3000;
  var AGAIN_MS = 1000;  // changes made while a draft was on its way

  function init(form) {
    var url = form.dataset.caseDraftUrl;
    var status = form.querySelector("[data-case-draft-status]");
    var timer = null;
    var dirty = false;
    var sending = false;
    var submitting = false;

    // data-draft-state on the form: "saved" once nothing typed is unsent (tests and styles read it).
    function setState(state) { form.dataset.draftState = state; }

    function send() {
      window.clearTimeout(timer);
      if (!dirty || sending || submitting) return;
      dirty = false;
      sending = true;
      setState("saving");
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
          if (dirty) timer = window.setTimeout(send, AGAIN_MS);
          else setState("saved");
        });
    }

    function changed() {
      dirty = true;
      setState("changed");
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function (event) {
      // Not when the focus goes to Save: the section is about to be saved, a draft would outlive it.
      var next = event.relatedTarget;
      if (next && next.form === form && next.type === "submit") return;
      if (dirty) send();
    });
    form.addEventListener("submit", function () { submitting = true; window.clearTimeout(timer); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-case-draft-url]").forEach(init);
  });
})();
