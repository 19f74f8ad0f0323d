// Terminology combobox (WAI-ARIA APG "list autocomplete"): enhances <input data-terminology="hpo|orpha|icd10|diagnosis">
// from templates/components/_terminology_combobox.html. The input's value stays a code; suggestions come
// from coding:concept-search as JSON. Without this script the field still takes a typed code. No inline script (CSP).
(function () {
  "use strict";
  if (window.cpmsTerminologyCombobox) return;  // the partial may be included several times on a page
  window.cpmsTerminologyCombobox = true;
  var DELAY_MS = 150;
  var counter = 0;

  function enhance(input) {
    if (input.dataset.comboboxReady) return;
    input.dataset.comboboxReady = "true";
    if (!input.id) input.id = "terminology-" + (++counter);
    var container = input.closest("[data-cpms-combobox]") || input.parentNode;
    var chosen = container.querySelector("[data-terminology-chosen]");
    var listbox = document.createElement("ul");
    listbox.id = input.id + "-listbox";
    listbox.setAttribute("role", "listbox");
    if (input.labels && input.labels.length) listbox.setAttribute("aria-labelledby", input.labels[0].id || labelId(input));
    listbox.className = "list-group position-absolute w-100 shadow cpms-combobox-list";
    listbox.style.zIndex = "1050";
    listbox.style.maxHeight = "20rem";
    listbox.style.overflowY = "auto";
    listbox.hidden = true;
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", listbox);
    listbox.insertAdjacentElement("afterend", live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    var options = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    function labelId(field) {
      var label = field.labels[0];
      label.id = field.id + "-label";
      return label.id;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function announce(count) {
      var text = count === 0 ? input.dataset.countNone : count === 1 ? input.dataset.countOne : input.dataset.countMany;
      live.textContent = (text || "").replace("{count}", String(count));
    }

    function option(result, index) {
      var item = document.createElement("li");
      item.id = input.id + "-option-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.className = "list-group-item list-group-item-action";
      var code = document.createElement("span");
      code.className = "fw-semibold";
      code.textContent = result.code;
      item.append(code, " " + result.label);
      if (result.synonym) {
        var synonym = document.createElement("span");
        synonym.className = "cpms-combobox-synonym";
        synonym.textContent = " (" + result.synonym + ")";
        item.append(synonym);
      }
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep the focus in the input
        choose(index);
      });
      return item;
    }

    function show(results) {
      listbox.textContent = "";
      options = results;
      results.forEach(function (result, index) { listbox.append(option(result, index)); });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      announce(results.length);
      listbox.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
    }

    function highlight(index) {
      if (!options.length) return;
      active = (index + options.length) % options.length;
      Array.prototype.forEach.call(listbox.children, function (item, position) {
        var on = position === active;
        item.setAttribute("aria-selected", on ? "true" : "false");
        item.classList.toggle("active", on);
        if (on) item.scrollIntoView({ block: "nearest" });
      });
      input.setAttribute("aria-activedescendant", input.id + "-option-" + active);
    }

    function choose(index) {
      var result = options[index];
      input.value = result.code;
      if (chosen) chosen.textContent = result.label;
      close();
      live.textContent = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var query = input.value.trim();
      var mine = ++latest;
      if (!query) {
        show([]);
        live.textContent = "";
        return;
      }
      var url = new URL(input.dataset.terminologyUrl, window.location.href);
      url.searchParams.set("q", query);
      url.searchParams.set("system", input.dataset.terminology);
      url.searchParams.set("format", "json");
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!response.ok || !json) throw new Error("no suggestions");  // e.g. the session ended
          return response.json();
        })
        .then(function (body) { if (mine === latest) show(body.results); })
        .catch(function () { if (mine === latest) close(); });
    }

    input.addEventListener("input", function () {
      if (chosen) chosen.textContent = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight(event.key === "ArrowDown" ? active + 1 : (active < 0 ? options.length - 1 : active - 1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // choose, do not submit the form
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function init(root) {
    if (root.matches && root.matches("input[data-terminology]")) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll("input[data-terminology]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
