// Security keys, trusted platforms and passkeys (WebAuthn) with @simplewebauthn/browser.
// Two forms use it: #webauthn-register (add a key) and #webauthn-signin (sign in with one).
// The server answers JSON: {"redirect": url} when done, {"error": text} otherwise.
(function () {
  "use strict";
  const lib = window.SimpleWebAuthnBrowser;

  class ServerError extends Error {
    constructor(message, field) {
      super(message);
      this.name = "ServerError";
      this.field = field;
    }
  }

  function show(form, text, kind) {
    const status = form.querySelector("#webauthn-status");
    status.replaceChildren();
    if (!text) return;
    const box = document.createElement("div");
    box.className = "alert alert-" + kind + " mb-0";
    box.textContent = text;
    status.appendChild(box);
  }

  async function postJSON(form, url, data) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify(data || {}),
    });
    let payload = null;
    try {
      payload = await response.json();
    } catch (ignored) {
      payload = null;
    }
    if (!response.ok || payload === null) {
      if (payload && payload.redirect) {
        window.location.assign(payload.redirect); // e.g. verify again, or the sign-in expired
      }
      throw new ServerError((payload && payload.error) || form.dataset.msgFailed, payload && payload.field);
    }
    return payload;
  }

  function messageFor(form, error) {
    const data = form.dataset;
    if (error instanceof ServerError) return error.message;
    const code = error && error.code;
    const name = error && error.name;
    if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
      return data.msgRegistered || data.msgFailed;
    }
    if (code === "ERROR_CEREMONY_ABORTED" || name === "NotAllowedError" || name === "AbortError") {
      return data.msgCancelled;
    }
    if (name === "NotSupportedError") return data.msgUnsupported;
    return data.msgFailed;
  }

  function markField(input, invalid) {
    if (!input) return;
    input.classList.toggle("is-invalid", invalid);
    if (invalid) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "webauthn-status");
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  function wire(form, ceremony) {
    const button = form.querySelector("button[type=submit]");
    if (!lib || !lib.browserSupportsWebAuthn()) {
      show(form, form.dataset.msgUnsupported, "warning");
      button.disabled = true;
      return;
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      show(form, form.dataset.msgWorking, "info");
      try {
        const done = await ceremony(form);
        window.location.assign(done.redirect);
      } catch (error) {
        show(form, messageFor(form, error), "danger");
        if (error instanceof ServerError && error.field) markField(form.elements[error.field], true);
        button.disabled = false;
      }
    });
  }

  async function register(form) {
    const input = form.elements.name;
    const name = input.value.trim();
    markField(input, false);
    const optionsJSON = await postJSON(form, form.dataset.optionsUrl, { name: name });
    const credential = await lib.startRegistration({ optionsJSON: optionsJSON });
    return postJSON(form, form.dataset.registerUrl, { name: name, credential: credential });
  }

  async function signIn(form) {
    const optionsJSON = await postJSON(form, form.dataset.optionsUrl, {});
    const credential = await lib.startAuthentication({ optionsJSON: optionsJSON });
    return postJSON(form, form.dataset.verifyUrl, { credential: credential });
  }

  const registerForm = document.getElementById("webauthn-register");
  if (registerForm) wire(registerForm, register);
  const signinForm = document.getElementById("webauthn-signin");
  if (signinForm) wire(signinForm, signIn);
})();
