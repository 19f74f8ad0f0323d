// The design system's behaviour (templates/components/). Loaded by base.html; no inline scripts (CSP).
(function () {
  "use strict";

  // Error summary: take focus on load; each link focuses its field (the label stays in view).
  function initErrorSummary(summary) {
    if (summary.dataset.cpmsErrorSummary !== "no-focus") summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target && link.dataset.field) target = document.querySelector("[name='" + CSS.escape(link.dataset.field) + "']");
      if (!target) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + CSS.escape(target.id) + "']");
      var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
      (legend || label || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  // Progress button: once its form is submitted, it says so and cannot be pressed twice.
  function initProgressButton(button) {
    var form = button.form;
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter !== button) return;
      window.setTimeout(function () {  // after the browser has read the button's name and value
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
        button.querySelector("[data-cpms-progress-label]").textContent = button.dataset.progressText;
        var status = button.nextElementSibling;  // a live region: screen readers hear the progress
        if (status && status.hasAttribute("data-cpms-progress-status")) status.textContent = button.dataset.progressText;
        button.querySelector(".spinner-border").classList.remove("d-none");
      }, 0);
    });
  }

  // File upload: type and size checked before sending, then sent with a progress bar. The server checks again.
  function initFileUpload(container) {
    var input = container.querySelector("input[type=file]");
    var form = input.form;
    var message = container.querySelector("[data-cpms-upload-message]");
    var bar = container.querySelector(".progress");
    var maxBytes = parseInt(container.dataset.maxBytes || "0", 10);
    var accepted = (input.getAttribute("accept") || "").split(",").map(function (s) { return s.trim().toLowerCase(); }).filter(Boolean);

    function problemWith(file) {
      if (maxBytes && file.size > maxBytes) return container.dataset.tooLarge.replace("{name}", file.name);
      if (accepted.length) {
        var name = file.name.toLowerCase();
        var ok = accepted.some(function (type) {
          if (type.charAt(0) === ".") return name.endsWith(type);
          if (type.endsWith("/*")) return file.type.indexOf(type.slice(0, -1)) === 0;
          return file.type === type;
        });
        if (!ok) return container.dataset.wrongType.replace("{name}", file.name);
      }
      return "";
    }

    function showProblem(text) {
      message.textContent = text;
      message.classList.toggle("d-none", !text);
      input.classList.toggle("is-invalid", !!text);
      input.setAttribute("aria-invalid", text ? "true" : "false");
    }

    input.addEventListener("change", function () {
      var problems = Array.prototype.map.call(input.files, problemWith).filter(Boolean);
      showProblem(problems.join(" "));
    });

    if (!form || container.dataset.noXhr !== undefined) return;
    form.addEventListener("submit", function (event) {
      var problems = Array.prototype.map.call(input.files, problemWith).filter(Boolean);
      if (problems.length) {
        event.preventDefault();
        showProblem(problems.join(" "));
        input.focus();
        return;
      }
      if (!input.files.length || !window.XMLHttpRequest) return;
      event.preventDefault();
      var request = new XMLHttpRequest();
      var progress = bar.querySelector(".progress-bar");
      bar.classList.remove("d-none");
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((e.loaded / e.total) * 100);
        progress.style.width = percent + "%";
        bar.setAttribute("aria-valuenow", String(percent));
        progress.textContent = percent + "%";
      });
      request.addEventListener("load", function () {
        // The server answers as to a normal submit: follow its redirect, or show the page it returns.
        if (request.responseURL && request.responseURL !== form.action && request.status < 400) {
          window.location.assign(request.responseURL);
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", function () { showProblem(container.dataset.failed); });
      request.open(form.method || "POST", form.action || window.location.href);
      request.send(new FormData(form, event.submitter));
    });
  }

  // Responsive tables: each cell is labelled with its column's header, shown above it on a phone.
  function initTableCards(table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.hasAttribute("data-label") || cell.classList.contains("cpms-table-actions") || cell.tagName === "TH") return;
        if (cell.colSpan > 1 || !headers[index]) return;
        cell.setAttribute("data-label", headers[index]);
      });
    });
  }

  function init(root) {
    root.querySelectorAll("table.cpms-table-cards").forEach(initTableCards);
    root.querySelectorAll("[data-cpms-error-summary]").forEach(initErrorSummary);
    root.querySelectorAll("[data-cpms-progress-button]").forEach(initProgressButton);
    root.querySelectorAll("[data-cpms-file-upload]").forEach(initFileUpload);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
